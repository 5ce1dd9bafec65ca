#pragma once

#include "api/ApiError.h"
#include "api/Secret.h"
#include "api/Transport.h"
#include "api/Types.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace certagent::api {

/// Client settings (from [api] of certagent.conf).
struct ApiSettings {
    std::string url;                          ///< base, e.g. https://my.gogetssl.com/api
    std::string caFile;                       ///< extra TLS trust anchor; "" = system store only
    std::chrono::seconds timeout{30};         ///< one HTTP exchange
    std::chrono::seconds retryDeadline{60};   ///< all attempts of one call together
    std::chrono::milliseconds retryBase{500}; ///< first backoff; doubles, jittered
    std::string keyCachePath;                 ///< e.g. <store>/auth.key; "" = memory only
    std::size_t maxBodyBytes = 4 * 1024 * 1024;
    /// Receives one line per call (method, order id, HTTP status, attempts, elapsed) and
    /// warnings; never secrets. Empty = Poco::Logger "certagent.api".
    std::function<void(const std::string&)> log;
};

/// Reseller login. `user` is not secret-held but is redacted all the same.
struct Credentials {
    std::string user;
    Secret pass;
};

/// Key/value parameters of a raw call, in order.
using Params = std::vector<std::pair<std::string, std::string>>;

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
    /// POST /orders/add_ssl_order/ (never retried once it may have reached the server).
    NewOrderResult addSSLOrder(const NewOrderRequest& request);
    /// POST /orders/add_ssl_renew_order/ (same rules as addSSLOrder).
    NewOrderResult addSSLRenewOrder(const NewOrderRequest& request);
    /// POST /orders/ssl/reissue/{id} (same rules as addSSLOrder).
    ReissueResult reissueSSLOrder(long long orderId, const ReissueRequest& request);
    /// POST /orders/ssl/change_validation_method/{id} domain=, new_method=. Returns `message`.
    std::string changeValidationMethod(long long orderId, const std::string& domain,
                                       const std::string& newMethod);
    /// POST /orders/ssl/revalidate/{id} domain=. Returns `message`.
    std::string revalidate(long long orderId, const std::string& domain);
    /// GET /orders/ssl/resend_validation_email/{id}. Returns `message`.
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
