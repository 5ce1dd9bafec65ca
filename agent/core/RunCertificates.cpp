#include "core/RunCertificates.h"

#include "core/CertRunner.h"
#include "core/IdleCheck.h"
#include "core/Metrics.h"
#include "core/RunSupport.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <map>

namespace certagent::core {

namespace {

using QuickMap = std::map<std::string, QuickStatus>;      ///< certificate name → status
using StateMap = std::map<std::string, store::CertState>; ///< states read by the prefetch

/// Whether a state asks for nothing on an idle run: no order in progress or failed, no backoff in
/// force, no redeploy pending.
bool quietState(const store::CertState& state, std::time_t now) {
    return (state.phase == store::Phase::Idle || state.phase == store::Phase::Installed) &&
           !(state.backoffUntil && *state.backoffUntil > now) && state.servedOther.empty();
}

/// What the batch prefetch found: the states it read (every state whose index entry could not
/// vouch for it; each is read once per run and handed on), which of the others are still quiet,
/// and one batch poll per backend with several pending orders (cron mode).
struct Prefetch {
    StateMap states;
    std::vector<bool> quiet; ///< per certificate: its index entry vouches for a quiet state
    QuickMap quick;
};

Prefetch prefetch(RunContext& ctx, const std::vector<RunCert>& certs, const store::Index& index,
                  std::time_t now, bool batch) {
    Prefetch out;
    out.quiet.resize(certs.size());
    std::map<std::string, std::map<std::string, std::string>> pending; // backend → id → name
    for (std::size_t i = 0; i < certs.size(); ++i) {
        const std::string& name = *certs[i].name;
        const store::IndexEntry* entry = index.find(name);
        if (entry && entry->quiet && recordable(ctx.store.stateStamp(name), now) == entry->state) {
            out.quiet[i] = true; // no order in progress: nothing to batch, nothing to read
            continue;
        }
        auto state = ctx.store.loadState(name);
        if (!state)
            continue;
        if (batch && CertRunner::pendingOrder(*state) &&
            !(state->backoffUntil && *state->backoffUntil > now))
            pending[state->order.backend][state->order.id] = name;
        out.states.emplace(name, std::move(*state));
    }
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
                    out.quick[it->second] = status;
        } catch (const ServiceError& e) {
            logger().warning(std::string("batch status: ") + e.what());
        }
    }
    return out;
}

/// How one certificate's full run ended: its exit code, its state and what it learned.
struct Outcome {
    int rc = kExitOk;
    store::CertState state;
    LiveRecord record;
};

Outcome runOne(RunContext& ctx, const config::CertConfig& cert, store::CertState state,
               IndexLink link, const RunOptions& options, const std::optional<QuickStatus>& quick) {
    Outcome out;
    try {
        CertRunner runner(ctx, cert, std::move(state), link);
        out.rc = runner.process(options, quick);
        out.state = runner.state();
        out.record = runner.record();
        return out;
    } catch (const Error& e) {
        out.rc = e.exitCode();
        logger().error(cert.name + ": " + e.what());
        out.state = ctx.store.loadState(cert.name).value_or(store::CertState{});
        if (!options.dryRun && out.rc != kExitLocalIo) {
            out.state.lastError = e.what();
            out.state.lastErrorAt = ctx.now();
            ctx.store.saveState(cert.name, out.state);
        }
    } catch (const std::exception& e) {
        // A bug for this certificate must not stop the others (exit 1 at the end).
        logger().error(cert.name + ": internal error: " + escapeForLog(e.what()));
        out.rc = kExitInternal;
    }
    return out;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ",") + n;
    return out;
}

