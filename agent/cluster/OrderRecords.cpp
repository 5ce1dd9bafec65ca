#include "cluster/Envelope.h"
#include "cluster/RecordFields.h"
#include "cluster/Records.h"
#include "util/CertName.h"
#include "util/Text.h"

#include <algorithm>

namespace certagent::cluster {

using namespace detail;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

constexpr std::size_t kMaxOrderBytes = 1024 * 1024;

Object::Ptr challengeObject(const ChallengeRecord& c) {
    Object::Ptr o = detail::newObject();
    const std::pair<const char*, const std::string*> members[] = {
        {"kind", &c.kind},       {"domain", &c.domain},
        {"dir", &c.dir},         {"fileName", &c.fileName},
        {"content", &c.content}, {"dnsName", &c.dnsName},
        {"dnsType", &c.dnsType}, {"dnsValue", &c.dnsValue},
        {"email", &c.email},     {"backendRef", &c.backendRef}};
    for (const auto& [key, value] : members) {
        if (!value->empty()) {
            o->set(key, *value);
        }
    }
    return o;
}

ChallengeRecord readChallenge(const Fields& f) {
    ChallengeRecord c;
    c.kind = f.str("kind");
    if (c.kind != "http-file" && c.kind != "dns-record" && c.kind != "email") {
        f.fail("kind", "not http-file, dns-record or email");
    }
    c.domain = shortText(f, "domain", 253);
    c.dir = f.optStr("dir");
    if (!c.dir.empty() && c.dir != "pki-validation" && c.dir != "acme-challenge") {
        f.fail("dir", "not pki-validation or acme-challenge");
    }
    c.fileName = shortText(f, "fileName", 255);
    const bool safeName =
        c.fileName.empty() ||
        (c.fileName[0] != '.' && std::all_of(c.fileName.begin(), c.fileName.end(), [](char ch) {
             return isWordChar(ch) || (ch >= 'A' && ch <= 'Z') || ch == '.' || ch == '_';
         }));
    if (!safeName) {
        f.fail("fileName", "not a plain file name");
    }
    c.content = shortText(f, "content", 4096);
    c.dnsName = shortText(f, "dnsName", 253);
    c.dnsType = shortText(f, "dnsType", 16);
    c.dnsValue = shortText(f, "dnsValue", 4096);
    c.email = shortText(f, "email", 254);
    c.backendRef = shortText(f, "backendRef", 2048);
    return c;
}

} // namespace

// --- order/<name> -------------------------------------------------------------------------------

std::string toJson(const OrderRecord& r) {
    Object::Ptr o = detail::newObject();
    o->set("phase", r.phase);
    o->set("backend", r.backend);
    o->set("orderRef", r.orderRef);
    o->set("csr", r.csr);
    if (!r.sealedKey.empty()) {
        o->set("sealedKey", detail::base64Encode(r.sealedKey));
    }
    Array::Ptr challenges = new Array;
    for (const ChallengeRecord& c : r.challenges) {
        challenges->add(challengeObject(c));
    }
    o->set("challenges", challenges);
    o->set("attempts", r.attempts);
    o->set("consecutiveFailures", r.consecutiveFailures);
    setTime(*o, "pendingSince", r.pendingSince);
    setTime(*o, "backoffUntil", r.backoffUntil);
    o->set("lastStatus", r.lastStatus);
    o->set("lastError", r.lastError);
    o->set("fence", std::to_string(r.fence));
    o->set("holder", r.holder);
    o->set("configFingerprint", r.configFingerprint);
    o->set("configFields", fieldsObject(r.configFields));
    if (r.checkRequested) {
        o->set("checkRequested", true);
    }
    return detail::toJson(*o);
}

OrderRecord parseOrder(const std::string& json, const std::string& key) {
    return reading(json, key, kMaxOrderBytes, [](const Fields& f) {
        OrderRecord r;
        r.phase = word(f, "phase");
        if (r.phase.empty()) {
            f.fail("phase", "missing");
        }
        r.backend = word(f, "backend");
        r.orderRef = shortText(f, "orderRef", 2048);
        r.csr = shortText(f, "csr", 64 * 1024);
        r.sealedKey = f.bytes("sealedKey", kMaxSealedBytes);
        const Array::Ptr challenges = f.array("challenges", kMaxItems);
        for (std::size_t i = 0; i < challenges->size(); ++i) {
            const std::string where = f.at("challenges") + "[" + std::to_string(i) + "]";
            r.challenges.push_back(
                readChallenge(Fields(*detail::objectAt(*challenges, i, "challenges"), where)));
        }
        r.attempts = static_cast<int>(counter(f, "attempts", 1000000));
        r.consecutiveFailures = static_cast<int>(counter(f, "consecutiveFailures", 1000000));
        r.pendingSince = isoTime(f, "pendingSince");
        r.backoffUntil = isoTime(f, "backoffUntil");
        r.lastStatus = shortText(f, "lastStatus", 256);
        r.lastError = shortText(f, "lastError", 4096);
        r.fence = f.int64("fence");
        if (r.fence < 0) {
            f.fail("fence", "negative");
        }
        r.holder = f.optStr("holder");
        if (!r.holder.empty() && !isValidCertName(r.holder)) {
            f.fail("holder", "not a host name");
        }
        r.configFingerprint = hexText(f, "configFingerprint", 64, false);
        r.configFields = readFields(f, "configFields");
        r.checkRequested = f.boolean("checkRequested");
        return r;
    });
}

std::string challengesToJson(const std::vector<ChallengeRecord>& challenges) {
    Array::Ptr list = new Array;
    for (const ChallengeRecord& c : challenges) {
        list->add(challengeObject(c));
    }
    Object::Ptr o = detail::newObject();
    o->set("challenges", list);
    return detail::toJson(*o);
}

std::vector<ChallengeRecord> parseChallenges(const std::string& json, const std::string& key) {
    return reading(json, key, kMaxOrderBytes, [](const Fields& f) {
        std::vector<ChallengeRecord> out;
        const Array::Ptr list = f.array("challenges", kMaxItems);
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string where = f.at("challenges") + "[" + std::to_string(i) + "]";
            out.push_back(readChallenge(Fields(*detail::objectAt(*list, i, "challenges"), where)));
        }
        return out;
    });
}

} // namespace certagent::cluster
