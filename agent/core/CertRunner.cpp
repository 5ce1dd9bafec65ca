#include "core/CertRunner.h"

#include "core/Drift.h"
#include "core/FleetSteps.h"
#include "core/Ordering.h"
#include "core/Polling.h"
#include "core/Recovery.h"
#include "core/RunSupport.h"
#include "util/FileIo.h"
#include "util/IsoTime.h"

namespace certagent::core {

namespace {

constexpr std::time_t kNoHintRecheck = 86400;    ///< the CA offers no renewal information
constexpr std::time_t kHintErrorRecheck = 21600; ///< RFC 9773 §4.3.3: 6 hours after an error

} // namespace

CertRunner::CertRunner(RunContext& context, const config::CertConfig& cert)
    : m_job(context, cert) {}

CertRunner::CertRunner(RunContext& context, const config::CertConfig& cert, store::CertState state,
                       IndexLink link)
    : m_job(context, cert, std::move(state)), m_link(link) {}

bool CertRunner::pendingOrder(const store::CertState& state) {
    return (state.phase == store::Phase::Validating || state.phase == store::Phase::Issued) &&
           !state.order.empty();
}

bool CertRunner::verdictStillHolds(int version) {
    if (!m_link.entry || !m_link.facts || !m_link.index)
        return false;
    store::IndexEntry& entry = *m_link.entry;
    if (!verdictHolds(*m_link.facts, entry, version))
        return false;
    LiveNow now = liveNow(m_job.ctx.store, m_job.cert.name, m_link.facts->now);
    return liveContentSame(m_job.ctx.store, *m_link.index, entry, now, m_link.facts->now);
}

void CertRunner::lookAtLiveFiles(LiveInfo& live, int version, std::time_t now) {
    RunContext& ctx = m_job.ctx;
    // Stamps before the read: a write after it shows as a change on the next run.
    LiveNow before = liveNow(ctx.store, m_job.cert.name, now);
    ContentDigest content{};
    auto check = inspectLiveFiles(ctx.store, ctx.config, m_job.cert, now, &content);
    live.filesOk = check.ok;
    live.expired = !check.ok && check.failure == crypto::GateFailure::Expired;
    live.failure = check.message;
    if (check.hasFacts) {
        live.notBefore = std::chrono::system_clock::to_time_t(check.facts.notBefore);
        live.notAfter = std::chrono::system_clock::to_time_t(check.facts.notAfter);
        live.names = check.facts.names;
    }
    m_record.gateRan = true;
    m_record.checkedNow = true;
    if (!check.ok)
        return;
    m_record.verifiedNow = true;
    m_record.files = before.version == version ? before.files : 0;
    m_record.content = content;
    m_record.chainNotAfter = std::chrono::system_clock::to_time_t(check.chainNotAfter);
}

RenewalDecision CertRunner::decide(bool fullCheck) {
    RunContext& ctx = m_job.ctx;
    const auto& cert = m_job.cert;
    RenewalInput in;
    in.configuredNames = cert.domains;
    in.configuredKeyType = cert.keyType;
    in.before = ctx.config.renewBefore;
    in.now = ctx.now();
    m_record = LiveRecord{};
    auto version = ctx.store.liveVersion(cert.name);
    auto meta = version ? ctx.store.versionMeta(cert.name, *version) : std::nullopt;
    if (meta) {
        LiveInfo live;
        live.names = meta->names;
        live.keyType = meta->keyType;
        live.notBefore = parseIsoUtc(meta->notBefore).value_or(0);
        live.notAfter = parseIsoUtc(meta->notAfter).value_or(0);
        m_record.version = *version;
        m_record.sha256 = meta->sha256;
        bool daily = !m_link.entry || dailyDue(*m_link.entry, in.now);
        m_record.dailyNow = daily || fullCheck;
        if (fullCheck || !verdictStillHolds(*version))
            lookAtLiveFiles(live, *version, in.now);
        else
            m_record.checkedNow = daily; // the verdict holds: the daily check is the probe
        in.live = live;
        if (!m_job.state.ariCertId.empty())
            in.caSuggestsAt = m_job.state.ariChosen;
    }
    RenewalDecision d = decideRenewal(in);
    m_record.decided = true;
    m_record.notDue = !d.due;
    m_record.renewAt = d.renewAt;
    if (in.live) {
        m_record.notBefore = in.live->notBefore;
        m_record.notAfter = in.live->notAfter;
    }
    return d;
}

int CertRunner::adopt(const RunOptions& options) {
    OrderRef order =
        orderFor(OrderPurpose::Follow, options.adoptOrder, m_job.state, m_job.backend, m_job.cert);
    if (m_job.state.order != order || !pendingOrder(m_job.state)) {
        m_job.state.order = order;
        m_job.state.phase = store::Phase::Validating;
        m_job.state.pendingSince = m_job.ctx.now();
        logger().information(m_job.prefix + "adopting " + m_job.orderLabel());
        m_job.save();
    }
    return Polling(m_job).pollAndAdvance(options, {});
}

int CertRunner::installOnly(const RunOptions& options) {
    OrderRef order = orderFor(OrderPurpose::Follow, "", m_job.state, m_job.backend, m_job.cert);
    if (order.empty())
        throw ConfigError(m_job.prefix + "no order to install (use " + m_job.backend.adoptOption() +
                          ")");
    m_job.state.order = order;
    m_job.state.phase = store::Phase::Validating;
    return Polling(m_job).pollAndAdvance(options, {});
}

int CertRunner::interrupted() {
    logger().error(m_job.prefix + "an order request sent at " +
                   formatIsoUtc(m_job.state.pendingSince.value_or(0)) + " got no clear answer; " +
                   m_job.backend.unclearPlacementAdvice() + " or run certagent issue " +
                   m_job.cert.name);
    return kExitRefused;
}

int CertRunner::reconcile(const RunOptions& options) {
    if (options.dryRun) {
        logger().information(m_job.prefix + "dry run: would look for the order of an interrupted "
                                            "run at the CA");
        return kExitOk;
    }
    Reconciled found;
    try {
        found = m_job.backend.findPlaced(m_job.state.order, m_job.orderContext());
    } catch (const ServiceError& e) {
        return m_job.serviceFailure(e);
    }
    switch (found.outcome) {
    case Reconciled::Outcome::Found:
        logger().information(m_job.prefix +
                             "the order request of an interrupted run reached the "
                             "CA: going on with " +
                             m_job.backend.describe(found.order));
        m_job.state.order = found.order;
        m_job.state.phase = store::Phase::Validating;
        m_job.save();
        return Polling(m_job).pollAndAdvance(options, {});
    case Reconciled::Outcome::NotFound:
        logger().information(m_job.prefix + "the order request of an interrupted run never reached "
                                            "the CA; sending it again with the same key");
        return Ordering(m_job).start(options, "interrupted order", false, true);
    case Reconciled::Outcome::Unknown:
        break;
    }
    return interrupted();
}

int CertRunner::lead(const RunOptions& options, const std::optional<QuickStatus>& quick,
                     const std::function<int()>& step) {
    if (m_job.leading || !m_job.ctx.coordinator.inFleet())
        return step();
    if (auto following = FleetSteps(m_job).lead(options))
        return *following;
    LeadHold hold(m_job);
    return process(options, quick); // decide again on what the lock holder sees now
}

void CertRunner::refreshRenewalHint(const RunOptions& options) {
    auto& state = m_job.state;
    std::time_t now = m_job.ctx.now();
    if (options.dryRun || (state.ariNextCheck && *state.ariNextCheck > now) ||
        !m_job.backend.offersRenewalHints(m_job.cert))
        return;
    auto leaf = readFileCapped(m_job.ctx.store.liveDir(m_job.cert.name) + "/cert.pem", 1024 * 1024);
    if (!leaf)
        return; // nothing live: nothing to ask about
    try {
        auto hint = m_job.backend.renewalHint(m_job.cert, *leaf, now);
        if (!hint) {
            state.ariNextCheck = now + kNoHintRecheck;
        } else {
            bool same = hint->certId == state.ariCertId && state.ariChosen &&
                        state.ariWindowStart == hint->windowStart &&
                        state.ariWindowEnd == hint->windowEnd;
            // A time chosen once stays while the window does, so cron runs do not re-roll it.
            if (!same)
                state.ariChosen = hint->chosen;
            state.ariCertId = hint->certId;
            state.ariWindowStart = hint->windowStart;
            state.ariWindowEnd = hint->windowEnd;
            state.ariNextCheck = hint->nextCheck;
            logger().information(
                m_job.prefix +
                "renewal window suggested by the CA: " + formatIsoUtc(hint->windowStart) + " to " +
                formatIsoUtc(hint->windowEnd) + ", chosen " + formatIsoUtc(*state.ariChosen));
        }
    } catch (const ServiceError& e) {
        logger().warning(m_job.prefix + "renewal information: " + e.what());
        state.ariNextCheck = now + kHintErrorRecheck;
    }
    m_job.save();
}

int CertRunner::process(const RunOptions& options, const std::optional<QuickStatus>& quick) {
    m_job.dryRun = options.dryRun;
    if (auto pulled = FleetSteps(m_job).pull(options))
        return *pulled;
    std::time_t now = m_job.ctx.now();
    const auto& state = m_job.state;
    // Every call to the CA ends within the time left of --wait, or the cron run's budget.
    m_job.backend.setDeadline(options.wait ? std::chrono::steady_clock::now() + *options.wait
                                           : m_job.ctx.callsEndBy);
    Recovery recovery(m_job);
    recovery.restoreLiveLink(options.dryRun);
    if (!options.adoptOrder.empty())
        return lead(options, quick, [&] { return adopt(options); });
    if (!options.force && state.backoffUntil && *state.backoffUntil > now) {
        logger().notice(m_job.prefix + "backing off after API failures until " +
                        formatIsoUtc(*state.backoffUntil) + " (last: " + state.lastError + ")");
        return kExitOk;
    }
    if (state.phase == store::Phase::Failed && !options.force) {
        logger().error(m_job.prefix + "needs attention: " + state.lastError +
                       " (to start over: certagent issue " + m_job.cert.name + ")");
        return kExitRefused;
    }
    RenewalDecision d;
    if (state.phase == store::Phase::Ordering && m_job.ctx.coordinator.inFleet())
        return lead(options, quick, [&] { return reconcile(options); });
    if (state.phase == store::Phase::Ordering) {
        auto rc = recovery.settlePlacement(options, d.reason);
        if (rc && !m_job.abandoned)
            return *rc;
        if (!rc && !options.installOnly) // `install` never places an order
            return Ordering(m_job).start(options, d.reason, false);
    }
    if (pendingOrder(state)) {
        // Under the fleet lock taken here, process() ran again and settled everything itself.
        bool direct = m_job.leading || !m_job.ctx.coordinator.inFleet();
        int rc =
            lead(options, quick, [&] { return Polling(m_job).pollAndAdvance(options, quick); });
        if (!direct || !m_job.abandoned)
            return rc;
    }
    if (options.installOnly)
        return lead(options, quick, [&] { return installOnly(options); });
    if (options.force || m_job.abandoned) {
        d.due = true;
        d.reason = m_job.abandoned ? "the configuration changed" : "requested";
    } else {
        refreshRenewalHint(options); // writes state only when the CA was asked (ARI)
        d = decide(false);           // writes nothing: check times go to the index
    }
    if (!d.due)
        return notDue(d, options);
    return lead(options, quick,
                [&] { return Ordering(m_job).start(options, d.reason, d.expiryBased); });
}

int CertRunner::notDue(const RenewalDecision& d, const RunOptions& options) {
    logger().debug(m_job.prefix + "not due: " + d.reason);
    if (d.expiryBased)
        logger().warning(m_job.prefix + d.reason);
    if (m_record.version == 0 || m_job.cert.installer == config::InstallerKind::None ||
        options.dryRun || !m_link.index)
        return kExitOk;
    Drift drift(m_job);
    if (!m_job.state.servedOther.empty())
        return drift.redeploy(m_record.sha256);
    // Only on the daily slice (a gate re-run for a fresh stamp is not one): what is served?
    if (m_record.dailyNow) {
        m_record.probed = true;
        m_record.servedLive = drift.probe(m_record.sha256);
    }
    return kExitOk;
}

} // namespace certagent::core
