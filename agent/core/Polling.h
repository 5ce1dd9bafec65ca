#pragma once

#include "core/CertJob.h"

#include <optional>

namespace certagent::core {

/// The "validating → issued" steps: ask the CA about the order, place what it asks for, ask it
/// to look, and hand an issued certificate to Installation; in --wait mode until issued or the
/// deadline.
class Polling {
  public:
    explicit Polling(CertJob& job) : m_job(job) {}

    /// One look at the state's order (cron mode), or polling until the --wait deadline.
    /// `quick`: the order's status from a batch poll, which may make the look unnecessary.
    int pollAndAdvance(const RunOptions& options, const std::optional<QuickStatus>& quick);

  private:
    /// What one look at the order ended with: finished (with its exit code) or still waiting.
    struct Step {
        bool finished = false;
        int code = 0;
    };
    Step handle(const RunOptions& options, const OrderView& view);
    std::optional<Step> recheckAfterPlacing(const RunOptions& options);
    Step failed(const RunOptions& options, const OrderView& view);
    int waitForIssue(const RunOptions& options, OrderView view);
    bool validationInPlace() const;

    CertJob& m_job;
};

} // namespace certagent::core