/// Records a full run's findings in the certificate's index entry.
void remember(RunContext& ctx, const RunFacts& facts, store::Index& index,
              const config::CertConfig& cert, const Outcome& outcome) {
    store::IndexEntry& e = index.entry(cert.name);
    const store::IndexEntry before = e;
    const std::time_t now = facts.now;
    const LiveRecord& r = outcome.record;
    e.config = recordable(cert.stamp, now);
    e.domains = joined(cert.domains);
    e.installer = static_cast<std::uint8_t>(cert.installer);
    index.setDeployHook(cert.name, cert.deployHook);
    e.state = recordable(ctx.store.stateStamp(cert.name), now);
    e.phase = outcome.state.phase;
    e.lastSuccess = outcome.state.lastSuccess.value_or(0);
    e.lastFailure = outcome.state.lastFailure.value_or(0);
    const store::CertState& st = outcome.state;
    e.ariRenewAt = st.ariCertId.empty() ? 0 : st.ariChosen.value_or(0);
    e.quiet = quietState(outcome.state, now);
    e.notDue = r.decided && r.notDue;
    if (r.decided) {
        if (r.version != e.version) { // another version's facts: nothing of them holds
            e.version = r.version;
            e.verified = e.checked = e.probed = e.reread = 0;
            e.hasContent = false;
            e.files = 0;
            e.served = store::IndexEntry::kServedUnknown;
        }
        e.renewAt = r.renewAt;
        // Off the fast path when the CA's renewal information is to be asked again (ARI).
        if (st.ariNextCheck && e.renewAt != 0 && *st.ariNextCheck < e.renewAt)
            e.renewAt = *st.ariNextCheck;
        e.notBefore = r.notBefore;
        e.notAfter = r.notAfter;
        if (r.gateRan) {
            e.verified = r.verifiedNow ? now : 0;
            e.hasContent = r.verifiedNow;
            e.content = r.content;
            e.files = r.verifiedNow ? r.files : 0;
            e.reread = r.verifiedNow ? now : 0;
            e.chainNotAfter = r.chainNotAfter;
        }
        if (r.checkedNow && r.verifiedNow == r.gateRan)
            e.checked = now;
        if (r.probed) {
            e.probed = now;
            e.served =
                r.servedLive ? store::IndexEntry::kServedLive : store::IndexEntry::kServedOther;
        }
    }
    if (!outcome.state.servedOther.empty())
        e.served = store::IndexEntry::kServedOther;
    e.fresh = true;
    if (!sameEntry(before, e))
        index.touch();
}

