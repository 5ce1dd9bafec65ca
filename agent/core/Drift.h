#pragma once

#include "core/CertJob.h"

#include <string>

namespace certagent::core {

/// Drift, found without being asked: on a certificate's daily check its names are probed on its
/// web server; a server that serves something else than the live version (a hand edit of its
/// configuration, a restore that put old files back, a restart from an old configuration) is
/// logged, recorded in the state (status, metrics) and the next run deploys the live version
/// again with the usual test, reload, probe and rollback.
class Drift {
  public:
    explicit Drift(CertJob& job) : m_job(job) {}

    /// Asks the installer where the names are served and probes each for `liveSha256`. True when
    /// every one serves it; otherwise records what was found in state.servedOther (saved) and
    /// logs a warning. A server that cannot say counts as drift too. Throws only IoError from the
    /// store.
    bool probe(const std::string& liveSha256);

    /// Deploys the live version (`liveSha256`) again and clears state.servedOther. Returns the
    /// exit code of the deploy (0, 5 rolled back, 6 rollback failed; 2 for a configuration the
    /// installer refuses).
    int redeploy(const std::string& liveSha256);

  private:
    CertJob& m_job;
};

} // namespace certagent::core
