#pragma once

#include "core/CertJob.h"

#include <optional>
#include <string>

namespace certagent::core {

/// The run loop's fleet steps (design-fleet §3.4, §3.5): pulling a newer published set, taking
/// in the shared order, following another host's order (placing and acking its http challenges,
/// waiting for its publish with --wait) and the DCV barrier before the CA is asked to look.
/// On a host on its own every step is a no-op and the run loop does exactly what it always did.
class FleetSteps {
  public:
    explicit FleetSteps(CertJob& job) : m_job(job) {}

    /// Before the certificate's own decision: deploys a newer published set (returns its exit
    /// code), else takes in the shared order (in memory; while leading also its pending key and
    /// CSR, written here) and removes validation files of an order that left validation.
    /// nullopt: the run goes on. `sync` (followOnly) ends here with follow(). Throws FleetError.
    std::optional<int> pull(const RunOptions& options);
    /// Before a step that talks to the CA: nullopt when this run now holds the lock (the caller
    /// re-decides on what it sees and must hold a LeadHold), else the exit code of following
    /// another host's run (0, or 3 after --wait) or of a fleet that cannot be reached (3).
    std::optional<int> lead(const RunOptions& options);
    /// Whether to ask the CA to look at the placed challenges now: solo when placed in this run or
    /// the CA still waits to be told (`awaitingResponse`); in a fleet with http validation when
    /// every active host acked (or dcv_wait passed) and the CA was not asked yet (or still waits).
    bool readyToAsk(bool awaitingResponse);

  private:
    int follow(const RunOptions& options, const std::string& holder);
    int waitPublished(const RunOptions& options, const std::string& holder);
    void placeShared(const RunOptions& options);
    void takeIn(const SharedOrder& shared);
    LocalLive localLive() const;
    bool httpDcv() const;

    CertJob& m_job;
};

/// Holds a job's fleet lock for one step and gives it back when the step ends, however it ends.
class LeadHold {
  public:
    explicit LeadHold(CertJob& job);
    ~LeadHold();
    LeadHold(const LeadHold&) = delete;
    LeadHold& operator=(const LeadHold&) = delete;

  private:
    CertJob& m_job;
};

} // namespace certagent::core
