#include "api/Text.h"
#include "core/CertRunner.h"
#include "core/Deployer.h"
#include "core/RunSupport.h"
#include "crypto/Gate.h"
#include "crypto/Keys.h"
#include "store/FileIo.h"
#include "store/IsoTime.h"

namespace certagent::core {

namespace {

std::time_t toTime(std::chrono::system_clock::time_point t) {
    return std::chrono::system_clock::to_time_t(t);
}

/// The version of NAME whose leaf is `sha256` (left by an earlier attempt whose deploy was
/// rolled back), so a retry does not write the same certificate twice.
std::optional<int> versionWithLeaf(const store::Store& store, const std::string& name,
                                   const std::string& sha256) {
    auto versions = store.versions(name);
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        auto meta = store.versionMeta(name, *it);
        if (meta && meta->sha256 == sha256)
            return *it;
    }
    return std::nullopt;
}

} // namespace

std::unique_ptr<Installer> CertRunner::makeInstaller() {
    if (m_cert.installer == "none")
        return nullptr;
    const ServerSettings& server =
        m_cert.installer == "apache" ? m_ctx.config.apache : m_ctx.config.nginx;
    return m_ctx.installers(m_cert.installer,
                            InstallerContext{m_ctx.config.storeDir, server, m_ctx.runner});
}

void CertRunner::runHooks(const std::string& phase, const std::string& error) {
    HookEvent event;
    event.name = m_cert.name;
    event.domains = m_cert.domains;
    event.orderId = m_state.orderId ? std::to_string(m_state.orderId) : "";
    event.liveDir = m_ctx.store.liveDir(m_cert.name);
    event.cert = event.liveDir + "/cert.pem";
    event.key = event.liveDir + "/privkey.pem";
    event.chain = event.liveDir + "/chain.pem";
    event.fullchain = event.liveDir + "/fullchain.pem";
    if (auto meta = m_ctx.store.liveMeta(m_cert.name)) {
        event.serial = meta->serial;
        event.notAfter = meta->notAfter;
    }
    event.error = error;
    HookOutcome outcome = phase == "deploy" ? m_ctx.hooks.runDeploy(event, m_cert.deployHook)
                                            : m_ctx.hooks.run(phase, event);
    if (!outcome.ok()) {
        std::string message = phase + " hooks: " + outcome.firstError;
        logger().error(m_prefix + message);
        if (phase == "deploy")
            throw RefusedError(message);
    }
}

int CertRunner::deployVersion(Installer* installer, const std::string& sha256,
                              const std::string& previousSha, std::optional<int> previousVersion) {
    if (!installer)
        return kExitOk;
    DeployStep step;
    step.newSha256 = sha256;
    step.previousSha256 = previousSha;
    step.switchBack = [this, previousVersion] {
        if (previousVersion)
            m_ctx.store.switchLive(m_cert.name, *previousVersion);
    };
    step.log = [this](const std::string& line) { logger().information(m_prefix + line); };
    DeployOutcome outcome = deploy(*installer, step);
    if (outcome.exitCode != kExitOk)
        m_state.lastError = outcome.error;
    return outcome.exitCode;
}

