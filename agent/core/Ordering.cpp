#include "core/Ordering.h"

#include "core/DcvPlacement.h"
#include "core/PendingKey.h"
#include "core/Polling.h"
#include "core/RunSupport.h"
#include "util/FaultPoint.h"
#include "util/IsoTime.h"
#include "util/Text.h"

namespace certagent::core {

int Ordering::start(const RunOptions& options, const std::string& reason, bool expiryBased,
                    bool keepKey) {
    logger().information(m_job.prefix + "due: " + reason);
    PlanInput input{m_job.cert, m_job.state, {}, expiryBased, std::nullopt, m_job.ctx.now()};
    input.existing = orderFor(OrderPurpose::Renew, "", m_job.state, m_job.backend, m_job.cert);
    if (auto live = m_job.ctx.store.liveMeta(m_job.cert.name))
        input.liveNotAfter = parseIsoUtc(live->notAfter).value_or(0);
    Plan plan;
    try {
        plan = m_job.backend.plan(input);
    } catch (const ServiceError& e) {
        return m_job.serviceFailure(e);
    }
    if (!plan.note.empty())
        logger().information(m_job.prefix + plan.note);
    switch (plan.action) {
    case Plan::Action::Stop:
        if (!plan.record) {
            logger().warning(m_job.prefix + plan.message);
            return plan.exitCode;
        }
        return m_job.recordAndSave(plan.message, plan.exitCode, options.dryRun);
    case Plan::Action::Follow:
        return followOrder(options, plan);
    case Plan::Action::Place:
        break;
    }
    try {
        // Before money is spent: where the validation files will go must be fit to write to.
        DcvPlacement(m_job).checkWebroots();
    } catch (const Error& e) {
        return m_job.recordAndSave(e.what(), e.exitCode(), options.dryRun);
    }
    if (options.dryRun) {
        logger().information(
            m_job.prefix + "dry run: would place a " + plan.what +
            (plan.existing.empty() ? "" : " for " + m_job.backend.describe(plan.existing)));
        return kExitOk;
    }
    return placeOrder(options, plan, keepKey);
}

int Ordering::followOrder(const RunOptions& options, const Plan& plan) {
    logger().information(m_job.prefix + plan.message);
    m_job.state.order = plan.existing;
    m_job.state.phase = store::Phase::Validating;
    m_job.save();
    return Polling(m_job).pollAndAdvance(options, {});
}

int Ordering::placeOrder(const RunOptions& options, const Plan& plan, bool keepKey) {
    auto& state = m_job.state;
    // The key never leaves the host (a fleet shares it sealed) and is on disk before the order
    // is sent.
    if (!keepKey || !m_job.ctx.store.hasPendingKey(m_job.cert.name))
        writePendingKeyAndCsr(m_job.ctx.store, m_job.cert);
    store::Phase previousPhase = state.phase;
    // Saved before the CA is called: a run stopped while the request is in flight leaves what
    // the next run needs to settle it with the CA (Recovery::settlePlacement; in a fleet
    // CertRunner::reconcile).
    state.phase = store::Phase::Ordering;
    state.placing = plan.what;
    state.order = plan.existing;
    state.attempts++;
    state.pendingSince = m_job.ctx.now();
    state.lastStatus.clear();
    m_job.challenges.clear();
    m_job.checkRequested = false;
    m_job.save(); // in a fleet: the intent record (CSR and sealed key), before anything is sent
    faultPoint("core.place.before");
    faultPoint("cluster.after-intent");
    m_job.ctx.coordinator.ensureLeader(m_job.fleet);
    std::pair<OrderRef, OrderView> placed;
    try {
        placed = m_job.backend.place(plan, m_job.orderContext());
    } catch (const ServiceError& e) {
        if (!e.maybeProcessed()) { // it surely did not reach the CA: as if never sent
            state.phase = previousPhase;
            state.placing.clear();
        }
        return m_job.serviceFailure(e);
    }
    faultPoint("order.after-send");
    auto& [order, view] = placed;
    state.placing.clear();
    state.order = order;
    state.lastStatus = view.statusText;
    state.phase = store::Phase::Validating;
    state.consecutiveFailures = 0;
    state.backoffUntil.reset();
    m_job.save();
    faultPoint("cluster.after-order-recorded");
    logger().information(m_job.prefix + plan.what + " placed: " + m_job.orderLabel() + ", status " +
                         escapeForLog(state.lastStatus, 40));
    DcvPlacement dcv(m_job);
    try {
        dcv.place(view, false);
    } catch (const RefusedError& e) {
        dcv.cleanup();
        state.phase = store::Phase::Failed;
        return m_job.recordAndSave(e.what(), e.exitCode());
    }
    return Polling(m_job).pollAndAdvance(options, {});
}

} // namespace certagent::core
