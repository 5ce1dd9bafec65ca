#pragma once

#include "util/Error.h"

#include <string>

namespace certagent::api {

/// A failed API call. exitCode() is 3 when retryable() (network, timeout, 5xx, 429, unreadable
/// reply, retry deadline), else 4 (error envelope, 4xx, auth refused twice, redirect, TLS
/// verification, reply about another order). what() is one line, escaped, free of secrets:
/// "api <method>[ order <id>]: <text>".
class ApiError : public ServiceError {
  public:
    struct Details {
        std::string method;          ///< API method name, e.g. "getOrderStatus"
        long long orderId = 0;       ///< 0 = none
        int httpStatus = 0;          ///< 0 = no HTTP reply
        std::string apiMessage;      ///< error envelope `message` (raw, untrusted)
        std::string description;     ///< error envelope `description` (raw, untrusted)
        bool retryable = false;      ///< exit 3 vs 4
        bool maybeProcessed = false; ///< a write whose outcome is unknown (sent, no clear reply)
    };
    /// `text` must already be escaped/redacted; the constructor prefixes method and order id.
    ApiError(Details details, const std::string& text);

    const std::string& method() const { return m_d.method; }
    long long orderId() const { return m_d.orderId; }
    int httpStatus() const { return m_d.httpStatus; }
    const std::string& apiMessage() const { return m_d.apiMessage; }
    const std::string& description() const { return m_d.description; }
    /// True for an error envelope (`{"error":true,...}`) from the server.
    bool isEnvelope() const { return !m_d.apiMessage.empty() || !m_d.description.empty(); }

  private:
    Details m_d;
};

} // namespace certagent::api
