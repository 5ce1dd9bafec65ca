#include "core/CertRunner.h"
#include "core/Deployer.h"
#include "core/RunSupport.h"
#include "crypto/Gate.h"
#include "crypto/Keys.h"
#include "util/FileIo.h"
#include "util/IsoTime.h"
#include "util/SignalGuard.h"
#include "util/Text.h"

namespace certagent::core {

namespace {

std::time_t toTime(std::chrono::system_clock::time_point t) {
    return std::chrono::system_clock::to_time_t(t);
}

/// The newest version of NAME whose leaf is `sha256` (e.g. written by an attempt whose deploy
/// was rolled back or interrupted), so a retry does not write the same certificate twice.
std::optional<int> versionWithLeaf(const store::Store& store, const std::string& name,
                                   const std::string& sha256) {
    if (sha256.empty())
        return std::nullopt;
    auto versions = store.versions(name);
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        auto meta = store.versionMeta(name, *it);
        if (meta && meta->sha256 == sha256)
            return *it;
    }
    return std::nullopt;
}

store::VersionMeta metaOf(const crypto::VerifiedCert& cert, long long orderId,
                          const EVP_PKEY& key) {
    store::VersionMeta meta;
    meta.orderId = orderId;
    meta.serial = cert.facts.serialHex;
    meta.sha256 = cert.facts.sha256;
    meta.notBefore = formatIsoUtc(toTime(cert.facts.notBefore));
    meta.notAfter = formatIsoUtc(toTime(cert.facts.notAfter));
    meta.names = cert.facts.names;
    auto type = crypto::keyTypeOf(key);
    meta.keyType = type ? crypto::keyTypeName(*type) : "";
    return meta;
}

} // namespace

std::unique_ptr<Installer> CertRunner::makeInstaller() {
    if (m_cert.installer == "none")
        return nullptr;
    const config::ServerSettings& server =
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

std::optional<std::string> CertRunner::orderKey(std::string& label) const {
    label = "pending/" + m_cert.name + "/privkey.pem";
    if (auto pem = m_ctx.store.readPendingKey(m_cert.name))
        return pem;
    // reuse_key, or an interrupted run that already removed the pending key after the switch
    label = "live/" + m_cert.name + "/privkey.pem";
    return readFileCapped(m_ctx.store.liveDir(m_cert.name) + "/privkey.pem", 64 * 1024);
}

int CertRunner::gateRefused(const RunOptions& options, const crypto::GateError& e) {
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

int CertRunner::installIssued(const RunOptions& options, const api::OrderStatus& st) {
    std::string order = "order " + std::to_string(m_state.orderId);
    std::string keyLabel;
    auto keyPem = orderKey(keyLabel);
    if (!keyPem)
        return refuseAndSave(order + " is issued but there is no key for it (run certagent csr " +
                                 m_cert.name + " before ordering elsewhere)",
                             kExitRefused, options.dryRun);
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
        return gateRefused(options, e);
    }
    const auto& facts = cert.facts;
    auto live = m_ctx.store.liveMeta(m_cert.name);
    bool isLive = live && live->sha256 == facts.sha256;
    if (isLive && m_state.deployedSha256 == facts.sha256) {
        logger().information(m_prefix + order + ": serial " + facts.serialHex +
                             " is already deployed; nothing to do");
        return options.dryRun ? kExitOk : finishInstalled(facts.sha256, false);
    }
    if (live && !isLive && parseIsoUtc(live->notBefore).value_or(0) > toTime(facts.notBefore)) {
        if (!options.dryRun)
            m_state.phase = "failed";
        return refuseAndSave(order + ": certificate serial " + facts.serialHex +
                                 " is older than the deployed one; refusing the downgrade",
                             kExitRefused, options.dryRun);
    }
    if (options.dryRun) {
        logger().information(m_prefix + "dry run: " + order + " serial " + facts.serialHex +
                             " passed verification; would install it");
        return kExitOk;
    }
    store::VersionFiles files{*keyPem, cert.certPem, cert.chainPem, cert.fullchainPem,
                              metaOf(cert, m_state.orderId, *key)};
    wipe(*keyPem);
    // A stop request (systemd, Ctrl-C) waits until the new set is live and proven, or rolled
    // back, and the state says so.
    SignalGuard holdStop;
    return writeAndDeploy(files);
}

int CertRunner::writeAndDeploy(store::VersionFiles& files) {
    const auto& meta = files.meta;
    // Ask the server where the names are served before anything changes.
    std::unique_ptr<Installer> installer = makeInstaller();
    if (installer)
        installer->discover({m_cert.name, m_cert.domains,
                             m_ctx.store.liveDir(m_cert.name) + "/fullchain.pem",
                             m_ctx.store.liveDir(m_cert.name) + "/privkey.pem"});
    auto version = versionWithLeaf(m_ctx.store, m_cert.name, meta.sha256);
    if (!version)
        version = m_ctx.store.writeVersion(m_cert.name, files);
    wipe(files.privkeyPem);
    // What the server served before: the last deployed leaf (the live link may already point at
    // the new version if an earlier run was interrupted after the switch).
    std::string previousSha = m_state.deployedSha256;
    auto previousVersion = versionWithLeaf(m_ctx.store, m_cert.name, previousSha);
    if (!previousVersion && m_ctx.store.liveVersion(m_cert.name) != version)
        previousVersion = m_ctx.store.liveVersion(m_cert.name);
    m_state.phase = "issued";
    save();
    runHooks("pre", "");
    m_ctx.store.switchLive(m_cert.name, *version);
    logger().information(m_prefix + "live -> version " + std::to_string(*version) + " (serial " +
                         meta.serial + ", not after " + meta.notAfter + ")");
    int rc = deployVersion(installer.get(), meta.sha256, previousSha, previousVersion);
    if (rc != kExitOk) {
        refuseAndSave("deploy failed: " + m_state.lastError, rc);
        runHooks("failure", m_state.lastError);
        return rc;
    }
    rc = finishInstalled(meta.sha256, true);
    for (int removed : m_ctx.store.prune(m_cert.name))
        logger().debug(m_prefix + "pruned version " + std::to_string(removed));
    logger().information(m_prefix + "installed serial " + meta.serial);
    return rc;
}

int CertRunner::finishInstalled(const std::string& sha256, bool changed) {
    if (m_ctx.store.hasPendingKey(m_cert.name))
        m_ctx.store.removePendingKey(m_cert.name);
    cleanupValidation();
    m_state.phase = "installed";
    m_state.deployedSha256 = sha256;
    m_state.lastError.clear();
    m_state.attempts = 0;
    m_state.pendingSince.reset();
    if (changed) {
        m_state.lastSuccess = m_ctx.now();
        m_state.lastFullCheck = m_ctx.now();
    }
    save();
    if (!changed)
        return kExitOk; // the same certificate: no reload, no hooks
    int rc = kExitOk;
    try {
        runHooks("deploy", "");
    } catch (const RefusedError& e) {
        rc = kExitHookFailed;
        m_state.lastError = e.what();
        save();
        runHooks("failure", m_state.lastError);
    }
    runHooks("post", "");
    return rc;
}

} // namespace certagent::core
