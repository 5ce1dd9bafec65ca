#include "api/ApiClient.h"

#include "api/ClientCore.h"
#include "api/Json.h"
#include "api/Replies.h"
#include "api/Requests.h"
#include "api/WebserverType.h"
#include "util/Text.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <sstream>

namespace certagent::api {

using detail::CallSpec;
using Poco::JSON::Object;

namespace {

void checkId(const std::string& method, long long id, const char* what) {
    if (id <= 0 || id > detail::kMaxId) {
        ApiError::Details d;
        d.method = method;
        throw ApiError(d, std::string("bad request: ") + what + " " + std::to_string(id) +
                              " is not a positive id");
    }
}

CallSpec spec(const char* name, long long orderId, const char* verb, std::string path,
              Params form = {}, bool idempotent = true) {
    return CallSpec{name, orderId, verb, std::move(path), {}, std::move(form), idempotent};
}

std::string idPath(const char* base, long long id) {
    return base + std::to_string(id);
}

} // namespace

struct ApiClient::Impl : detail::ClientCore {
    using ClientCore::ClientCore;

    template <typename T, typename Parse> T call(const CallSpec& s, Parse parse) {
        T result{};
        run(s, [&](const Object& obj) { result = parse(obj); });
        return result;
    }

    std::string message(const CallSpec& s) {
        return call<std::string>(s, [](const Object& o) { return detail::parseMessage(o); });
    }

    /// An order-placing call: the result, with a warning when only its id could be read.
    template <typename Result, typename Parse> Result placing(const CallSpec& s, Parse parse) {
        Result result = call<Result>(s, parse);
        if (!result.unreadableDetails.empty()) {
            warn("api " + s.name + " order " + std::to_string(result.orderId) +
                 ": placed, but the rest of the reply is unreadable (" + result.unreadableDetails +
                 "); its details come from getOrderStatus");
        }
        return result;
    }

    std::map<long long, int> m_webserverTypes; ///< by product id, for this client's life

