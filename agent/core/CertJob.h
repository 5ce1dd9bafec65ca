#pragma once

// Internal to the run loop: what the steps of one certificate's run share (the certificate, its
// state, its backend, the run's context) and the few ways a step ends a run.

#include "core/CaBackend.h"
#include "core/RunContext.h"

#include <string>
#include <vector>

namespace certagent {
class ServiceError;
}

namespace certagent::core {

/// One certificate during one run. The steps (Ordering, Polling, DcvPlacement, Installation)
/// read and change `state`; save() persists it unless the run is a dry run.
struct CertJob {
    CertJob(RunContext& context, const config::CertConfig& cert);
    /// With the state the caller has already read (a run reads each state file once).
    CertJob(RunContext& context, const config::CertConfig& cert, store::CertState loaded);

    RunContext& ctx;
    const config::CertConfig& cert;
    CaBackend& backend;
    store::CertState state;
    std::string prefix;     ///< "shop: " for log lines
    bool dryRun = false;    ///< --dry-run: write nothing, not even state
    bool placedNow = false; ///< validation placed in this run: ask the CA to look
    FleetCert fleet;        ///< the certificate as the fleet knows it
    bool leading = false;   ///< this run holds the certificate's fleet lock (always when solo)
    std::vector<Challenge> challenges; ///< the order's challenges as the CA last listed them
    bool checkRequested = false;       ///< the CA was asked to look at them (fleet barrier)
    bool abandoned = false; ///< the order was dropped (it no longer fits): order anew now

    /// Writes state/NAME.json (nothing in a dry run); while leading in a fleet first the shared
    /// half (fenced: throws FleetError and writes nothing locally when the lock is lost).
    void save();
    /// The shared half of the state (with the pending key and CSR when there is one).
    SharedOrder sharedOrder() const;
    /// Logs `message` as an error and records it as the last error and failure; returns `code`.
    int record(const std::string& message, int code);
    /// record() and save() (unless `dryRun`).
    int recordAndSave(const std::string& message, int code, bool dryRun = false);
    /// A failed call to the CA: one more consecutive failure, the persistent backoff (the ladder,
    /// or the CA's Retry-After when longer), recorded and saved; returns the error's exit code.
    /// A refusal the configuration must fix (exit 2, nothing was sent) sets no backoff.
    int serviceFailure(const ServiceError& e);
    /// One more consecutive failure: backoffUntil = now + max(`retryAfter`, the ladder).
    void backOff(std::optional<std::chrono::seconds> retryAfter = std::nullopt);
    /// "order 1840217" for the state's order.
    std::string orderLabel() const;
    /// What the backend is told about this certificate (with the pending CSR).
    OrderContext orderContext() const;
    /// The neutral views' "issued" certificate is the one already deployed while a new key waits
    /// (right after a reissue the CA may still show the old one): not ready yet.
    bool showsDeployed(const OrderView& view) const;
};

/// The settings every host of a fleet must share for `cert`: its names, backend, key type and
/// configured order.
FleetCert fleetCertOf(const config::CertConfig& cert, const std::string& backendKind);

/// Why an order is looked for.
enum class OrderPurpose {
    Follow, ///< install, status: the order in progress or last placed, else the configured one
    Renew,  ///< a due certificate: the configured (subscription) order, else our last one
};

/// The one rule for which order a step concerns (an order adopted on the command line wins).
/// Empty when there is none.
OrderRef orderFor(OrderPurpose purpose, const std::string& adopted, const store::CertState& state,
                  const CaBackend& backend, const config::CertConfig& cert);

/// Exponential persistent backoff after failures of the CA: 5m, 10m, 20m ... capped at 6h.
std::chrono::seconds backoffAfter(int consecutiveFailures);

} // namespace certagent::core
