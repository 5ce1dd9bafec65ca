#pragma once

#include "core/CertJob.h"
#include "crypto/Gate.h"
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
    /// Deploys a set another host of the fleet published: the same gate (with the set's key),
    /// the same downgrade check (unless the fleet rolled back) and the same write and deploy as
    /// an issued certificate. Returns the exit code.
    int installPublished(const RunOptions& options, PublishedSet& set);
    /// Runs the `phase` hooks (pre, deploy, post, failure) for the live version. A failing
    /// deploy hook throws RefusedError; the others are logged.
    void runHooks(const std::string& phase, const std::string& error);

  private:
    std::optional<std::string> orderKey(std::string& label) const;
    /// The gate over `chains` with `key`: the first chain that passes (throws GateError).
    crypto::VerifiedCert verifyChains(const EVP_PKEY& key, const std::vector<IssuedChain>& chains,
                                      const std::string& context) const;
    /// Where a set to install comes from.
    enum class Source { Issued, Published, RolledBack };
    /// The exit code when `cert` is already deployed, older than the live one (refused unless
    /// the fleet rolled back; an issued one fails the order) or this is a dry run; nullopt:
    /// install it.
    std::optional<int> againstLive(const RunOptions& options, const crypto::VerifiedCert& cert,
                                   const std::string& label, Source source);
    int gateRefused(const RunOptions& options, const crypto::GateError& e);
    int writeAndDeploy(store::VersionFiles& files);
    int finishInstalled(const std::string& sha256, bool changed);
    int deployVersion(Installer* installer, const std::string& sha256,
                      const std::string& previousSha, std::optional<int> previousVersion);

    CertJob& m_job;
};

} // namespace certagent::core
