#include "core/FleetSteps.h"

#include "core/DcvPlacement.h"
#include "core/Installation.h"
#include "core/RunSupport.h"
#include "util/FaultPoint.h"
#include "util/FileIo.h"
#include "util/IsoTime.h"

#include <algorithm>

namespace certagent::core {

namespace {

bool pendingPhase(store::Phase phase) {
    return phase == store::Phase::Ordering || phase == store::Phase::Validating ||
           phase == store::Phase::Issued;
}

} // namespace

LeadHold::LeadHold(CertJob& job) : m_job(job) {
    m_job.leading = true;
}

LeadHold::~LeadHold() {
    m_job.leading = false;
    m_job.ctx.coordinator.release(m_job.fleet);
}

bool FleetSteps::httpDcv() const {
    return m_job.cert.dcv == config::DcvMethod::Http || m_job.cert.dcv == config::DcvMethod::Https;
}

LocalLive FleetSteps::localLive() const {
    LocalLive live;
    live.deployedSha256 = m_job.state.deployedSha256;
    if (auto meta = m_job.ctx.store.liveMeta(m_job.cert.name))
        live.notBefore = parseIsoUtc(meta->notBefore);
    return live;
}

std::optional<int> FleetSteps::pull(const RunOptions& options) {
    Coordinator& fleet = m_job.ctx.coordinator;
    if (!fleet.inFleet())
        return std::nullopt;
    m_job.fleet.replaceSettings = options.force && options.adoptOrder.empty();
    if (auto set = fleet.newerThan(m_job.fleet, localLive())) {
        if (m_job.leading) { // the saves of a pulled set are this host's own, not the order's
            m_job.leading = false;
            fleet.release(m_job.fleet);
        }
        return Installation(m_job).installPublished(options, *set);
    }
    auto shared = fleet.sharedOrder(m_job.fleet);
    if (shared)
        takeIn(*shared);
    bool validating = shared && shared->phase == store::Phase::Validating;
    if (!validating && !m_job.state.dcvFiles.empty() && !options.dryRun)
        DcvPlacement(m_job).cleanup(); // the order left validation: the files go on every host
    if (options.followOnly)
        return follow(options, "");
    return std::nullopt;
}

void FleetSteps::takeIn(const SharedOrder& shared) {
    auto& state = m_job.state;
    state.phase = shared.phase;
    state.order = shared.order;
    state.attempts = shared.attempts;
    state.consecutiveFailures = shared.consecutiveFailures;
    state.pendingSince = shared.pendingSince;
    state.backoffUntil = shared.backoffUntil;
    state.lastStatus = shared.lastStatus;
    m_job.challenges = shared.challenges;
    m_job.checkRequested = shared.checkRequested;
    if (!m_job.leading || m_job.dryRun || !pendingPhase(shared.phase) || shared.keyPem.empty())
        return;
    // The holder that ordered may be gone: this host goes on with the same key and CSR.
    auto& store = m_job.ctx.store;
    auto local = store.readPendingKey(m_job.cert.name);
    if (!local || *local != shared.keyPem.reveal()) {
        store.writePendingKey(m_job.cert.name, shared.keyPem.reveal());
        writeFileAtomic(pendingCsrPath(store, m_job.cert.name), shared.csrPem, 0644);
        logger().information(m_job.prefix + "took over the fleet's order with its pending key");
    }
    if (local)
        wipe(*local);
}

std::optional<int> FleetSteps::lead(const RunOptions& options) {
    Lead lead = m_job.ctx.coordinator.tryLead(m_job.fleet);
    switch (lead.role) {
    case Lead::Role::Leading:
        faultPoint("cluster.after-lock");
        return std::nullopt;
    case Lead::Role::Following:
        return follow(options, lead.holder);
    case Lead::Role::Unreachable:
        break;
    }
    logger().error(m_job.prefix + "cannot reach the fleet (" + lead.problem +
                   "); nothing ordered, the live certificate stays");
    return kExitTemporary;
}

void FleetSteps::placeShared(const RunOptions& options) {
    auto shared = m_job.ctx.coordinator.sharedOrder(m_job.fleet);
    if (!shared || shared->phase != store::Phase::Validating || !httpDcv())
        return;
    OrderView view;
    std::copy_if(shared->challenges.begin(), shared->challenges.end(),
                 std::back_inserter(view.challenges),
                 [](const Challenge& c) { return c.kind == Challenge::Kind::HttpFile; });
    if (view.challenges.empty())
        return;
    m_job.state.order = shared->order; // for the log lines
    DcvPlacement(m_job).place(view, options.dryRun);
}

int FleetSteps::follow(const RunOptions& options, const std::string& holder) {
    placeShared(options);
    if (!holder.empty())
        logger().information(m_job.prefix + "following: " + holder + " holds the order");
    if (!options.wait || options.followOnly)
        return kExitOk;
    return waitPublished(options, holder);
}

int FleetSteps::waitPublished(const RunOptions& options, const std::string& holder) {
    RunContext& ctx = m_job.ctx;
    std::time_t start = ctx.now();
    std::time_t deadline = start + options.wait->count();
    for (;;) {
        std::time_t now = ctx.now();
        if (now >= deadline) {
            logger().error(m_job.prefix + "nothing new published after " +
                           formatDuration(*options.wait) + " (following " + holder + ")");
            return kExitTemporary;
        }
        if (ctx.progress)
            ctx.progress(m_job.prefix + "waiting for " + holder + " to publish, " +
                         std::to_string(now - start) + "s elapsed");
        ctx.sleep(std::min<std::chrono::seconds>(std::chrono::seconds(5),
                                                 std::chrono::seconds(deadline - now)));
        ctx.coordinator.refresh(m_job.fleet);
        if (auto set = ctx.coordinator.newerThan(m_job.fleet, localLive()))
            return Installation(m_job).installPublished(options, *set);
        placeShared(options);
    }
}

bool FleetSteps::readyToAsk(bool awaitingResponse) {
    Coordinator& fleet = m_job.ctx.coordinator;
    if (!fleet.inFleet() || !httpDcv())
        return m_job.placedNow || awaitingResponse;
    bool files =
        std::any_of(m_job.challenges.begin(), m_job.challenges.end(),
                    [](const Challenge& c) { return c.kind == Challenge::Kind::HttpFile; });
    if (!files || (m_job.checkRequested && !m_job.placedNow && !awaitingResponse))
        return false;
    return fleet.challengesAcked(m_job.fleet);
}

} // namespace certagent::core
