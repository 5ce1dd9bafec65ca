#pragma once

#include "core/CertJob.h"

#include <optional>
#include <string>

namespace certagent::core {

/// What a run settles first about what an earlier run (or someone else) left behind: a placement
/// that may have reached the CA without its answer reaching us, and a live link that no longer
/// points at a version of the certificate. README: a run killed at any point is resumed by the
/// next run.
class Recovery {
  public:
    explicit Recovery(CertJob& job) : m_job(job) {}

    /// For Phase::Ordering: asks the backend whether the placement in flight reached the CA.
    /// Returns the exit code when that settles this certificate's run (the order is followed, or
    /// a human must look), nullopt when the certificate is to be ordered as due (`dueReason`
    /// says why: the request never reached the CA, or the CA cannot tell and `force` was given).
    std::optional<int> settlePlacement(const RunOptions& options, std::string& dueReason);

    /// A live/NAME that is not a link to a complete version of NAME while one exists: points it
    /// back at the deployed version (the one whose leaf the state says was deployed, else the
    /// newest complete one) and says so. A dry run only says what it would do. Throws IoError
    /// when the switch fails.
    void restoreLiveLink(bool dryRun);

  private:
    std::optional<int> deployedVersion() const;

    CertJob& m_job;
};

} // namespace certagent::core
