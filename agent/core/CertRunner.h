#pragma once

#include "core/CertJob.h"
#include "core/IdleCheck.h"
#include "core/Renewal.h"
#include "core/RunContext.h"

#include <functional>
#include <optional>

namespace certagent::core {

/// The store's index during a run (IdleCheck.h): the run's facts and this certificate's entry.
/// All null when a command runs without the index (then every look at the live files runs the
/// gate).
struct IndexLink {
    const RunFacts* facts = nullptr;
    store::Index* index = nullptr;
    store::IndexEntry* entry = nullptr;
};

/// What a run learned about the live version, for the index.
struct LiveRecord {
    bool decided = false;    ///< decide() ran to the end
    bool notDue = false;     ///< its outcome
    std::time_t renewAt = 0; ///< its outcome
    int version = 0;         ///< the live version looked at; 0 = nothing live
    std::string sha256;      ///< its leaf (what the web server must serve)
    std::time_t notBefore = 0;
    std::time_t notAfter = 0;
    bool gateRan = false;     ///< the gate looked at the live files in this run
    bool verifiedNow = false; ///< and they passed: files, content, chainNotAfter are new
    bool checkedNow = false;  ///< the daily check was done in this run
    bool dailyNow = false;    ///< this run is the certificate's daily slice (probe the server)
    std::uint64_t files = 0;
    ContentDigest content{};
    std::time_t chainNotAfter = 0;
    bool probed = false;     ///< the web server was probed in this run
    bool servedLive = false; ///< and served the live version
};

/// The per-certificate state machine of ARCHITECTURE.md. Every step persists state/NAME.json.
/// process() returns the exit code of README's table for this certificate; it throws only for
/// bugs and for Errors it does not own (ConfigError from an installer, IoError from the store),
/// which runCertificate() maps to exit codes and records.
class CertRunner {
  public:
    CertRunner(RunContext& context, const config::CertConfig& cert);
    /// With the state the run has read already and the index's entry (either may be empty).
    CertRunner(RunContext& context, const config::CertConfig& cert, store::CertState state,
               IndexLink link);

    /// One run for this certificate. `quick`: the order's status from a batch poll of several
    /// pending orders (cron mode), if there was one.
    int process(const RunOptions& options, const std::optional<QuickStatus>& quick = {});

    /// The renewal decision for the live certificate (reads meta.json; runs the gate over the
    /// live files unless the index's verdict still holds, IdleCheck.cpp).
    RenewalDecision decide(bool fullCheck);

    /// True when the certificate's order is waiting for the CA (for batch polling).
    static bool pendingOrder(const store::CertState& state);

    const store::CertState& state() const { return m_job.state; }
    /// What this run learned about the live version.
    const LiveRecord& record() const { return m_record; }

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
    bool verdictStillHolds(int version);
    void lookAtLiveFiles(LiveInfo& live, int version, std::time_t now);
    int notDue(const RenewalDecision& d, const RunOptions& options);

    CertJob m_job;
    IndexLink m_link;
    LiveRecord m_record;
};

} // namespace certagent::core
