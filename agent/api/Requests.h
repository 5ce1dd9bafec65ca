#pragma once

// Internal: which HTTP request each API method becomes (reference §1.2, §3).

#include "api/Transport.h"
#include "api/Types.h"

#include <string>

namespace certagent::api::detail {

/// One API call before the auth key is added.
struct CallSpec {
    std::string name;       ///< method name for logs and errors, e.g. "getOrderStatus"
    long long orderId = 0;  ///< for logs and errors; 0 = none
    std::string verb;       ///< "GET" or "POST"
    std::string path;       ///< below the base URL, e.g. "/orders/status/7"
    Params query;           ///< extra query parameters (besides auth_key)
    Params form;            ///< POST body parameters
    bool idempotent = true; ///< false: never repeated once it may have reached the server
};

/// application/x-www-form-urlencoded (also used for query strings); RFC 3986 unreserved
/// characters stay, everything else is %XX.
std::string formEncode(const Params& params);

/// The HTTP request for `spec` with `auth_key` first in the query string.
HttpRequest buildRequest(const CallSpec& spec, const std::string& authKey);

/// Form parameters of addSSLOrder / addSSLRenewOrder. Throws ApiError (not retryable) for a
/// contact key outside admin_*, tech_*, org_* or a dnsNames/approverEmails length mismatch.
Params newOrderParams(const NewOrderRequest& request, const std::string& method);
/// Form parameters of reissueSSLOrder.
Params reissueParams(const ReissueRequest& request);

/// Joins with commas.
std::string joinList(const std::vector<std::string>& items);

/// The spec of a raw call (see ApiClient::callRaw). Throws ApiError (not retryable) for an
/// unknown method, a bad path or a missing/non-numeric id parameter.
CallSpec rawSpec(const std::string& method, const Params& params);

} // namespace certagent::api::detail