    std::string confirmation(const CallSpec& s) {
        return call<std::string>(s, [](const Object& o) { return detail::parseConfirmation(o); });
    }
};

ApiClient::ApiClient(ApiSettings settings, Credentials credentials,
                     std::unique_ptr<HttpTransport> transport, Clock& clock)
    : m_impl(std::make_unique<Impl>(std::move(settings), std::move(credentials),
                                    std::move(transport), clock)) {}

ApiClient::~ApiClient() = default;

void ApiClient::setDeadline(std::optional<std::chrono::steady_clock::time_point> until) {
    m_impl->setBound(until);
}

void ApiClient::authenticate() {
    m_impl->authenticate();
}

OrderStatus ApiClient::getOrderStatus(long long orderId) {
    checkId("getOrderStatus", orderId, "order id");
    const CallSpec s = spec("getOrderStatus", orderId, "GET", idPath("/orders/status/", orderId));
    return m_impl->call<OrderStatus>(
        s, [&](const Object& o) { return detail::parseOrderStatus(o, orderId); });
}

std::vector<BatchStatus> ApiClient::getOrdersStatus(const std::vector<long long>& orderIds) {
    for (long long id : orderIds) {
        checkId("getOrdersStatus", id, "order id");
    }
    std::vector<BatchStatus> out;
    for (std::size_t first = 0; first < orderIds.size(); first += kMaxIdsPerStatusRequest) {
        const std::size_t last = std::min(orderIds.size(), first + kMaxIdsPerStatusRequest);
        const std::vector<long long> chunk(orderIds.begin() + first, orderIds.begin() + last);
        std::vector<std::string> ids;
        for (long long id : chunk) {
            ids.push_back(std::to_string(id));
        }
        const CallSpec s = spec("getOrdersStatus", 0, "POST", "/orders/statuses/",
                                {{"cids", detail::joinList(ids)}});
        auto part = m_impl->call<std::vector<BatchStatus>>(
            s, [&](const Object& o) { return detail::parseBatch(o, chunk); });
        out.insert(out.end(), std::make_move_iterator(part.begin()),
                   std::make_move_iterator(part.end()));
    }
    return out;
}

NewOrderResult ApiClient::addSSLOrder(const NewOrderRequest& request) {
    const CallSpec s = spec("addSSLOrder", 0, "POST", "/orders/add_ssl_order/",
                            detail::newOrderParams(request, "addSSLOrder"), false);
    return m_impl->placing<NewOrderResult>(
        s, [&](const Object& o) { return detail::parseNewOrder(o, request.dcvMethod); });
}

NewOrderResult ApiClient::addSSLRenewOrder(const NewOrderRequest& request) {
    const CallSpec s = spec("addSSLRenewOrder", 0, "POST", "/orders/add_ssl_renew_order/",
                            detail::newOrderParams(request, "addSSLRenewOrder"), false);
    return m_impl->placing<NewOrderResult>(
        s, [&](const Object& o) { return detail::parseNewOrder(o, request.dcvMethod); });
}

ReissueResult ApiClient::reissueSSLOrder(long long orderId, const ReissueRequest& request) {
    checkId("reissueSSLOrder", orderId, "order id");
    const CallSpec s =
        spec("reissueSSLOrder", orderId, "POST", idPath("/orders/ssl/reissue/", orderId),
             detail::reissueParams(request), false);
    return m_impl->placing<ReissueResult>(
        s, [&](const Object& o) { return detail::parseReissue(o, orderId, request.dcvMethod); });
}

std::string ApiClient::changeValidationMethod(long long orderId, const std::string& domain,
                                              const std::string& newMethod) {
    checkId("changeValidationMethod", orderId, "order id");
    return m_impl->confirmation(spec("changeValidationMethod", orderId, "POST",
                                     idPath("/orders/ssl/change_validation_method/", orderId),
                                     {{"domain", domain}, {"new_method", newMethod}}));
}

std::string ApiClient::revalidate(long long orderId, const std::string& domain) {
    checkId("revalidate", orderId, "order id");
    return m_impl->confirmation(spec("revalidate", orderId, "POST",
                                     idPath("/orders/ssl/revalidate/", orderId),
                                     {{"domain", domain}}));
}

std::string ApiClient::resendValidationEmail(long long orderId) {
    checkId("resendValidationEmail", orderId, "order id");
    return m_impl->confirmation(spec("resendValidationEmail", orderId, "GET",
                                     idPath("/orders/ssl/resend_validation_email/", orderId)));
}

DomainEmails ApiClient::getDomainEmails(const std::string& domain) {
    const CallSpec s =
        spec("getDomainEmails", 0, "POST", "/tools/domain/emails/", {{"domain", domain}});
    return m_impl->call<DomainEmails>(s,
                                      [](const Object& o) { return detail::parseDomainEmails(o); });
}

CsrInfo ApiClient::decodeCSR(const std::string& csrPem) {
    const CallSpec s = spec("decodeCSR", 0, "POST", "/tools/csr/decode/", {{"csr", csrPem}});
    return m_impl->call<CsrInfo>(s, [](const Object& o) { return detail::parseCsr(o); });
}

OrderList ApiClient::getAllSSLOrders(int limit, int offset) {
    CallSpec s = spec("getAllSSLOrders", 0, "GET", "/orders/ssl/all/");
    s.query = {{"limit", std::to_string(limit)}, {"offset", std::to_string(offset)}};
    return m_impl->call<OrderList>(s, [](const Object& o) { return detail::parseOrderList(o); });
}

AccountBalance ApiClient::getAccountBalance() {
    return m_impl->call<AccountBalance>(spec("getAccountBalance", 0, "GET", "/account/balance/"),
                                        [](const Object& o) { return detail::parseBalance(o); });
}

ProductDetails ApiClient::getProductDetails(long long productId) {
    checkId("getProductDetails", productId, "product id");
    const CallSpec s = spec("getProductDetails", 0, "GET", idPath("/products/details/", productId));
    return m_impl->call<ProductDetails>(
        s, [&](const Object& o) { return detail::parseProduct(o, productId); });
}

int ApiClient::webserverTypeFor(long long productId) {
    const auto known = m_impl->m_webserverTypes.find(productId);
    if (known != m_impl->m_webserverTypes.end()) {
        return known->second;
    }
    const ProductDetails product = getProductDetails(productId);
    const std::optional<int> type = webserverTypeForBrand(product.brand);
    if (!type) {
        ApiError::Details d;
        d.method = "getProductDetails";
        throw ApiError(d, "product " + std::to_string(productId) +
                              (product.brand.empty()
                                   ? std::string(" has no brand")
                                   : " has brand \"" + escapeForLog(product.brand, 40) + "\"") +
                              ", for which no webserver_type is known; set webserver_type in the "
                              "certificate file");
    }
    m_impl->m_webserverTypes.emplace(productId, *type);
    return *type;
}

std::string ApiClient::cancelSSLOrder(long long orderId, const std::string& reason) {
    checkId("cancelSSLOrder", orderId, "order id");
    CallSpec s = spec("cancelSSLOrder", orderId, "POST", "/orders/cancel_ssl_order/",
                      {{"order_id", std::to_string(orderId)}, {"reason", reason}}, false);
    return m_impl->message(s);
}

std::string ApiClient::callRaw(const std::string& method, const Params& params) {
    const CallSpec s = detail::rawSpec(method, params);
    return m_impl->call<std::string>(s, [](const Object& o) {
        std::ostringstream out;
        o.stringify(out);
        return out.str();
    });
}

std::optional<std::chrono::system_clock::time_point> ApiClient::lastServerDate() const {
    return m_impl->lastServerDate();
}

} // namespace certagent::api
