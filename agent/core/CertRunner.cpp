#include "core/CertRunner.h"

#include "core/FleetSteps.h"
#include "core/Ordering.h"
#include "core/Polling.h"
#include "core/Recovery.h"
#include "core/RunSupport.h"
#include "util/FileIo.h"
#include "util/IsoTime.h"

namespace certagent::core {

namespace {

constexpr std::time_t kFullCheckEvery = 86400;
constexpr std::time_t kNoHintRecheck = 86400;    ///< the CA offers no renewal information
constexpr std::time_t kHintErrorRecheck = 21600; ///< RFC 9773 §4.3.3: 6 hours after an error

} // namespace

CertRunner::CertRunner(RunContext& context, const config::CertConfig& cert)
    : m_job(context, cert) {}

bool CertRunner::pendingOrder(const store::CertState& state) {
    return (state.phase == store::Phase::Validating || state.phase == store::Phase::Issued) &&
           !state.order.empty();
}

RenewalDecision CertRunner::decide(bool fullCheck) {
    RunContext& ctx = m_job.ctx;
    const auto& cert = m_job.cert;
    RenewalInput in;
    in.configuredNames = cert.domains;
    in.configuredKeyType = cert.keyType;
    in.before = ctx.config.renewBefore;
    in.now = ctx.now();
    auto meta = ctx.store.liveMeta(cert.name);
    if (meta) {
        LiveInfo live;
        live.names = meta->names;
        live.keyType = meta->keyType;
        live.notBefore = parseIsoUtc(meta->notBefore).value_or(0);
        live.notAfter = parseIsoUtc(meta->notAfter).value_or(0);
        bool due = m_job.state.lastFullCheck.value_or(0) + kFullCheckEvery <= in.now;
        if (fullCheck || due || !ctx.store.liveFilesUnchanged(cert.name)) {
            auto check = inspectLiveFiles(ctx.store, ctx.config, cert, in.now);
            live.filesOk = check.ok;
            live.expired = !check.ok && check.failure == crypto::GateFailure::Expired;
            live.failure = check.message;
            if (check.hasFacts) {
                live.notBefore = std::chrono::system_clock::to_time_t(check.facts.notBefore);
                live.notAfter = std::chrono::system_clock::to_time_t(check.facts.notAfter);
                live.names = check.facts.names;
            }
            if (check.ok)
                m_job.state.lastFullCheck = in.now;
        }
        in.live = live;
        if (!m_job.state.ariCertId.empty())
            in.caSuggestsAt = m_job.state.ariChosen;
    }
    return decideRenewal(in);
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
        refreshRenewalHint(options);
        auto checked = state.lastFullCheck;
        d = decide(false);
        // Idle runs write nothing, except the date of the daily full check.
        if (state.lastFullCheck != checked)
            m_job.save();
    }
    if (!d.due) {
        logger().debug(m_job.prefix + "not due: " + d.reason);
        if (d.expiryBased)
            logger().warning(m_job.prefix + d.reason);
        return kExitOk;
    }
    return lead(options, quick,
                [&] { return Ordering(m_job).start(options, d.reason, d.expiryBased); });
}

} // namespace certagent::core
