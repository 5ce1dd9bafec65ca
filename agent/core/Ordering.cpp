#include "core/CertRunner.h"
#include "core/RunSupport.h"
#include "crypto/Csr.h"
#include "crypto/Keys.h"
#include "util/FileIo.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <cstdlib>

namespace certagent::core {

namespace {

constexpr std::time_t kClockTolerance = 86400;
constexpr std::time_t kSubscriptionMargin = 30 * 86400;

const char* kindName(CertRunner::OrderKind kind) {
    using OrderKind = CertRunner::OrderKind;
    return kind == OrderKind::New       ? "new order"
           : kind == OrderKind::Reissue ? "reissue"
                                        : "renew order";
}

} // namespace

std::string CertRunner::csrPath() const {
    return pendingCsrPath(m_ctx.store, m_cert.name);
}

std::string CertRunner::readCsrPem() const {
    return readFileCapped(csrPath(), 64 * 1024).value_or("");
}

/// For an existing order: what to do with it. Returns an exit code when the run ends here
/// (clock off, subscription over, order busy or unusable), nullopt to go on with `kind`.
std::optional<int> CertRunner::checkExistingOrder(const RunOptions& options, long long existing,
                                                  bool expiryBased, OrderKind& kind) {
    api::OrderStatus st;
    try {
        st = m_ctx.api.status(existing);
    } catch (const api::ApiError& e) {
        return apiFailure(e, e.exitCode());
    }
    std::time_t now = m_ctx.now();
    if ((st.status == "cancelled" || st.status == "rejected") && m_cert.orderId == 0 &&
        m_cert.productId > 0) {
        // Our own earlier order went nowhere: start over with a new one.
        logger().information(m_prefix + "order " + std::to_string(existing) + " is " + st.status +
                             "; placing a new order");
        kind = OrderKind::New;
        return std::nullopt;
    }
    if (expiryBased && !clockAgrees(st)) {
        logger().warning(m_prefix + "local clock differs from the API's by more than a day; "
                                    "no expiry-based renewal");
        return kExitOk;
    }
    // A reissue cannot outlive the order: when the order ends before the renewal would help
    // (or within a month), only a renew order (or a human) extends it.
    auto end = st.endDate ? st.endDate : st.validTill;
    auto live = m_ctx.store.liveMeta(m_cert.name);
    std::time_t liveEnd = live ? parseIsoUtc(live->notAfter).value_or(0) : 0;
    bool ended =
        st.status == "expired" ||
        (expiryBased && end &&
         (dateToTime(*end) < now + kSubscriptionMargin || dateToTime(*end) <= liveEnd + 86400));
    std::string order = "order " + std::to_string(existing);
    if (ended && !m_cert.autoRenewOrder)
        return refuseAndSave(order + " subscription ends" + (end ? " " + end->toString() : "") +
                                 "; set auto_renew_order = yes or order a new one",
                             kExitRefused, options.dryRun);
    if (ended) {
        kind = OrderKind::Renew;
        return std::nullopt;
    }
    if (st.status == "processing" || st.status == "reissue" || st.status == "pending") {
        logger().information(m_prefix + order + " is already " + escapeForLog(st.status, 40) +
                             "; following it");
        m_state.orderId = existing;
        m_state.phase = "validating";
        if (!options.dryRun)
            save();
        return pollAndAdvance(options, {});
    }
    if (st.status != "active")
        return refuseAndSave(order + " is \"" + escapeForLog(st.status, 40) + "\", cannot reissue",
                             kExitRefused, options.dryRun);
    return std::nullopt;
}

std::string CertRunner::writePendingKeyAndCsr() {
    crypto::EvpPkeyPtr key;
    std::string keyPem;
    auto liveKey = readFileCapped(m_ctx.store.liveDir(m_cert.name) + "/privkey.pem", 64 * 1024);
    if (m_cert.reuseKey && liveKey) {
        key = crypto::privateKeyFromPem(*liveKey, "live/" + m_cert.name + "/privkey.pem");
        keyPem = *liveKey;
        wipe(*liveKey);
    } else {
        key = crypto::generateKey(crypto::parseKeyType(m_cert.keyType));
        keyPem = crypto::privateKeyToPem(*key);
    }
    std::string csrPem = crypto::csrToPem(*crypto::makeCsr(*key, m_cert.domains));
    m_ctx.store.writePendingKey(m_cert.name, keyPem);
    writeFileAtomic(csrPath(), csrPem, 0644);
    wipe(keyPem);
    return csrPem;
}

void CertRunner::sendOrder(OrderKind kind, long long existing, const std::string& csrPem,
                           api::DcvInfo& dcv, std::vector<api::SanItem>& sanItems) {
    std::vector<std::string> sans = sanNames();
    std::vector<std::string> approvers;
    for (const auto& san : sans)
        approvers.push_back(m_cert.dcv == "email" ? "admin@" + (san[0] == '*' ? san.substr(2) : san)
                                                  : m_cert.dcv);
    std::string approver = m_cert.dcv == "email" ? m_cert.approverEmail : "";
    if (kind == OrderKind::Reissue) {
        api::ReissueRequest r;
        r.csr = csrPem;
        r.dcvMethod = m_cert.dcv;
        r.approverEmail = approver;
        r.dnsNames = sans;
        r.approverEmails = approvers;
        auto res = m_ctx.api.reissue(existing, r);
        m_state.lastStatus = res.orderStatus;
        dcv = res.validation;
        sanItems = res.san;
        return;
    }
    api::NewOrderRequest r;
    r.productId = m_cert.productId;
    r.period = m_cert.period;
    r.csr = csrPem;
    r.dcvMethod = m_cert.dcv;
    r.approverEmail = approver;
    r.dnsNames = sans;
    r.approverEmails = approvers;
    r.contacts = m_cert.contact;
    auto res = kind == OrderKind::New ? m_ctx.api.addOrder(r) : m_ctx.api.renewOrder(r);
    m_state.orderId = res.orderId;
    m_state.lastStatus = res.orderStatus;
    dcv = res.approver;
    sanItems = res.san;
}

int CertRunner::startOrder(const RunOptions& options, const std::string& reason, bool expiryBased) {
    logger().information(m_prefix + "due: " + reason);
    long long existing = m_cert.orderId > 0 ? m_cert.orderId : m_state.orderId;
    OrderKind kind = existing > 0 ? OrderKind::Reissue : OrderKind::New;
    if (existing > 0)
        if (auto rc = checkExistingOrder(options, existing, expiryBased, kind))
            return *rc;
    if (options.dryRun) {
        logger().information(m_prefix + "dry run: would place a " + kindName(kind) +
                             (existing > 0 ? " for order " + std::to_string(existing) : ""));
        return kExitOk;
    }
    // The key never leaves the host and is on disk before the order is sent.
    std::string csrPem = writePendingKeyAndCsr();
    std::string previousPhase = m_state.phase;
    m_state.phase = "ordering";
    m_state.orderId = kind == OrderKind::New ? 0 : existing;
    m_state.attempts++;
    m_state.pendingSince = m_ctx.now();
    m_state.lastStatus.clear();
    save();
    api::DcvInfo dcv;
    std::vector<api::SanItem> sanItems;
    try {
        sendOrder(kind, existing, csrPem, dcv, sanItems);
    } catch (const api::ApiError& e) {
        if (e.maybeProcessed() && kind == OrderKind::Reissue) {
            m_state.phase = "validating"; // the order id is known: the next poll tells
        } else if (!e.maybeProcessed()) {
            m_state.phase = previousPhase;
            m_state.orderId = kind == OrderKind::New ? 0 : existing;
        }
        return apiFailure(e, e.exitCode());
    }
    m_state.phase = "validating";
    m_state.consecutiveFailures = 0;
    m_state.backoffUntil.reset();
    save();
    logger().information(m_prefix + kindName(kind) + " placed: order " +
                         std::to_string(m_state.orderId) + ", status " +
                         escapeForLog(m_state.lastStatus, 40));
    try {
        prepareValidation(dcv, sanItems, false);
    } catch (const RefusedError& e) {
        cleanupValidation();
        m_state.phase = "failed";
        return refuseAndSave(e.what(), e.exitCode());
    }
    return pollAndAdvance(options, {});
}

bool CertRunner::clockAgrees(const api::OrderStatus& st) const {
    std::optional<std::time_t> server = st.timeStamp;
    if (!server)
        server = m_ctx.api.serverTime();
    return !server || std::llabs(*server - m_ctx.now()) <= kClockTolerance;
}

int CertRunner::pollAndAdvance(const RunOptions& options,
                               const std::optional<api::BatchStatus>& batch) {
    bool ready = m_cert.dcv == "email" ||
                 (m_cert.dcv == "dns" ? !m_state.dnsRecords.empty() : !m_state.dcvFiles.empty());
    if (batch && !options.wait && ready && batch->status == m_state.lastStatus &&
        batch->status != "active") {
        logger().information(m_prefix + "order " + std::to_string(m_state.orderId) + " still " +
                             escapeForLog(batch->status, 40));
        return kExitOk;
    }
    api::OrderStatus st;
    try {
        st = m_ctx.api.status(m_state.orderId);
    } catch (const api::ApiError& e) {
        return apiFailure(e, e.exitCode());
    }
    if (!clockAgrees(st))
        logger().warning(m_prefix + "local clock differs from the API's time by more than a day");
    if (options.wait)
        return waitForIssue(options, std::move(st));
    bool done = false;
    return handleStatus(options, st, done);
}

} // namespace certagent::core
