#include "acme/AcmeError.h"

namespace certagent::acme {

AcmeError::AcmeError(Details details, const std::string& text, Info info, int refusedCode)
    : ServiceError("acme " + details.step + ": " + text, info, refusedCode),
      m_d(std::move(details)) {}

AcmeError brokenReply(const std::string& step, const std::string& text, int httpStatus) {
    return AcmeError({step, httpStatus, {}}, text, {});
}

} // namespace certagent::acme
