#include "core/RunCertificates.h"

#include "core/CertRunner.h"
#include "core/Metrics.h"
#include "core/RunSupport.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <map>

namespace certagent::core {

namespace {

using QuickMap = std::map<std::string, QuickStatus>; ///< certificate name → status

/// One batch poll per backend with several pending orders (cron mode); empty on failure (each
/// certificate then polls on its own).
QuickMap prefetch(RunContext& ctx, const std::vector<const config::CertConfig*>& certs) {
    std::map<std::string, std::map<std::string, std::string>> pending; // backend → id → name
    std::time_t now = ctx.now();
    for (const auto* cert : certs) {
        auto state = ctx.store.loadState(cert->name);
        if (state && CertRunner::pendingOrder(*state) &&
            !(state->backoffUntil && *state->backoffUntil > now))
            pending[state->order.backend][state->order.id] = cert->name;
    }
    QuickMap out;
    for (const auto& [kind, orders] : pending) {
        if (orders.size() < 2)
            continue;
        std::vector<OrderRef> refs;
        for (const auto& [id, name] : orders)
            refs.push_back(OrderRef{kind, id});
        try {
            CaBackend& backend = ctx.backends.named(kind);
            backend.setDeadline(ctx.callsEndBy);
            for (const auto& [id, status] : backend.quickStatuses(refs))
                if (auto it = orders.find(id); it != orders.end())
                    out[it->second] = status;
        } catch (const ServiceError& e) {
            logger().warning(std::string("batch status: ") + e.what());
        }
    }
    return out;
}

int runOne(RunContext& ctx, const config::CertConfig& cert, const RunOptions& options,
           const std::optional<QuickStatus>& quick) {
    try {
        CertRunner runner(ctx, cert);
        return runner.process(options, quick);
    } catch (const Error& e) {
        int rc = e.exitCode();
        logger().error(cert.name + ": " + e.what());
        if (!options.dryRun && rc != kExitLocalIo) {
            auto state = ctx.store.loadState(cert.name).value_or(store::CertState{});
            state.lastError = e.what();
            state.lastErrorAt = ctx.now();
            ctx.store.saveState(cert.name, state);
        }
        return rc;
    } catch (const std::exception& e) {
        // A bug for this certificate must not stop the others (exit 1 at the end).
        logger().error(cert.name + ": internal error: " + escapeForLog(e.what()));
        return kExitInternal;
    }
}

CertMetrics metricsOf(RunContext& ctx, const config::CertConfig& cert, int rc) {
    auto state = ctx.store.loadState(cert.name).value_or(store::CertState{});
    CertMetrics metrics;
    metrics.name = cert.name;
    metrics.orderState = store::phaseName(state.phase);
    metrics.lastExit = rc;
    metrics.lastSuccess = state.lastSuccess;
    metrics.lastFailure = state.lastFailure;
    if (!state.ariCertId.empty())
        metrics.ariRenewAt = state.ariChosen;
    if (auto meta = ctx.store.liveMeta(cert.name))
        metrics.notAfter = parseIsoUtc(meta->notAfter);
    metrics.deployedSha256 = state.deployedSha256;
    return metrics;
}

/// In a fleet: the host's heartbeat, and what the fleet says about each certificate.
int endFleetRun(RunContext& ctx, std::vector<CertMetrics>& metrics) {
    if (!ctx.coordinator.inFleet())
        return kExitOk;
    std::vector<HostReport> report;
    for (const auto& m : metrics)
        report.push_back({m.name, m.lastExit, m.deployedSha256});
    int rc = ctx.coordinator.endRun(report);
    for (auto& m : metrics) {
        if (auto facts = ctx.coordinator.facts(m.name)) {
            m.clusterBehind = facts->behind;
            m.orderHolder = facts->holder;
        }
    }
    return rc;
}

} // namespace

int runCertificates(RunContext& ctx, const std::vector<const config::CertConfig*>& certs,
                    const RunOptions& options) {
    if (!options.wait)
        ctx.callsEndBy = std::chrono::steady_clock::now() + kCronCallBudget;
    std::vector<std::string> names;
    for (const auto* cert : certs)
        names.push_back(cert->name);
    ctx.coordinator.beginRun(names);
    QuickMap quick = options.wait ? QuickMap{} : prefetch(ctx, certs);
    int worst = kExitOk;
    std::vector<CertMetrics> metrics;
    for (const auto* cert : certs) {
        std::optional<QuickStatus> q;
        if (auto it = quick.find(cert->name); it != quick.end())
            q = it->second;
        int rc = runOne(ctx, *cert, options, q);
        metrics.push_back(metricsOf(ctx, *cert, rc));
        worst = worseExit(worst, rc);
    }
    worst = worseExit(worst, endFleetRun(ctx, metrics));
    if (!options.dryRun && !ctx.config.metricsTextfile.empty()) {
        try {
            writeMetrics(ctx.config.metricsTextfile, metrics, std::time(nullptr),
                         ctx.coordinator.up());
        } catch (const Error& e) {
            logger().warning(e.what());
        }
    }
    return worst;
}

} // namespace certagent::core
