#pragma once

#include "api/ApiError.h"
#include "api/Transport.h"
#include "api/Types.h"
#include "util/Secret.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace certagent::api {

/// GoGetSSL v1 client. GET with query for reads, POST form for writes, `auth_key` in the query of
/// every call. Authenticates lazily (key from memory, else from keyCachePath, else POST /auth/,
/// then cached 0600); on 401/403 re-authenticates exactly once per call. Retries connect errors,
/// timeouts, 5xx, 429 and unreadable replies with jittered exponential backoff inside
/// retryDeadline (writes that may have reached the server are not repeated). Every method throws
/// ApiError (see ApiError.h for exit codes); orderId arguments must be positive.
/// Not thread-safe: one client per thread.
class ApiClient {
  public:
    /// transport = nullptr → the real HTTPS transport for settings.url (throws ConfigError for a
    /// bad URL or ca_file). Nothing is sent before the first call.
    ApiClient(ApiSettings settings, Credentials credentials,
              std::unique_ptr<HttpTransport> transport = nullptr, Clock& clock = systemClock());
    ~ApiClient();
    ApiClient(const ApiClient&) = delete;
    ApiClient& operator=(const ApiClient&) = delete;

    /// Bounds every call from now on (all its attempts, and each exchange's timeout) by `until`,
    /// e.g. the time left of `--wait`; a call with no time left throws a retryable ApiError
    /// (exit 3) without sending. nullopt: each call has its own retryDeadline only.
    void setDeadline(std::optional<std::chrono::steady_clock::time_point> until);

    /// POST /auth/ now (even if a key is cached) and cache the new key.
    void authenticate();

    /// GET /orders/status/{id}. Refuses a reply about another order id.
    OrderStatus getOrderStatus(long long orderId);
    /// Most order ids in one getOrdersStatus request (the real API may cap the list).
    static constexpr std::size_t kMaxIdsPerStatusRequest = 50;

    /// POST /orders/statuses/ cids=1,2,3, one request per kMaxIdsPerStatusRequest ids, the
    /// entries merged in request order. Entries for ids not asked for in that request are
    /// refused; a failing request throws (entries of earlier requests are dropped).
    std::vector<BatchStatus> getOrdersStatus(const std::vector<long long>& orderIds);
    /// POST /orders/add_ssl_order/ (never retried once it may have reached the server). A reply
    /// with a usable order_id is a placed order even when the rest does not fit (see
    /// NewOrderResult::unreadableDetails; a warning is logged); a refusal throws ApiError (exit 4);
    /// no usable order_id throws ApiError with maybeProcessed() (exit 3).
    NewOrderResult addSSLOrder(const NewOrderRequest& request);
    /// POST /orders/add_ssl_renew_order/ (same rules as addSSLOrder).
    NewOrderResult addSSLRenewOrder(const NewOrderRequest& request);
    /// POST /orders/ssl/reissue/{id} (same rules as addSSLOrder; a missing order_id is the asked
    /// one, another one is refused).
    ReissueResult reissueSSLOrder(long long orderId, const ReissueRequest& request);
    /// POST /orders/ssl/change_validation_method/{id} domain=, new_method=. Returns `message`;
    /// a reply with `"success": false` is refused (ApiError, exit 4) like an error envelope.
    std::string changeValidationMethod(long long orderId, const std::string& domain,
                                       const std::string& newMethod);
    /// POST /orders/ssl/revalidate/{id} domain=. Returns `message`; `"success": false` is refused.
    std::string revalidate(long long orderId, const std::string& domain);
    /// GET /orders/ssl/resend_validation_email/{id}. Returns `message`; `"success": false` is
    /// refused.
    std::string resendValidationEmail(long long orderId);
    /// POST /tools/domain/emails/ domain=.
    DomainEmails getDomainEmails(const std::string& domain);
    /// POST /tools/csr/decode/ csr=.
    CsrInfo decodeCSR(const std::string& csrPem);
    /// GET /orders/ssl/all/?limit=&offset=
    OrderList getAllSSLOrders(int limit = 100, int offset = 0);
    /// GET /account/balance/
    AccountBalance getAccountBalance();
    /// GET /products/details/{id}
    ProductDetails getProductDetails(long long productId);
    /// The webserver_type to send with an order or reissue for `productId` (see WebserverType.h):
    /// -1 for Sectigo/Comodo/GoGetSSL brands, 18 for GeoTrust, RapidSSL, DigiCert, Thawte and
    /// Symantec. The brand comes from getProductDetails, asked once per product for the life of
    /// this client (one run). Throws ApiError as getProductDetails does, and ApiError (exit 4)
    /// for a brand not known here, naming the product, the brand and the fix (the certificate's
    /// own webserver_type).
    int webserverTypeFor(long long productId);
    /// POST /orders/cancel_ssl_order/ order_id=, reason=. Returns `message` (may be "").
    std::string cancelSSLOrder(long long orderId, const std::string& reason);

    /// Raw call for `certagent api`: `method` is a method name known to this client (e.g.
    /// "getOrderStatus", ids taken from params "order_id"/"product_id" into the path), or a path
    /// "/orders/status/7" (GET without params, POST with), optionally prefixed "GET " or "POST ".
    /// Returns the reply re-serialised as JSON (still containing the auth key if the method was
    /// auth: the caller passes it through redact()). Error envelopes throw ApiError.
    std::string callRaw(const std::string& method, const Params& params);

    /// The `Date` header of the last successful reply (for clock-skew checks), if it had a
    /// parseable one. Never throws.
    std::optional<std::chrono::system_clock::time_point> lastServerDate() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace certagent::api
