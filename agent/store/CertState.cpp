#include "store/CertState.h"

#include "store/JsonFields.h"
#include "util/Error.h"

#include <ostream>

namespace certagent::store {

namespace {

const char* const kWhat = "state file";
constexpr Phase kPhases[] = {Phase::Idle,   Phase::Ordering,  Phase::Validating,
                             Phase::Issued, Phase::Installed, Phase::Failed};

Phase parsePhase(const std::string& text) {
    for (Phase p : kPhases)
        if (text == phaseName(p))
            return p;
    throw Error(std::string(kWhat) + ": unknown phase \"" + text + "\"");
}

} // namespace

const char* phaseName(Phase phase) {
    switch (phase) {
    case Phase::Idle:
        return "idle";
    case Phase::Ordering:
        return "ordering";
    case Phase::Validating:
        return "validating";
    case Phase::Issued:
        return "issued";
    case Phase::Installed:
        return "installed";
    case Phase::Failed:
        return "failed";
    }
    return "idle";
}

std::ostream& operator<<(std::ostream& out, Phase phase) {
    return out << phaseName(phase);
}

void writeOrder(Poco::JSON::Object& o, const OrderRef& order) {
    o.set("backend", order.backend);
    o.set("orderRef", order.id);
    const bool numeric = !order.id.empty() && order.id.size() <= 18 &&
                         order.id.find_first_not_of("0123456789") == std::string::npos;
    o.set("orderId", numeric ? static_cast<Poco::Int64>(std::stoll(order.id)) : Poco::Int64(0));
}

OrderRef readOrder(const Poco::JSON::Object& o, const std::string& what) {
    OrderRef order;
    order.backend = json::getString(o, "backend", what);
    order.id = json::getString(o, "orderRef", what);
    if (order.id.empty()) {
        long long legacy = json::getInt(o, "orderId", what);
        if (legacy > 0)
            order.id = std::to_string(legacy);
    }
    if (!order.id.empty() && order.backend.empty())
        order.backend = "gogetssl"; // written before there was more than one backend
    return order;
}

std::string CertState::toJson() const {
    Poco::JSON::Object::Ptr o = json::newObject();
    o->set("phase", std::string(phaseName(phase)));
    writeOrder(*o, order);
    o->set("placing", placing);
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
    if (!ariCertId.empty()) {
        o->set("ariCertId", ariCertId);
    }
    json::setTime(*o, "ariWindowStart", ariWindowStart);
    json::setTime(*o, "ariWindowEnd", ariWindowEnd);
    json::setTime(*o, "ariChosen", ariChosen);
    json::setTime(*o, "ariNextCheck", ariNextCheck);
    return json::stringify(*o);
}

CertState CertState::fromJson(const std::string& text) {
    Poco::JSON::Object::Ptr o = json::parseObject(text, kWhat);
    CertState s;
    const std::string phaseText = json::getString(*o, "phase", kWhat);
    if (!phaseText.empty()) {
        s.phase = parsePhase(phaseText);
    }
    s.order = readOrder(*o, kWhat);
    s.placing = json::getString(*o, "placing", kWhat);
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
    s.ariCertId = json::getString(*o, "ariCertId", kWhat);
    s.ariWindowStart = json::getTime(*o, "ariWindowStart", kWhat);
    s.ariWindowEnd = json::getTime(*o, "ariWindowEnd", kWhat);
    s.ariChosen = json::getTime(*o, "ariChosen", kWhat);
    s.ariNextCheck = json::getTime(*o, "ariNextCheck", kWhat);
    return s;
}

} // namespace certagent::store
