#include "core/backends/GoGetSslBackend.h"

#include "core/backends/GoGetSslDcv.h"
#include "util/Error.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <Poco/DateTime.h>
#include <Poco/Timestamp.h>

#include <cstdlib>

namespace certagent::core {

namespace {

constexpr std::time_t kClockTolerance = 86400;
constexpr std::time_t kSubscriptionMargin = 30 * 86400;

/// After these nothing more happens to an order.
bool isFinal(const std::string& status) {
    return status == "cancelled" || status == "rejected" || status == "expired";
}

/// Only the exact word "active" with a certificate means issued.
bool isIssued(const api::OrderStatus& st) {
    return st.status == "active" && !st.crtCode.empty();
}

std::time_t dateToTime(const api::Date& date) {
    Poco::DateTime dt(date.year, date.month, date.day);
    return dt.timestamp().epochTime();
}

/// GoGetSSL wants, per SAN, the DCV method or (e-mail validation) the approver's address.
std::vector<std::string> approversFor(const config::CertConfig& cert,
                                      const std::vector<std::string>& sans) {
    std::vector<std::string> approvers;
    for (const auto& san : sans)
        approvers.push_back(cert.dcv == config::DcvMethod::Email
                                ? "admin@" + (san[0] == '*' ? san.substr(2) : san)
                                : config::dcvName(cert.dcv));
    return approvers;
}

/// How many of the account's newest orders reconciliation looks at.
constexpr int kReconcileWindow = 20;

/// A CSR as text that compares equal however the API wrapped or terminated its lines.
std::string comparableCsr(const std::string& pem) {
    std::string out;
    for (char c : pem)
        if (c != '\r' && c != '\n' && c != ' ' && c != '\t')
            out += c;
    return out;
}

Plan stop(int code, const std::string& message, bool record = true) {
    Plan p;
    p.action = Plan::Action::Stop;
    p.exitCode = code;
    p.message = message;
    p.record = record;
    return p;
}

} // namespace

GoGetSslBackend::GoGetSslBackend(OrderService& orders) : m_orders(orders) {}

long long GoGetSslBackend::orderNumber(const OrderRef& order) {
    const std::string& id = order.id;
    if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos)
        throw Error("not a GoGetSSL order id: \"" + escapeForLog(id, 80) + "\"");
    return std::stoll(id);
}

std::string GoGetSslBackend::describe(const OrderRef& order) const {
    return order.empty() ? "the order (no id yet)" : "order " + order.id;
}

std::optional<OrderRef> GoGetSslBackend::configuredOrder(const config::CertConfig& cert) const {
    if (cert.orderId <= 0)
        return std::nullopt;
    return ref(cert.orderId);
}

std::optional<std::time_t> GoGetSslBackend::serverTime(const api::OrderStatus& st) const {
    if (st.timeStamp)
        return *st.timeStamp;
    return m_orders.serverTime();
}

int GoGetSslBackend::webserverType(const config::CertConfig& cert, long long productId) {
    if (cert.webserverType)
        return *cert.webserverType;
    return productId > 0 ? m_orders.webserverTypeFor(productId) : -1;
}

Plan GoGetSslBackend::plan(const PlanInput& in) {
    if (in.existing.empty())
        return Plan{};
    return planExisting(in, orderNumber(in.existing));
}

/// For an existing order: a reissue, a renew order, following it, or stopping (clock off,
/// subscription over, order unusable).
Plan GoGetSslBackend::planExisting(const PlanInput& in, long long existing) {
    api::OrderStatus st = m_orders.status(existing);
    m_productOf[existing] = st.productId;
    std::string order = "order " + std::to_string(existing);
    if ((st.status == "cancelled" || st.status == "rejected") && in.cert.orderId == 0 &&
        in.cert.productId > 0) {
        Plan p; // our own earlier order went nowhere: start over with a new one
        p.note = order + " is " + st.status + "; placing a new order";
        return p;
    }
    auto server = serverTime(st);
    if (in.expiryBased && server && std::llabs(*server - in.now) > kClockTolerance)
        return stop(kExitOk,
                    "local clock differs from the API's by more than a day; no expiry-based "
                    "renewal",
                    false);
    // A reissue cannot outlive the order: when the order ends before the renewal would help
    // (or within a month), only a renew order (or a human) extends it.
    auto end = st.endDate ? st.endDate : st.validTill;
    std::time_t liveEnd = in.liveNotAfter.value_or(0);
    bool ended =
        st.status == "expired" ||
        (in.expiryBased && end &&
         (dateToTime(*end) < in.now + kSubscriptionMargin || dateToTime(*end) <= liveEnd + 86400));
    if (ended && !in.cert.autoRenewOrder)
        return stop(kExitRefused, order + " subscription ends" +
                                      (end ? " " + end->toString() : "") +
                                      "; set auto_renew_order = yes or order a new one");
    Plan p;
    p.existing = ref(existing);
    if (ended) {
        p.what = "renew order";
        return p;
    }
    if (st.status == "processing" || st.status == "reissue" || st.status == "pending") {
        p.action = Plan::Action::Follow;
        p.message = order + " is already " + escapeForLog(st.status, 40) + "; following it";
        return p;
    }
    if (st.status != "active")
        return stop(kExitRefused,
                    order + " is \"" + escapeForLog(st.status, 40) + "\", cannot reissue");
    p.what = "reissue";
    return p;
}

