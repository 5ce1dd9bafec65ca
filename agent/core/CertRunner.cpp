#include "core/CertRunner.h"

#include "core/RunSupport.h"
#include "crypto/Csr.h"
#include "crypto/Gate.h"
#include "crypto/Keys.h"
#include "util/FileIo.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <Poco/Logger.h>

#include <algorithm>

namespace certagent::core {

namespace {

constexpr std::time_t kFullCheckEvery = 86400;

} // namespace

std::chrono::seconds backoffAfter(int consecutiveFailures) {
    long long s = 300;
    for (int i = 1; i < consecutiveFailures && s < 6 * 3600; ++i)
        s *= 2;
    return std::chrono::seconds(std::min<long long>(s, 6 * 3600));
}

CertRunner::CertRunner(RunContext& context, const config::CertConfig& cert)
    : m_ctx(context), m_cert(cert), m_prefix(cert.name + ": ") {
    m_state = m_ctx.store.loadState(cert.name).value_or(store::CertState{});
}

bool CertRunner::pendingOrder(const store::CertState& state) {
    return (state.phase == "validating" || state.phase == "issued") && state.orderId > 0;
}

void CertRunner::save() {
    if (!m_dryRun) // --dry-run writes nothing, not even state
        m_ctx.store.saveState(m_cert.name, m_state);
}

std::vector<std::string> CertRunner::sanNames() const {
    return std::vector<std::string>(m_cert.domains.begin() + 1, m_cert.domains.end());
}

int CertRunner::refuseAndRecord(const std::string& message, int code) {
    logger().error(m_prefix + message);
    m_state.lastError = message;
    m_state.lastErrorAt = m_ctx.now();
    m_state.lastFailure = m_ctx.now();
    return code;
}

int CertRunner::refuseAndSave(const std::string& message, int code, bool dryRun) {
    refuseAndRecord(message, code);
    if (!dryRun)
        save();
    return code;
}

int CertRunner::apiFailure(const std::exception& e, int code) {
    std::time_t now = m_ctx.now();
    m_state.consecutiveFailures++;
    m_state.backoffUntil = now + backoffAfter(m_state.consecutiveFailures).count();
    refuseAndRecord(std::string(e.what()) + " (next attempt after " +
                        formatIsoUtc(*m_state.backoffUntil) + ")",
                    code);
    save();
    return code;
}

RenewalDecision CertRunner::decide(bool fullCheck) {
    RenewalInput in;
    in.configuredNames = m_cert.domains;
    in.configuredKeyType = m_cert.keyType;
    in.before = m_ctx.config.renewBefore;
    in.now = m_ctx.now();
    auto meta = m_ctx.store.liveMeta(m_cert.name);
    if (meta) {
        LiveInfo live;
        live.names = meta->names;
        live.keyType = meta->keyType;
        live.notBefore = parseIsoUtc(meta->notBefore).value_or(0);
        live.notAfter = parseIsoUtc(meta->notAfter).value_or(0);
        bool due = m_state.lastFullCheck.value_or(0) + kFullCheckEvery <= in.now;
        if (fullCheck || due || !m_ctx.store.liveFilesUnchanged(m_cert.name)) {
            auto check = inspectLiveFiles(m_ctx.store, m_ctx.config, m_cert, in.now);
            live.filesOk = check.ok;
            live.expired = !check.ok && check.failure == crypto::GateFailure::Expired;
            live.failure = check.message;
            if (check.hasFacts) {
                live.notBefore = std::chrono::system_clock::to_time_t(check.facts.notBefore);
                live.notAfter = std::chrono::system_clock::to_time_t(check.facts.notAfter);
                live.names = check.facts.names;
            }
            if (check.ok)
                m_state.lastFullCheck = in.now;
        }
        in.live = live;
    }
    return decideRenewal(in);
}

int CertRunner::process(const RunOptions& options, const std::optional<api::BatchStatus>& batch) {
    m_dryRun = options.dryRun;
    std::time_t now = m_ctx.now();
    if (options.adoptOrderId > 0) {
        if (m_state.orderId != options.adoptOrderId || !pendingOrder(m_state)) {
            m_state.orderId = options.adoptOrderId;
            m_state.phase = "validating";
            m_state.pendingSince = now;
            logger().information(m_prefix + "adopting order " +
                                 std::to_string(options.adoptOrderId));
            if (!options.dryRun)
                save();
        }
        return pollAndAdvance(options, {});
    }
    if (!options.force && m_state.backoffUntil && *m_state.backoffUntil > now) {
        logger().notice(m_prefix + "backing off after API failures until " +
                        formatIsoUtc(*m_state.backoffUntil) + " (last: " + m_state.lastError + ")");
        return kExitOk;
    }
    if (m_state.phase == "failed" && !options.force) {
        logger().error(m_prefix + "needs attention: " + m_state.lastError +
                       " (to start over: certagent issue " + m_cert.name + ")");
        return kExitRefused;
    }
    if (m_state.phase == "ordering" && !options.force) {
        logger().error(m_prefix + "an order request sent at " +
                       formatIsoUtc(m_state.pendingSince.value_or(0)) +
                       " got no clear answer; check the account, then set order_id or run "
                       "certagent issue " +
                       m_cert.name);
        return kExitRefused;
    }
    if (pendingOrder(m_state))
        return pollAndAdvance(options, batch);
    if (options.installOnly) {
        long long id = m_state.orderId > 0 ? m_state.orderId : m_cert.orderId;
        if (id <= 0)
            throw ConfigError(m_prefix + "no order to install (use --order-id ID)");
        m_state.orderId = id;
        m_state.phase = "validating";
        return pollAndAdvance(options, {});
    }
    RenewalDecision d;
    if (options.force) {
        d.due = true;
        d.reason = "requested";
    } else {
        auto checked = m_state.lastFullCheck;
        d = decide(false);
        // Idle runs write nothing, except the date of the daily full check.
        if (!options.dryRun && m_state.lastFullCheck != checked)
            save();
    }
    if (!d.due) {
        logger().debug(m_prefix + "not due: " + d.reason);
        if (d.expiryBased)
            logger().warning(m_prefix + d.reason);
        return kExitOk;
    }
    return startOrder(options, d.reason, d.expiryBased);
}

} // namespace certagent::core
