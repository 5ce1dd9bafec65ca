#pragma once

#include "core/CertJob.h"
#include "core/Renewal.h"
#include "core/RunContext.h"

#include <functional>
#include <optional>

namespace certagent::core {

/// The per-certificate state machine of ARCHITECTURE.md. Every step persists state/NAME.json.
/// process() returns the exit code of README's table for this certificate; it throws only for
/// bugs and for Errors it does not own (ConfigError from an installer, IoError from the store),
/// which runCertificate() maps to exit codes and records.
class CertRunner {
  public:
    CertRunner(RunContext& context, const config::CertConfig& cert);

    /// One run for this certificate. `quick`: the order's status from a batch poll of several
    /// pending orders (cron mode), if there was one.
    int process(const RunOptions& options, const std::optional<QuickStatus>& quick = {});

    /// The renewal decision for the live certificate (reads meta.json; re-checks the files with
    /// the gate when they changed or a daily full check is due).
    RenewalDecision decide(bool fullCheck);

    /// True when the certificate's order is waiting for the CA (for batch polling).
    static bool pendingOrder(const store::CertState& state);

    const store::CertState& state() const { return m_job.state; }

  private:
    int adopt(const RunOptions& options);
    int installOnly(const RunOptions& options);
    int interrupted();
    int reconcile(const RunOptions& options);
    /// Runs `step` while holding the certificate's fleet lock (solo: at once).
    int lead(const RunOptions& options, const std::optional<QuickStatus>& quick,
             const std::function<int()>& step);
    /// Asks the CA for its renewal window (ARI) when the re-check time has come.
    void refreshRenewalHint(const RunOptions& options);

    CertJob m_job;
};

} // namespace certagent::core
