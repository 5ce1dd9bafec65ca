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
    : Error(prefix(details) + text, details.retryable ? kExitTemporary : kExitRefused),
      m_d(std::move(details)) {}

} // namespace certagent::api