CertMetrics metricsOf(const store::Store& store, const std::string& name,
                      const store::IndexEntry* e, int rc) {
    CertMetrics metrics;
    metrics.name = name;
    metrics.lastExit = rc;
    if (!e)
        return metrics;
    metrics.orderState = store::phaseName(e->phase);
    if (e->lastSuccess)
        metrics.lastSuccess = e->lastSuccess;
    if (e->lastFailure)
        metrics.lastFailure = e->lastFailure;
    if (e->ariRenewAt)
        metrics.ariRenewAt = e->ariRenewAt;
    if (e->version && e->notAfter)
        metrics.notAfter = e->notAfter;
    else if (auto meta = store.liveMeta(name)) // a run that ended before looking at it
        metrics.notAfter = parseIsoUtc(meta->notAfter);
    if (e->served != store::IndexEntry::kServedUnknown)
        metrics.servedMatchesLive = e->served == store::IndexEntry::kServedLive;
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

int runCertificates(RunContext& ctx, const std::vector<RunCert>& certs, const RunOptions& options,
                    store::Index* given, bool allCerts) {
    store::Index own;
    if (!given)
        own = store::Index::load(ctx.store.indexPath(),
                                 [](const std::string& w) { logger().warning(w); });
    store::Index& index = given ? *given : own;
    if (!options.wait)
        ctx.callsEndBy = std::chrono::steady_clock::now() + kCronCallBudget;
    const RunFacts facts = runFacts(ctx, index);
    // In a fleet every run looks at every certificate: a newer published version is in etcd,
    // not in any local stamp (the coordinator reads them all in one request).
    const bool inFleet = ctx.coordinator.inFleet();
    const bool fastPathAllowed = !options.force && !options.installOnly &&
                                 options.adoptOrder.empty() && !options.wait && !inFleet;
    if (inFleet) {
        std::vector<std::string> names;
        for (const auto& c : certs)
            names.push_back(*c.name);
        ctx.coordinator.beginRun(names);
    }
    Prefetch pre = prefetch(ctx, certs, index, facts.now, !options.wait);
    chooseRereads(index, facts.now);
    int worst = kExitOk;
    // The host's heartbeat in a fleet is built from the metrics rows.
    const bool wantMetrics = (!ctx.config.metricsTextfile.empty() || inFleet) && !options.dryRun;
    std::vector<CertMetrics> metrics;
    metrics.reserve(wantMetrics ? certs.size() : 0);
    for (std::size_t i = 0; i < certs.size(); ++i) {
        const std::string& name = *certs[i].name;
        store::IndexEntry* entry = index.find(name);
        if (fastPathAllowed && entry &&
            idleCheck(ctx, facts, index, *entry, certs[i].config == nullptr, pre.quiet[i])) {
            if (wantMetrics)
                metrics.push_back(metricsOf(ctx.store, name, entry, kExitOk));
            continue;
        }
        std::optional<config::CertConfig> read;
        const config::CertConfig* cert = certs[i].config;
        Outcome outcome;
        try {
            if (!cert)
                cert = &read.emplace(config::loadCertFile(ctx.config, name));
            store::CertState state;
            if (auto it = pre.states.find(name); it != pre.states.end())
                state = std::move(it->second);
            else
                state = ctx.store.loadState(name).value_or(store::CertState{});
            std::optional<QuickStatus> q;
            if (auto it = pre.quick.find(name); it != pre.quick.end())
                q = it->second;
            outcome = runOne(ctx, *cert, std::move(state), {&facts, &index, entry}, options, q);
        } catch (const ConfigError& e) { // a file changed since the load
            logger().error(name + ": " + e.what());
            outcome.rc = e.exitCode();
        }
        if (cert && !options.dryRun)
            remember(ctx, facts, index, *cert, outcome);
        if (wantMetrics) {
            metrics.push_back(metricsOf(ctx.store, name, index.find(name), outcome.rc));
            metrics.back().deployedSha256 = outcome.state.deployedSha256;
        }
        worst = worseExit(worst, outcome.rc);
    }
    if (options.dryRun)
        return worst; // writes nothing: no metrics, no index, no heartbeat
    worst = worseExit(worst, endFleetRun(ctx, metrics));
    if (!ctx.config.metricsTextfile.empty()) {
        try {
            writeMetrics(ctx.config.metricsTextfile, metrics, std::time(nullptr),
                         ctx.coordinator.up());
        } catch (const Error& e) {
            logger().warning(e.what());
        }
    }
    if (allCerts) {
        std::vector<std::string> names;
        for (const auto& c : certs)
            names.push_back(*c.name);
        index.retain(names);
    }
    recordRunFacts(facts, index);
    try {
        index.write(ctx.store.indexPath());
    } catch (const Error& e) {
        logger().warning(e.what() +
                         std::string(" (the index is a cache; the next run rebuilds it)"));
    }
    return worst;
}

std::vector<RunCert> runList(const config::Config& config) {
    std::vector<RunCert> out;
    out.reserve(config.certs.size() + config.deferred.size());
    auto parsed = config.certs.begin();
    auto deferred = config.deferred.begin();
    // Both lists are sorted: merge them into name order.
    while (parsed != config.certs.end() || deferred != config.deferred.end()) {
        if (deferred == config.deferred.end() ||
            (parsed != config.certs.end() && parsed->name < *deferred))
            out.push_back(RunCert{&parsed->name, &*parsed++});
        else
            out.push_back(RunCert{&*deferred++, nullptr});
    }
    return out;
}

int runCertificates(RunContext& ctx, const std::vector<const config::CertConfig*>& certs,
                    const RunOptions& options) {
    std::vector<RunCert> list;
    list.reserve(certs.size());
    for (const auto* cert : certs)
        list.push_back(RunCert{&cert->name, cert});
    return runCertificates(ctx, list, options);
}

} // namespace certagent::core
