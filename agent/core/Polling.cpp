#include "core/Polling.h"

#include "core/DcvPlacement.h"
#include "core/FleetSteps.h"
#include "core/Installation.h"
#include "core/RunSupport.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace certagent::core {

namespace {

constexpr std::time_t kClockTolerance = 86400;

std::string formatElapsed(long long s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
    return buf;
}

} // namespace

bool Polling::validationInPlace() const {
    const auto dcv = m_job.cert.dcv;
    return dcv == config::DcvMethod::Email ||
           (dcv == config::DcvMethod::Dns ? !m_job.state.dnsRecords.empty()
                                          : !m_job.state.dcvFiles.empty());
}

int Polling::pollAndAdvance(const RunOptions& options, const std::optional<QuickStatus>& quick) {
    if (quick && !options.wait && validationInPlace() &&
        quick->statusText == m_job.state.lastStatus && !quick->mayBeIssued) {
        logger().information(m_job.prefix + m_job.orderLabel() + " still " +
                             escapeForLog(quick->statusText, 40));
        return kExitOk;
    }
    OrderView view;
    try {
        view = m_job.backend.advance(m_job.state.order, m_job.orderContext());
    } catch (const ServiceError& e) {
        return m_job.serviceFailure(e);
    }
    if (view.serverTime && std::llabs(*view.serverTime - m_job.ctx.now()) > kClockTolerance)
        logger().warning(m_job.prefix +
                         "local clock differs from the API's time by more than a day");
    if (options.wait)
        return waitForIssue(options, std::move(view));
    return handle(options, view).code;
}

Polling::Step Polling::failed(const RunOptions& options, const OrderView& view) {
    std::string what =
        m_job.orderLabel() + " is " + escapeForLog(view.statusText, 40) + view.detail;
    if (options.dryRun)
        return {true, m_job.record(what, kExitRefused)};
    DcvPlacement(m_job).cleanup();
    if (view.abandon) {
        logger().warning(m_job.prefix + what + "; dropping it");
        m_job.state.phase = store::Phase::Idle;
        m_job.state.order = {};
        m_job.save();
        m_job.abandoned = true;
        return {true, kExitOk};
    }
    if (view.restartable) {
        // A new order costs nothing: idle again, after the backoff, instead of a human's turn.
        m_job.state.phase = store::Phase::Idle;
        m_job.backOff(view.retryAfter);
        int rc =
            m_job.record(what + "; a new order after " + formatIsoUtc(*m_job.state.backoffUntil) +
                             " (the deployed certificate stays)",
                         kExitRefused);
        m_job.save();
        Installation(m_job).runHooks("failure", m_job.state.lastError);
        return {true, rc};
    }
    m_job.state.phase = store::Phase::Failed;
    int rc = m_job.record(what + "; the deployed certificate stays", kExitRefused);
    m_job.save();
    Installation(m_job).runHooks("failure", m_job.state.lastError);
    return {true, rc};
}

Polling::Step Polling::handle(const RunOptions& options, const OrderView& view) {
    auto& state = m_job.state;
    state.lastStatus = view.statusText;
    state.consecutiveFailures = 0;
    state.backoffUntil.reset();
    if (view.state == OrderView::State::Issued && !m_job.showsDeployed(view))
        return {true, Installation(m_job).installIssued(options, view.chains)};
    if (view.state == OrderView::State::Failed)
        return failed(options, view);
    DcvPlacement dcv(m_job);
    try {
        dcv.place(view, options.dryRun);
    } catch (const RefusedError& e) {
        dcv.cleanup();
        state.phase = store::Phase::Failed;
        int rc = m_job.record(e.what(), e.exitCode());
        m_job.save();
        return {true, rc};
    }
    // recheckAfterPlacing clears placedNow (after the DNS wait it decides).
    if (!options.dryRun && FleetSteps(m_job).readyToAsk(view.awaitingResponse)) {
        if (auto step = recheckAfterPlacing(options))
            return *step;
    }
    logger().information(
        m_job.prefix + m_job.orderLabel() + ": " + escapeForLog(state.lastStatus, 40) +
        (view.state == OrderView::State::Issued ? " (still the deployed certificate)"
                                                : view.detail));
    m_job.save();
    return {false, kExitOk};
}

std::optional<Polling::Step> Polling::recheckAfterPlacing(const RunOptions& options) {
    const auto wait = m_job.ctx.config.dnsWait;
    if (m_job.placedNow && m_job.cert.dcv == config::DcvMethod::Dns && wait.count() > 0) {
        // DNS records take a while to reach every name server the CA may ask.
        logger().information(m_job.prefix + "waiting " + formatDuration(wait) +
                             " for the DNS records to propagate ([hooks] dns_wait)");
        m_job.ctx.sleep(wait);
    }
    m_job.placedNow = false;
    // The CA looks on its own schedule; ask it to look now, then look once more.
    try {
        auto context = m_job.orderContext();
        m_job.ctx.coordinator.ensureLeader(m_job.fleet);
        m_job.backend.challengesPlaced(m_job.state.order, context);
        m_job.checkRequested = true;
        OrderView again = m_job.backend.advance(m_job.state.order, context);
        if (again.state == OrderView::State::Issued && !m_job.showsDeployed(again))
            return Step{true, Installation(m_job).installIssued(options, again.chains)};
        m_job.state.lastStatus = again.statusText;
    } catch (const ServiceError& e) {
        logger().warning(m_job.prefix + e.what());
    }
    return std::nullopt;
}

int Polling::waitForIssue(const RunOptions& options, OrderView view) {
    std::time_t start = m_job.ctx.now();
    std::time_t deadline = start + options.wait->count();
    // The backend's pace (an ACME CA answers within seconds) or 5 s, doubling up to a minute.
    std::chrono::seconds interval =
        std::clamp<std::chrono::seconds>(view.retryAfter.value_or(std::chrono::seconds(5)),
                                         std::chrono::seconds(1), std::chrono::seconds(60));
    for (;;) {
        Step step = handle(options, view);
        if (step.finished || step.code != kExitOk)
            return step.code;
        std::time_t now = m_job.ctx.now();
        std::string status = escapeForLog(m_job.state.lastStatus, 40);
        if (now >= deadline)
            return m_job.recordAndSave(m_job.orderLabel() + " still " + status + " after " +
                                           formatDuration(*options.wait),
                                       kExitTemporary);
        auto pause = std::max(interval, view.retryAfter.value_or(std::chrono::seconds(0)));
        pause = std::min<std::chrono::seconds>(pause, std::chrono::seconds(deadline - now));
        if (m_job.ctx.progress)
            m_job.ctx.progress(m_job.prefix + m_job.orderLabel() + " " + status + ", " +
                               formatElapsed(now - start) + " elapsed, next poll in " +
                               std::to_string(pause.count()) + "s");
        m_job.ctx.sleep(pause);
        interval = std::min<std::chrono::seconds>(interval * 2, std::chrono::seconds(60));
        try {
            view = m_job.backend.advance(m_job.state.order, m_job.orderContext());
        } catch (const ServiceError& e) {
            if (!e.retryable())
                return m_job.serviceFailure(e);
            logger().warning(m_job.prefix + e.what() + " (will retry)");
        }
    }
}

} // namespace certagent::core
