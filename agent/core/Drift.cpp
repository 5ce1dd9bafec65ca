#include "core/Drift.h"

#include "core/Deployer.h"
#include "core/InstallerFor.h"
#include "core/RunSupport.h"
#include "util/Text.h"

namespace certagent::core {

bool Drift::probe(const std::string& liveSha256) {
    const std::string kind = config::installerName(m_job.cert.installer);
    std::string found;
    try {
        std::unique_ptr<Installer> installer = makeInstallerFor(m_job.ctx, m_job.cert);
        installer->discover(deployTargetFor(m_job.ctx, m_job.cert));
        installer->probe(liveSha256);
    } catch (const Error& e) {
        found = escapeForLog(e.what(), 400);
    }
    bool same = found.empty();
    if (!same)
        logger().warning(m_job.prefix + kind + " does not serve the live certificate (" + found +
                         "); the next run deploys it again");
    if (m_job.state.servedOther != found) {
        m_job.state.servedOther = found;
        m_job.save();
    }
    return same;
}

int Drift::redeploy(const std::string& liveSha256) {
    logger().information(m_job.prefix + "deploying the live certificate again (" +
                         config::installerName(m_job.cert.installer) + " served " +
                         m_job.state.servedOther + ")");
    m_job.state.servedOther.clear();
    DeployOutcome outcome;
    try {
        std::unique_ptr<Installer> installer = makeInstallerFor(m_job.ctx, m_job.cert);
        installer->discover(deployTargetFor(m_job.ctx, m_job.cert));
        DeployStep step;
        step.newSha256 = liveSha256; // the live link stays: nothing to switch back
        step.log = [this](const std::string& line) { logger().information(m_job.prefix + line); };
        outcome = deploy(*installer, step);
    } catch (const Error& e) {
        outcome.exitCode = e.exitCode();
        outcome.error = e.what();
    }
    if (outcome.exitCode != kExitOk)
        return m_job.recordAndSave("redeploy failed: " + outcome.error, outcome.exitCode);
    m_job.save();
    logger().information(m_job.prefix + "the live certificate is served again");
    return kExitOk;
}

} // namespace certagent::core
