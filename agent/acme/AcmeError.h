#pragma once

#include "util/Error.h"

#include <string>

namespace certagent::acme {

/// The RFC 8555 error namespace; problem types in it are kept in short form ("badNonce").
constexpr const char* kErrorNamespace = "urn:ietf:params:acme:error:";

/// A failed ACME call. exitCode() follows design-acme.md §3.9: 3 when retryable() (network,
/// 5xx, 429/rateLimited, unreadable body, badNonce storm), 2 for what the configuration must fix
/// before any request (EAB missing, terms of service not agreed), else 4 (the CA refused, or
/// sent something hostile or broken). what() is one line, escaped, free of secrets:
/// "acme <step>: <text>".
class AcmeError : public ServiceError {
  public:
    struct Details {
        std::string step;        ///< the call: "newOrder", "finalize", "authorization", ...
        int httpStatus = 0;      ///< 0 = no HTTP reply
        std::string problemType; ///< "badNonce"-style short type, another namespace's URI, or ""
    };
    /// `text` must already be escaped; the constructor prefixes "acme <step>: ".
    AcmeError(Details details, const std::string& text, Info info, int refusedCode = kExitRefused);

    const std::string& step() const { return m_d.step; }
    int httpStatus() const { return m_d.httpStatus; }
    /// The problem document's type, short for RFC 8555 types ("rateLimited"); "" when none.
    const std::string& problemType() const { return m_d.problemType; }

  private:
    Details m_d;
};

/// A reply from a hostile or broken CA (off-origin URL, bad token, odd JSON, caps exceeded):
/// exit 4, never retried. `text` must already be escaped.
AcmeError brokenReply(const std::string& step, const std::string& text, int httpStatus = 0);

} // namespace certagent::acme