int CertRunner::installIssued(const RunOptions& options, const api::OrderStatus& st) {
    std::string order = "order " + std::to_string(m_state.orderId);
    std::string keyLabel = "pending/" + m_cert.name + "/privkey.pem";
    auto keyPem = m_ctx.store.readPendingKey(m_cert.name);
    if (!keyPem) {
        keyLabel = "live/" + m_cert.name + "/privkey.pem";
        keyPem =
            store::readFileCapped(m_ctx.store.liveDir(m_cert.name) + "/privkey.pem", 64 * 1024);
    }
    if (!keyPem)
        return refuseAndRecord(order + " is issued but there is no key for it (run certagent csr " +
                                   m_cert.name + " before ordering elsewhere)",
                               kExitRefused);
    auto key = crypto::privateKeyFromPem(*keyPem, keyLabel);
    crypto::GateInput in;
    in.crtCode = st.crtCode;
    in.caCode = st.caCode;
    in.localKey = key.get();
    in.names = m_cert.domains;
    in.trustCaFile = m_ctx.config.trustCaFile;
    in.now = std::chrono::system_clock::from_time_t(m_ctx.now());
    in.context = order;
    crypto::VerifiedCert cert;
    try {
        cert = crypto::verifyIssued(in);
    } catch (const crypto::GateError& e) {
        bool defer = e.exitCode() == kExitTemporary;
        if (!options.dryRun && !defer) {
            cleanupValidation();
            m_state.phase = "failed"; // never loop into new orders on a mismatch
        }
        int rc = refuseAndRecord(e.what(), e.exitCode());
        if (!options.dryRun) {
            save();
            if (!defer)
                runHooks("failure", e.what());
        }
        return rc;
    }
    const auto& facts = cert.facts;
    auto live = m_ctx.store.liveMeta(m_cert.name);
    if (live && live->sha256 == facts.sha256) {
        logger().information(m_prefix + order + ": serial " + facts.serialHex +
                             " is already deployed; nothing to do");
        if (options.dryRun)
            return kExitOk;
        cleanupValidation();
        if (m_ctx.store.hasPendingKey(m_cert.name) && keyLabel.rfind("pending", 0) == 0)
            m_ctx.store.removePendingKey(m_cert.name);
        m_state.phase = "installed";
        m_state.deployedSha256 = facts.sha256;
        save();
        return kExitOk;
    }
    if (live && store::parseIsoUtc(live->notBefore).value_or(0) > toTime(facts.notBefore)) {
        m_state.phase = options.dryRun ? m_state.phase : "failed";
        int rc = refuseAndRecord(order + ": certificate serial " + facts.serialHex +
                                     " is older than the deployed one; refusing the downgrade",
                                 kExitRefused);
        if (!options.dryRun)
            save();
        return rc;
    }
    if (options.dryRun) {
        logger().information(m_prefix + "dry run: " + order + " serial " + facts.serialHex +
                             " passed verification; would install it");
        return kExitOk;
    }

    // Ask the server where the names are served before anything changes.
    std::unique_ptr<Installer> installer = makeInstaller();
    DeployTarget target{m_cert.name, m_cert.domains,
                        m_ctx.store.liveDir(m_cert.name) + "/fullchain.pem",
                        m_ctx.store.liveDir(m_cert.name) + "/privkey.pem"};
    if (installer)
        installer->discover(target);

    auto version = versionWithLeaf(m_ctx.store, m_cert.name, facts.sha256);
    if (!version) {
        store::VersionFiles files;
        files.privkeyPem = *keyPem;
        files.certPem = cert.certPem;
        files.chainPem = cert.chainPem;
        files.fullchainPem = cert.fullchainPem;
        files.meta.orderId = m_state.orderId;
        files.meta.serial = facts.serialHex;
        files.meta.sha256 = facts.sha256;
        files.meta.notBefore = store::formatIsoUtc(toTime(facts.notBefore));
        files.meta.notAfter = store::formatIsoUtc(toTime(facts.notAfter));
        files.meta.names = facts.names;
        auto type = crypto::keyTypeOf(*key);
        files.meta.keyType = type ? crypto::keyTypeName(*type) : "";
        version = m_ctx.store.writeVersion(m_cert.name, files);
    }
    api::wipe(*keyPem);
    auto previousVersion = m_ctx.store.liveVersion(m_cert.name);
    m_state.phase = "issued";
    save();
    runHooks("pre", "");
    m_ctx.store.switchLive(m_cert.name, *version);
    logger().information(m_prefix + "live -> version " + std::to_string(*version) + " (serial " +
                         facts.serialHex + ", not after " +
                         store::formatIsoUtc(toTime(facts.notAfter)) + ")");
    int rc =
        deployVersion(installer.get(), facts.sha256, live ? live->sha256 : "", previousVersion);
    if (rc != kExitOk) {
        refuseAndRecord("deploy failed: " + m_state.lastError, rc);
        save();
        runHooks("failure", m_state.lastError);
        return rc;
    }
    if (m_ctx.store.hasPendingKey(m_cert.name))
        m_ctx.store.removePendingKey(m_cert.name);
    cleanupValidation();
    m_state.phase = "installed";
    m_state.deployedSha256 = facts.sha256;
    m_state.lastSuccess = m_ctx.now();
    m_state.lastFullCheck = m_ctx.now();
    m_state.lastError.clear();
    m_state.attempts = 0;
    m_state.pendingSince.reset();
    save();
    try {
        runHooks("deploy", "");
    } catch (const RefusedError& e) {
        rc = kExitHookFailed;
        m_state.lastError = e.what();
        save();
    }
    runHooks("post", "");
    for (int removed : m_ctx.store.prune(m_cert.name))
        logger().debug(m_prefix + "pruned version " + std::to_string(removed));
    logger().information(m_prefix + "installed serial " + facts.serialHex);
    return rc;
}

} // namespace certagent::core
