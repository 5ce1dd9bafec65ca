// GoGetSslBackend::reconcile: did an order request whose answer never arrived reach GoGetSSL?
// Every order carries the CSR it was placed or last reissued with (getOrderStatus `csr_code`), and
// our CSR holds a key made on this host for this request, so "carries our key" is proof.
#include "core/backends/GoGetSslBackend.h"
#include "crypto/Csr.h"
#include "util/Error.h"
#include "util/Text.h"

#include <algorithm>

namespace certagent::core {

namespace {

constexpr int kPageSize = 100;
constexpr int kMaxPages = 10;         ///< the account's first 1000 orders are listed
constexpr std::size_t kMaxLooks = 20; ///< of them, the newest this many are read

/// An order placed a moment ago can show any status but those that end an order.
bool mayBeJustPlaced(const std::string& status) {
    return status != "cancelled" && status != "rejected" && status != "expired" &&
           status != "revoked";
}

bool inProgress(const std::string& status) {
    return status == "reissue" || status == "processing" || status == "pending";
}

Reconciliation settled(Reconciliation::Outcome outcome, OrderRef order, std::string message) {
    Reconciliation r;
    r.outcome = outcome;
    r.order = std::move(order);
    r.message = std::move(message);
    return r;
}

} // namespace

std::optional<long long> GoGetSslBackend::orderWithCsr(const X509_REQ& csr) {
    std::vector<long long> candidates;
    for (int page = 0; page < kMaxPages; ++page) {
        api::OrderList list = m_orders.orders(kPageSize, page * kPageSize);
        for (const auto& o : list.orders)
            if (o.orderId > 0 && mayBeJustPlaced(o.status))
                candidates.push_back(o.orderId);
        if (list.orders.size() < static_cast<std::size_t>(kPageSize) ||
            (page + 1LL) * kPageSize >= list.count)
            break;
    }
    // Order ids grow: the one placed a moment ago is among the highest.
    std::sort(candidates.rbegin(), candidates.rend());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    if (candidates.size() > kMaxLooks)
        candidates.resize(kMaxLooks);
    for (long long id : candidates)
        if (crypto::requestHasKeyOf(m_orders.status(id).csrCode, csr))
            return id;
    return std::nullopt;
}

Reconciliation GoGetSslBackend::reconcile(const InFlight& placement, const OrderContext& ctx) {
    using Outcome = Reconciliation::Outcome;
    crypto::X509ReqPtr csr;
    try {
        csr = crypto::csrFromPem(ctx.csrPem, ctx.csrLabel);
    } catch (const Error&) {
        return settled(Outcome::Unknown, {},
                       "the CSR that was sent (" + ctx.csrLabel + ") is unreadable; " +
                           unclearPlacementAdvice());
    }
    if (!placement.existing.empty()) {
        const std::string order = describe(placement.existing);
        api::OrderStatus st = m_orders.status(orderNumber(placement.existing));
        const std::string status = "\"" + escapeForLog(st.status, 40) + "\"";
        if (crypto::requestHasKeyOf(st.csrCode, *csr))
            return settled(Outcome::Placed, placement.existing,
                           order + " carries the CSR that was sent (status " + status + ")");
        if (placement.what == "reissue") {
            if (st.status == "active")
                return settled(Outcome::NotPlaced, {},
                               order + " is still active with its previous CSR");
            if (st.csrCode.empty() && inProgress(st.status))
                return settled(Outcome::Placed, placement.existing,
                               order + " is " + status + " (no CSR shown)");
            return settled(Outcome::Unknown, {},
                           order + " is " + status +
                               " with a CSR other than the one sent; check the order at GoGetSSL");
        }
    }
    if (auto id = orderWithCsr(*csr))
        return settled(Outcome::Placed, ref(*id),
                       "order " + std::to_string(*id) + " carries the CSR that was sent");
    return settled(Outcome::Unknown, {},
                   "no recent order of the account carries the CSR that was sent; " +
                       unclearPlacementAdvice());
}

} // namespace certagent::core
