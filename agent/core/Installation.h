#pragma once

#include "core/CertJob.h"
#include "crypto/GateError.h"

#include <optional>
#include <string>
#include <vector>

namespace certagent::core {

/// The "issued → installed" steps: the verification gate over what the CA sent, the new version
/// in the store, the live switch, the web server deploy (test, reload, probe, rollback) and the
/// hooks. A stop request (SIGTERM) is held from the version write until the state says where
/// things stand.
class Installation {
  public:
    explicit Installation(CertJob& job) : m_job(job) {}

    /// Verifies `chains` (the default first; on "no trusted path" each alternate in turn) against
    /// the order's key and installs the first that passes. Returns the exit code.
    int installIssued(const RunOptions& options, const std::vector<IssuedChain>& chains);
    /// Runs the `phase` hooks (pre, deploy, post, failure) for the live version. A failing
    /// deploy hook throws RefusedError; the others are logged.
    void runHooks(const std::string& phase, const std::string& error);

  private:
    std::optional<std::string> orderKey(std::string& label) const;
    int gateRefused(const RunOptions& options, const crypto::GateError& e);
    int writeAndDeploy(store::VersionFiles& files);
    int finishInstalled(const std::string& sha256, bool changed);
    int deployVersion(Installer* installer, const std::string& sha256,
                      const std::string& previousSha, std::optional<int> previousVersion);

    CertJob& m_job;
};

} // namespace certagent::core
