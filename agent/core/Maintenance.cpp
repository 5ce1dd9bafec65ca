#include "core/Maintenance.h"

#include "core/CertRunner.h"
#include "core/Deployer.h"
#include "core/Discovery.h"
#include "core/InstallerFor.h"
#include "core/PendingKey.h"
#include "core/RunSupport.h"
#include "util/IsoTime.h"

namespace certagent::core {

namespace {

/// The hook facts of the live version; RefusedError when nothing is live.
HookEvent liveEvent(RunContext& ctx, const config::CertConfig& cert) {
    auto meta = ctx.store.liveMeta(cert.name);
    if (!meta)
        throw RefusedError(cert.name + ": nothing is live yet");
    return hookEventFor(ctx, cert, meta->order.id);
}

int deployHooks(RunContext& ctx, const config::CertConfig& cert) {
    auto outcome = ctx.hooks.runDeploy(liveEvent(ctx, cert), cert.deployHook);
    if (outcome.ok())
        return kExitOk;
    logger().error(cert.name + ": deploy hooks: " + outcome.firstError);
    return kExitHookFailed;
}

} // namespace

int rollbackCertificate(RunContext& ctx, const config::CertConfig& cert) {
    auto current = ctx.store.liveVersion(cert.name);
    auto currentMeta = ctx.store.liveMeta(cert.name);
    if (!current || !currentMeta)
        throw RefusedError(cert.name + ": nothing is live, nothing to roll back");
    std::unique_ptr<Installer> installer = makeInstallerFor(ctx, cert);
    if (installer)
        installer->discover(deployTargetFor(ctx, cert));
    int previous = ctx.store.rollback(cert.name);
    auto meta = ctx.store.versionMeta(cert.name, previous);
    logger().information(cert.name + ": live -> version " + std::to_string(previous) + " (was " +
                         std::to_string(*current) + ")");
    int rc = kExitOk;
    if (installer) {
        DeployStep step;
        step.newSha256 = meta ? meta->sha256 : "";
        step.previousSha256 = currentMeta->sha256;
        step.switchBack = [&] { ctx.store.switchLive(cert.name, *current); };
        step.log = [&](const std::string& line) { logger().information(cert.name + ": " + line); };
        auto outcome = deploy(*installer, step);
        rc = outcome.exitCode;
        if (rc != kExitOk)
            logger().error(cert.name + ": rollback deploy failed: " + outcome.error);
    }
    if (rc != kExitOk)
        return rc;
    auto state = ctx.store.loadState(cert.name).value_or(store::CertState{});
    state.deployedSha256 = meta ? meta->sha256 : "";
    state.lastError.clear();
    ctx.store.saveState(cert.name, state);
    return deployHooks(ctx, cert);
}

int verifyCertificate(RunContext& ctx, const config::CertConfig& cert) {
    auto check = inspectLiveFiles(ctx.store, ctx.config, cert, ctx.now());
    if (!check.ok) {
        logger().error(cert.name + ": live files FAIL: " + check.message);
        return kExitRefused;
    }
    logger().information(cert.name + ": live files ok, serial " + check.facts.serialHex +
                         ", not after " +
                         formatIsoUtc(std::chrono::system_clock::to_time_t(check.facts.notAfter)));
    try {
        std::unique_ptr<Installer> installer = makeInstallerFor(ctx, cert);
        if (!installer)
            return kExitOk;
        installer->discover(deployTargetFor(ctx, cert));
        auto reportPlacements = [&] { // which block serves each name, and why
            for (const ServedName& served : installer->placements())
                logger().information(cert.name + ": " + servedLine(served));
        };
        try {
            installer->probe(check.facts.sha256);
        } catch (const Error&) {
            reportPlacements();
            throw;
        }
        logger().information(cert.name + ": " + config::installerName(cert.installer) +
                             " serves the live certificate");
        reportPlacements();
    } catch (const Error& e) {
        logger().error(cert.name + ": " + e.what());
        return e.exitCode() == kExitUsage ? kExitUsage : kExitRefused;
    }
    return kExitOk;
}

std::string newPendingCsr(RunContext& ctx, const config::CertConfig& cert) {
    auto state = ctx.store.loadState(cert.name);
    if (state && (CertRunner::pendingOrder(*state) || state->phase == store::Phase::Ordering))
        throw RefusedError(cert.name + ": " + ctx.backends.of(cert).describe(state->order) +
                           " is in progress with the key in " +
                           ctx.store.pendingKeyPath(cert.name) + "; not replacing it");
    std::string csrPem = writePendingKeyAndCsr(ctx.store, cert, false);
    logger().information(cert.name + ": new " + cert.keyType + " key in " +
                         ctx.store.pendingKeyPath(cert.name) + ", CSR in " +
                         pendingCsrPath(ctx.store, cert.name));
    return csrPem;
}

int testHooks(RunContext& ctx, const config::CertConfig& cert) {
    auto outcome = ctx.hooks.runDeploy(liveEvent(ctx, cert), cert.deployHook);
    logger().information(cert.name + ": " + std::to_string(outcome.ran) + " hook(s) ran, " +
                         std::to_string(outcome.failures) + " failed");
    if (!outcome.ok()) {
        logger().error(cert.name + ": " + outcome.firstError);
        return kExitHookFailed;
    }
    return kExitOk;
}

} // namespace certagent::core