std::pair<OrderRef, OrderView> GoGetSslBackend::place(const Plan& plan, const OrderContext& ctx) {
    const auto& cert = ctx.cert;
    std::vector<std::string> sans(cert.domains.begin() + 1, cert.domains.end());
    std::string approver = cert.dcv == config::DcvMethod::Email ? cert.approverEmail : "";
    OrderView view;
    OrderRef placed;
    api::DcvInfo dcv;
    std::vector<api::SanItem> sanItems;
    if (plan.what == "reissue") {
        api::ReissueRequest r;
        r.csr = ctx.csrPem;
        r.dcvMethod = config::dcvName(cert.dcv);
        r.approverEmail = approver;
        r.dnsNames = sans;
        r.approverEmails = approversFor(cert, sans);
        long long id = orderNumber(plan.existing);
        auto product = m_productOf.find(id);
        r.webserverType = webserverType(cert, product != m_productOf.end() && product->second > 0
                                                  ? product->second
                                                  : cert.productId);
        auto res = m_orders.reissue(id, r);
        placed = plan.existing;
        view.statusText = res.orderStatus;
        dcv = res.validation;
        sanItems = res.san;
    } else {
        api::NewOrderRequest r;
        r.productId = cert.productId;
        r.period = cert.period;
        r.csr = ctx.csrPem;
        r.dcvMethod = config::dcvName(cert.dcv);
        r.approverEmail = approver;
        r.dnsNames = sans;
        r.approverEmails = approversFor(cert, sans);
        r.contacts = cert.contact ? *cert.contact : config::Contact{};
        r.webserverType = webserverType(cert, cert.productId);
        auto res = plan.what == "renew order" ? m_orders.renewOrder(r) : m_orders.addOrder(r);
        placed = ref(res.orderId);
        view.statusText = res.orderStatus;
        dcv = res.approver;
        sanItems = res.san;
    }
    fillChallenges(view, dcv, sanItems, ctx, describe(placed));
    return {placed, view};
}

OrderView GoGetSslBackend::advance(const OrderRef& order, const OrderContext& ctx) {
    api::OrderStatus st = m_orders.status(orderNumber(order));
    OrderView view;
    view.statusText = st.status;
    view.serverTime = serverTime(st);
    if (isIssued(st)) {
        view.state = OrderView::State::Issued;
        view.chains.push_back(IssuedChain{st.crtCode, st.caCode});
    } else if (isFinal(st.status)) {
        view.state = OrderView::State::Failed;
        return view;
    } else if (st.status == "active") {
        view.detail = " (no certificate yet)";
    }
    fillChallenges(view, st.approver, st.san, ctx, describe(order));
    return view;
}

void GoGetSslBackend::challengesPlaced(const OrderRef& order, const OrderContext& ctx) {
    // The CA scans on its own schedule; ask it to look now (a wildcard only by DNS).
    for (const auto& domain : ctx.cert.domains)
        if (domain[0] != '*' || ctx.cert.dcv == config::DcvMethod::Dns)
            m_orders.revalidate(orderNumber(order), domain);
}

Reconciled GoGetSslBackend::findPlaced(const OrderRef& intended, const OrderContext& ctx) {
    std::string csr = comparableCsr(ctx.csrPem);
    Reconciled out;
    if (csr.empty())
        return out; // no CSR to look for: a human decides
    out.outcome = Reconciled::Outcome::NotFound;
    if (!intended.empty() && comparableCsr(m_orders.status(orderNumber(intended)).csrCode) == csr) {
        out.outcome = Reconciled::Outcome::Found;
        out.order = intended;
        return out;
    }
    // A new order or a renew order got an id nobody recorded: one of the newest open ones.
    for (const auto& summary : m_orders.recentOrders(kReconcileWindow)) {
        if (isFinal(summary.status) || summary.orderId <= 0)
            continue;
        if (comparableCsr(m_orders.status(summary.orderId).csrCode) == csr) {
            out.outcome = Reconciled::Outcome::Found;
            out.order = ref(summary.orderId);
            return out;
        }
    }
    return out;
}

std::map<std::string, QuickStatus>
GoGetSslBackend::quickStatuses(const std::vector<OrderRef>& orders) {
    std::vector<long long> ids;
    for (const auto& order : orders)
        ids.push_back(orderNumber(order));
    std::map<std::string, QuickStatus> out;
    for (const auto& b : m_orders.statuses(ids))
        out[std::to_string(b.orderId)] = QuickStatus{b.status, b.status == "active"};
    return out;
}

} // namespace certagent::core
