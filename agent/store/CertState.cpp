#include "store/CertState.h"

#include "store/JsonFields.h"
#include "util/Error.h"

namespace certagent::store {

namespace {
const char* const kWhat = "state file";
}

std::string CertState::toJson() const {
    Poco::JSON::Object::Ptr o = json::newObject();
    o->set("phase", phase);
    o->set("orderId", static_cast<Poco::Int64>(orderId));
    json::setTime(*o, "pendingSince", pendingSince);
    o->set("attempts", attempts);
    o->set("lastError", lastError);
    json::setTime(*o, "lastErrorAt", lastErrorAt);
    json::setTime(*o, "nextCheck", nextCheck);
    json::setTime(*o, "backoffUntil", backoffUntil);
    o->set("consecutiveFailures", consecutiveFailures);
    json::setTime(*o, "lastSuccess", lastSuccess);
    json::setTime(*o, "lastFailure", lastFailure);
    json::setStrings(*o, "dcvFiles", dcvFiles);
    json::setStrings(*o, "dnsRecords", dnsRecords);
    o->set("lastStatus", lastStatus);
    o->set("deployedSha256", deployedSha256);
    json::setTime(*o, "lastFullCheck", lastFullCheck);
    return json::stringify(*o);
}

CertState CertState::fromJson(const std::string& text) {
    Poco::JSON::Object::Ptr o = json::parseObject(text, kWhat);
    CertState s;
    const std::string phaseText = json::getString(*o, "phase", kWhat);
    if (!phaseText.empty()) {
        s.phase = phaseText;
    }
    s.orderId = json::getInt(*o, "orderId", kWhat);
    s.pendingSince = json::getTime(*o, "pendingSince", kWhat);
    s.attempts = static_cast<int>(json::getInt(*o, "attempts", kWhat));
    s.lastError = json::getString(*o, "lastError", kWhat);
    s.lastErrorAt = json::getTime(*o, "lastErrorAt", kWhat);
    s.nextCheck = json::getTime(*o, "nextCheck", kWhat);
    s.backoffUntil = json::getTime(*o, "backoffUntil", kWhat);
    s.consecutiveFailures = static_cast<int>(json::getInt(*o, "consecutiveFailures", kWhat));
    s.lastSuccess = json::getTime(*o, "lastSuccess", kWhat);
    s.lastFailure = json::getTime(*o, "lastFailure", kWhat);
    s.dcvFiles = json::getStrings(*o, "dcvFiles", kWhat);
    s.dnsRecords = json::getStrings(*o, "dnsRecords", kWhat);
    s.lastStatus = json::getString(*o, "lastStatus", kWhat);
    s.deployedSha256 = json::getString(*o, "deployedSha256", kWhat);
    s.lastFullCheck = json::getTime(*o, "lastFullCheck", kWhat);
    return s;
}

} // namespace certagent::store
