#include "core/Installation.h"

#include "core/DcvPlacement.h"
#include "core/Deployer.h"
#include "core/InstallerFor.h"
#include "core/RunSupport.h"
#include "crypto/Gate.h"
#include "crypto/Keys.h"
#include "util/FaultPoint.h"
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

store::VersionMeta metaOf(const crypto::VerifiedCert& cert, const OrderRef& order,
                          const EVP_PKEY& key) {
    store::VersionMeta meta;
    meta.order = order;
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

void Installation::runHooks(const std::string& phase, const std::string& error) {
    HookEvent event = hookEventFor(m_job.ctx, m_job.cert, m_job.state.order.id, error);
    HookOutcome outcome = phase == "deploy"
                              ? m_job.ctx.hooks.runDeploy(event, m_job.cert.deployHook)
                              : m_job.ctx.hooks.run(phase, event);
    if (!outcome.ok()) {
        std::string message = phase + " hooks: " + outcome.firstError;
        logger().error(m_job.prefix + message);
        if (phase == "deploy")
            throw RefusedError(message);
    }
}

int Installation::deployVersion(Installer* installer, const std::string& sha256,
                                const std::string& previousSha,
                                std::optional<int> previousVersion) {
    if (!installer)
        return kExitOk;
    DeployStep step;
    step.newSha256 = sha256;
    step.previousSha256 = previousSha;
    step.switchBack = [this, previousVersion] {
        if (previousVersion)
            m_job.ctx.store.switchLive(m_job.cert.name, *previousVersion);
    };
    step.log = [this](const std::string& line) { logger().information(m_job.prefix + line); };
    DeployOutcome outcome = deploy(*installer, step);
    if (outcome.exitCode != kExitOk)
        m_job.state.lastError = outcome.error;
    return outcome.exitCode;
}

std::optional<std::string> Installation::orderKey(std::string& label) const {
    label = "pending/" + m_job.cert.name + "/privkey.pem";
    if (auto pem = m_job.ctx.store.readPendingKey(m_job.cert.name))
        return pem;
    // reuse_key, or an interrupted run that already removed the pending key after the switch
    label = "live/" + m_job.cert.name + "/privkey.pem";
    return readFileCapped(m_job.ctx.store.liveDir(m_job.cert.name) + "/privkey.pem", 64 * 1024);
}

int Installation::gateRefused(const RunOptions& options, const crypto::GateError& e) {
    bool defer = e.exitCode() == kExitTemporary;
    if (!options.dryRun && !defer) {
        DcvPlacement(m_job).cleanup();
        m_job.state.phase = store::Phase::Failed; // never loop into new orders on a mismatch
    }
    int rc = m_job.record(e.what(), e.exitCode());
    if (!options.dryRun) {
        m_job.save();
        if (!defer)
            runHooks("failure", e.what());
    }
    return rc;
}

crypto::VerifiedCert Installation::verifyChains(const EVP_PKEY& key,
                                                const std::vector<IssuedChain>& chains,
                                                const std::string& context) const {
    crypto::GateInput in;
    in.localKey = &key;
    in.names = m_job.cert.domains;
    in.trustCaFile = m_job.ctx.config.trustCaFileFor(m_job.cert);
    in.now = std::chrono::system_clock::from_time_t(m_job.ctx.now());
    in.context = context;
    for (size_t i = 0;; ++i) {
        in.crtCode = chains.at(i).leafPem;
        in.caCode = chains.at(i).chainPem;
        try {
            return crypto::verifyIssued(in);
        } catch (const crypto::GateError& e) {
            // An alternate chain may lead to another root; every other refusal is final.
            if (e.failure() != crypto::GateFailure::NoTrustedPath || i + 1 == chains.size())
                throw;
        }
    }
}

std::optional<int> Installation::againstLive(const RunOptions& options,
                                             const crypto::VerifiedCert& cert,
                                             const std::string& label, Source source) {
    const auto& facts = cert.facts;
    auto live = m_job.ctx.store.liveMeta(m_job.cert.name);
    bool isLive = live && live->sha256 == facts.sha256;
    if (isLive && m_job.state.deployedSha256 == facts.sha256) {
        logger().information(m_job.prefix + label + ": serial " + facts.serialHex +
                             " is already deployed; nothing to do");
        return options.dryRun ? kExitOk : finishInstalled(facts.sha256, false);
    }
    if (source != Source::RolledBack && live && !isLive &&
        parseIsoUtc(live->notBefore).value_or(0) > toTime(facts.notBefore)) {
        if (!options.dryRun && source == Source::Issued)
            m_job.state.phase = store::Phase::Failed;
        return m_job.recordAndSave(label + ": certificate serial " + facts.serialHex +
                                       " is older than the deployed one; refusing the downgrade",
                                   kExitRefused, options.dryRun);
    }
    if (options.dryRun) {
        logger().information(m_job.prefix + "dry run: " + label + " serial " + facts.serialHex +
                             " passed verification; would install it");
        return kExitOk;
    }
    return std::nullopt;
}

int Installation::installIssued(const RunOptions& options, const std::vector<IssuedChain>& chains) {
    std::string order = m_job.orderLabel();
    std::string keyLabel;
    auto keyPem = orderKey(keyLabel);
    if (!keyPem)
        return m_job.recordAndSave(order +
                                       " is issued but there is no key for it (run certagent "
                                       "csr " +
                                       m_job.cert.name + " before ordering elsewhere)",
                                   kExitRefused, options.dryRun);
    auto key = crypto::privateKeyFromPem(*keyPem, keyLabel);
    crypto::VerifiedCert cert;
    try {
        cert = verifyChains(*key, chains, order);
    } catch (const crypto::GateError& e) {
        return gateRefused(options, e);
    }
    if (auto settled = againstLive(options, cert, order, Source::Issued))
        return *settled;
    store::VersionFiles files{*keyPem, cert.certPem, cert.chainPem, cert.fullchainPem,
                              metaOf(cert, m_job.state.order, *key)};
    wipe(*keyPem);
    // In a fleet the verified set becomes everyone's first (fenced: a run that lost the lock
    // publishes and deploys nothing); the order is done, so the lock goes back.
    Coordinator& fleet = m_job.ctx.coordinator;
    fleet.publish(m_job.fleet, files);
    if (m_job.leading && fleet.inFleet()) {
        m_job.leading = false;
        fleet.release(m_job.fleet);
    }
    faultPoint("cluster.after-publish");
    // A stop request (systemd, Ctrl-C) waits until the new set is live and proven, or rolled
    // back, and the state says so.
    SignalGuard holdStop;
    return writeAndDeploy(files);
}

int Installation::installPublished(const RunOptions& options, PublishedSet& set) {
    std::string label = "published version " + std::to_string(set.version);
    auto key = crypto::privateKeyFromPem(set.keyPem.reveal(), label + " (key)");
    crypto::VerifiedCert cert;
    try {
        cert = verifyChains(*key, {IssuedChain{set.certPem, set.chainPem}}, label);
    } catch (const crypto::GateError& e) {
        int rc = m_job.record(e.what(), e.exitCode());
        if (!options.dryRun) {
            m_job.save();
            runHooks("failure", e.what());
        }
        return rc;
    }
    if (auto settled = againstLive(options, cert, label,
                                   set.rollback ? Source::RolledBack : Source::Published))
        return *settled;
    logger().information(m_job.prefix + "pulling " + label + " (serial " + cert.facts.serialHex +
                         ") from the fleet");
    store::VersionFiles files{set.keyPem.reveal(), cert.certPem, cert.chainPem, cert.fullchainPem,
                              metaOf(cert, set.order, *key)};
    m_job.state.order = set.order;
    SignalGuard holdStop;
    return writeAndDeploy(files);
}

int Installation::writeAndDeploy(store::VersionFiles& files) {
    const auto& meta = files.meta;
    // Ask the server where the names are served before anything changes.
    std::unique_ptr<Installer> installer = makeInstallerFor(m_job.ctx, m_job.cert);
    if (installer)
        installer->discover(deployTargetFor(m_job.ctx, m_job.cert));
    auto version = versionWithLeaf(m_job.ctx.store, m_job.cert.name, meta.sha256);
    if (!version)
        version = m_job.ctx.store.writeVersion(m_job.cert.name, files);
    wipe(files.privkeyPem);
    // What the server served before: the last deployed leaf (the live link may already point at
    // the new version if an earlier run was interrupted after the switch).
    std::string previousSha = m_job.state.deployedSha256;
    auto previousVersion = versionWithLeaf(m_job.ctx.store, m_job.cert.name, previousSha);
    if (!previousVersion && m_job.ctx.store.liveVersion(m_job.cert.name) != version)
        previousVersion = m_job.ctx.store.liveVersion(m_job.cert.name);
    m_job.state.phase = store::Phase::Issued;
    m_job.save();
    runHooks("pre", "");
    m_job.ctx.store.switchLive(m_job.cert.name, *version);
    faultPoint("cluster.mid-deploy");
    logger().information(m_job.prefix + "live -> version " + std::to_string(*version) +
                         " (serial " + meta.serial + ", not after " + meta.notAfter + ")");
    int rc = deployVersion(installer.get(), meta.sha256, previousSha, previousVersion);
    if (rc != kExitOk) {
        m_job.recordAndSave("deploy failed: " + m_job.state.lastError, rc);
        runHooks("failure", m_job.state.lastError);
        return rc;
    }
    rc = finishInstalled(meta.sha256, true);
    for (int removed : m_job.ctx.store.prune(m_job.cert.name))
        logger().debug(m_job.prefix + "pruned version " + std::to_string(removed));
    logger().information(m_job.prefix + "installed serial " + meta.serial);
    return rc;
}

int Installation::finishInstalled(const std::string& sha256, bool changed) {
    if (m_job.ctx.store.hasPendingKey(m_job.cert.name))
        m_job.ctx.store.removePendingKey(m_job.cert.name);
    // One save for both (issue 13: five state writes per issuance, not six).
    DcvPlacement(m_job).cleanup(DcvPlacement::Save::ByCaller);
    m_job.state.phase = store::Phase::Installed;
    m_job.state.deployedSha256 = sha256;
    m_job.state.servedOther.clear();
    m_job.state.lastError.clear();
    m_job.state.attempts = 0;
    m_job.state.pendingSince.reset();
    if (changed) {
        m_job.state.lastSuccess = m_job.ctx.now();
        // The CA's renewal window was for the certificate just replaced.
        m_job.state.ariCertId.clear();
        m_job.state.ariWindowStart.reset();
        m_job.state.ariWindowEnd.reset();
        m_job.state.ariChosen.reset();
        m_job.state.ariNextCheck.reset();
    }
    m_job.save();
    if (!changed)
        return kExitOk; // the same certificate: no reload, no hooks
    int rc = kExitOk;
    try {
        runHooks("deploy", "");
    } catch (const RefusedError& e) {
        rc = kExitHookFailed;
        m_job.state.lastError = e.what();
        m_job.save();
        runHooks("failure", m_job.state.lastError);
    }
    runHooks("post", "");
    return rc;
}

} // namespace certagent::core
