#include "core/Recovery.h"

#include "core/Polling.h"
#include "core/RunSupport.h"
#include "util/IsoTime.h"
#include "util/Text.h"

namespace certagent::core {

std::optional<int> Recovery::settlePlacement(const RunOptions& options, std::string& dueReason) {
    auto& state = m_job.state;
    InFlight placement{state.placing, state.order, state.pendingSince.value_or(0)};
    std::string what = placement.what.empty() ? "order request" : placement.what;
    std::string sent = what + " sent at " + formatIsoUtc(placement.sentAt);
    Reconciliation found;
    try {
        found = m_job.backend.reconcile(placement, m_job.orderContext());
    } catch (const ServiceError& e) {
        return m_job.serviceFailure(e);
    }
    switch (found.outcome) {
    case Reconciliation::Outcome::Placed:
        logger().information(m_job.prefix + "the " + sent + " reached the CA: " + found.message);
        state.order = found.order;
        state.placing.clear();
        state.phase = store::Phase::Validating;
        m_job.save();
        return Polling(m_job).pollAndAdvance(options, {});
    case Reconciliation::Outcome::NotPlaced:
        logger().information(m_job.prefix + "the " + sent +
                             " never reached the CA: " + found.message);
        state.placing.clear();
        state.phase = state.deployedSha256.empty() ? store::Phase::Idle : store::Phase::Installed;
        m_job.save();
        dueReason = "the interrupted " + what + " is sent again";
        return std::nullopt;
    case Reconciliation::Outcome::Unknown:
        break;
    }
    if (options.force) {
        dueReason = "requested (the " + sent + " got no clear answer: " + found.message + ")";
        return std::nullopt;
    }
    logger().error(m_job.prefix + "the " + sent + " got no clear answer; " + found.message +
                   ", or run certagent issue " + m_job.cert.name);
    return kExitRefused;
}

std::optional<int> Recovery::deployedVersion() const {
    const auto& store = m_job.ctx.store;
    auto versions = store.versions(m_job.cert.name);
    if (versions.empty())
        return std::nullopt;
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        auto meta = store.versionMeta(m_job.cert.name, *it);
        if (meta && !m_job.state.deployedSha256.empty() &&
            meta->sha256 == m_job.state.deployedSha256)
            return *it;
    }
    return versions.back();
}

void Recovery::restoreLiveLink(bool dryRun) {
    auto& store = m_job.ctx.store;
    const std::string& name = m_job.cert.name;
    store::LiveLink link = store.liveLink(name);
    if (!link.present || (link.version && store.isComplete(name, *link.version)))
        return;
    auto version = deployedVersion();
    if (!version)
        return; // nothing of ours was ever deployed: the link is not ours to judge
    std::string was = link.target.empty() ? "is not a symlink"
                                          : "points at \"" + escapeForLog(link.target, 200) +
                                                "\", not a complete version of " + name;
    std::string to = store.versionDir(name, *version);
    if (dryRun) {
        logger().warning(m_job.prefix + store.liveDir(name) + " " + was +
                         "; dry run: would point it back at " + to);
        return;
    }
    store.switchLive(name, *version);
    logger().warning(m_job.prefix + store.liveDir(name) + " " + was + "; pointed it back at " + to +
                     ", the deployed version");
}

} // namespace certagent::core
