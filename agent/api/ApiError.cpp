#include "api/ApiError.h"

namespace certagent::api {
namespace {

std::string prefix(const ApiError::Details& d) {
    std::string s = "api " + (d.method.empty() ? std::string("call") : d.method);
    if (d.orderId > 0) {
        s += " order " + std::to_string(d.orderId);
    }
    return s + ": ";
}

} // namespace

ApiError::ApiError(Details details, const std::string& text)
    : ServiceError(prefix(details) + text, Info{details.retryable, details.maybeProcessed, {}}),
      m_d(std::move(details)) {}

} // namespace certagent::api
