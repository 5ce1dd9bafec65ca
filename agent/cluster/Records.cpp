#include "cluster/Records.h"

#include "cluster/Envelope.h"
#include "cluster/Json.h"
#include "cluster/KeyPaths.h"
#include "util/CertName.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <Poco/JSON/Array.h>

#include <algorithm>

namespace certagent::cluster {

using detail::BadJson;
using detail::Fields;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

constexpr std::size_t kMaxCurrentBytes = 8 * 1024;
constexpr std::size_t kMaxVersionBytes = 1536 * 1024;
constexpr std::size_t kMaxOrderBytes = 1024 * 1024;
constexpr std::size_t kMaxAckBytes = 64 * 1024;
constexpr std::size_t kMaxMemberBytes = 1536 * 1024;
constexpr std::size_t kMaxItems = 1000;
constexpr std::size_t kMaxMemberCerts = 100000;

bool isLowerHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool isWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/// Parses `json` and hands its fields to `read`, turning shape problems into RecordError.
template <typename Read>
auto reading(const std::string& json, const std::string& key, std::size_t cap, Read read) {
    try {
        const Object::Ptr obj = detail::parseObject(json, cap);
        return read(Fields(*obj, ""));
    } catch (const BadJson& e) {
        throw RecordError("etcd record " + escapeForLog(key, 200) + ": " + e.what());
    }
}

/// Lower-case hex of `length` characters (0 = 1..128); absent/"" allowed unless `required`.
std::string hexText(const Fields& f, const std::string& key, std::size_t length, bool required) {
    const std::string s = required ? f.str(key) : f.optStr(key);
    if (s.empty() && !required) {
        return s;
    }
    const bool sized = length == 0 ? !s.empty() && s.size() <= 128 : s.size() == length;
    if (!sized || !std::all_of(s.begin(), s.end(), isLowerHex)) {
        f.fail(key, "not lower-case hex" +
                        (length ? " of " + std::to_string(length) + " digits" : std::string()));
    }
    return s;
}

/// Serial numbers: hex in either case (the crypto layer's own form), 1..128 digits.
std::string serialText(const Fields& f, const std::string& key) {
    const std::string s = f.str(key);
    if (s.empty() || s.size() > 128 || !std::all_of(s.begin(), s.end(), [](char c) {
            return isLowerHex(c) || (c >= 'A' && c <= 'F');
        })) {
        f.fail(key, "not a hex serial number");
    }
    return s;
}

/// ISO 8601 UTC text; "" allowed unless `required`.
std::string isoText(const Fields& f, const std::string& key, bool required) {
    const std::string s = required ? f.str(key) : f.optStr(key);
    if ((required || !s.empty()) && !parseIsoUtc(s)) {
        f.fail(key, "not a YYYY-MM-DDTHH:MM:SSZ time");
    }
    return s;
}

std::optional<std::time_t> isoTime(const Fields& f, const std::string& key) {
    const std::string s = isoText(f, key, false);
    return s.empty() ? std::nullopt : parseIsoUtc(s);
}

/// [a-z0-9-]{0,32}
std::string word(const Fields& f, const std::string& key) {
    const std::string s = f.optStr(key);
    if (s.size() > 32 || !std::all_of(s.begin(), s.end(), isWordChar)) {
        f.fail(key, "not a word of a-z 0-9 -");
    }
    return s;
}

long long counter(const Fields& f, const std::string& key, long long max) {
    const std::int64_t n = f.int64(key);
    if (n < 0 || n > max) {
        f.fail(key, "out of range");
    }
    return n;
}

std::string shortText(const Fields& f, const std::string& key, std::size_t max) {
    const std::string s = f.optStr(key);
    if (s.size() > max) {
        f.fail(key, "longer than " + std::to_string(max) + " bytes");
    }
    return s;
}

void setTime(Object& o, const std::string& key, const std::optional<std::time_t>& t) {
    if (t) {
        o.set(key, formatIsoUtc(*t));
    }
}

Object::Ptr fieldsObject(const std::map<std::string, std::string>& fields) {
    Object::Ptr o = detail::newObject();
    for (const auto& [name, value] : fields) {
        o->set(name, value);
    }
    return o;
}

/// {"domains": "<hex>", ...}: setting names of [a-z_] and lower-case hex values.
std::map<std::string, std::string> readFields(const Fields& f, const std::string& key) {
    std::map<std::string, std::string> out;
    const Object::Ptr o = f.object(key);
    if (!o) {
        return out;
    }
    if (o->size() > 16) {
        f.fail(key, "too many settings");
    }
    const Fields inner(*o, f.at(key));
    for (const std::string& name : o->getNames()) {
        if (name.empty() || name.size() > 32 || !std::all_of(name.begin(), name.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || c == '_';
            })) {
            f.fail(key, "not a setting name");
        }
        out.emplace(name, hexText(inner, name, 0, true));
    }
    return out;
}

Array::Ptr stringArray(const std::vector<std::string>& items) {
    Array::Ptr a = new Array;
    for (const std::string& s : items) {
        a->add(s);
    }
    return a;
}

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

// --- current/<name> ----------------------------------------------------------------------------

std::string toJson(const CurrentRecord& r) {
    Object::Ptr o = detail::newObject();
    o->set("version", r.version);
    if (r.highest > r.version) {
        o->set("highest", r.highest);
    }
    o->set("sha256", r.sha256);
    o->set("serial", r.serial);
    o->set("notBefore", r.notBefore);
    o->set("notAfter", r.notAfter);
    o->set("fence", std::to_string(r.fence));
    if (r.rollback) {
        o->set("rollback", true);
    }
    if (!r.configFingerprint.empty()) {
        o->set("configFingerprint", r.configFingerprint);
        o->set("configFields", fieldsObject(r.configFields));
    }
    return detail::toJson(*o);
}

CurrentRecord parseCurrent(const std::string& json, const std::string& key) {
    return reading(json, key, kMaxCurrentBytes, [](const Fields& f) {
        CurrentRecord r;
        r.version = counter(f, "version", 999999);
        if (r.version == 0) {
            f.fail("version", "missing");
        }
        r.sha256 = hexText(f, "sha256", 64, true);
        r.serial = serialText(f, "serial");
        r.notBefore = isoText(f, "notBefore", true);
        r.notAfter = isoText(f, "notAfter", true);
        r.fence = f.int64("fence");
        if (r.fence <= 0) {
            f.fail("fence", "missing");
        }
        r.highest = std::max<long long>(counter(f, "highest", 999999), r.version);
        r.rollback = f.boolean("rollback");
        r.configFingerprint = hexText(f, "configFingerprint", 64, false);
        r.configFields = readFields(f, "configFields");
        return r;
    });
}

// --- versions/<name>/<NNNN> ---------------------------------------------------------------------

std::string toJson(const VersionRecord& r) {
    const VersionFacts& m = r.meta;
    Object::Ptr meta = detail::newObject();
    if (m.orderId > 0) {
        meta->set("orderId", m.orderId);
    }
    if (!m.orderRef.empty()) {
        meta->set("orderRef", m.orderRef);
    }
    meta->set("serial", m.serial);
    meta->set("sha256", m.sha256);
    meta->set("notBefore", m.notBefore);
    meta->set("notAfter", m.notAfter);
    meta->set("names", stringArray(m.names));
    if (!m.keyType.empty()) {
        meta->set("keyType", m.keyType);
    }
    if (!m.createdAt.empty()) {
        meta->set("createdAt", m.createdAt);
    }
    Object::Ptr o = detail::newObject();
    o->set("meta", meta);
    o->set("sealed", detail::base64Encode(r.sealed));
    return detail::toJson(*o);
}

VersionRecord parseVersion(const std::string& json, const std::string& key) {
    return reading(json, key, kMaxVersionBytes, [](const Fields& f) {
        VersionRecord r;
        const Fields m(*f.object("meta", true), "meta");
        r.meta.orderId = counter(m, "orderId", (1LL << 53) - 1);
        r.meta.orderRef = shortText(m, "orderRef", 2048);
        r.meta.serial = serialText(m, "serial");
        r.meta.sha256 = hexText(m, "sha256", 64, true);
        r.meta.notBefore = isoText(m, "notBefore", true);
        r.meta.notAfter = isoText(m, "notAfter", true);
        r.meta.names = m.strings("names", kMaxItems);
        r.meta.keyType = shortText(m, "keyType", 32);
        r.meta.createdAt = isoText(m, "createdAt", false);
        r.sealed = f.bytes("sealed", kMaxSealedBytes);
        if (r.sealed.empty()) {
            f.fail("sealed", "missing");
        }
        return r;
    });
}

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

// --- acks/<name>/<host> -------------------------------------------------------------------------

std::string toJson(const AckRecord& r) {
    Object::Ptr o = detail::newObject();
    o->set("fence", std::to_string(r.fence));
    o->set("placed", stringArray(r.placed));
    o->set("selfCheck", r.selfCheck);
    return detail::toJson(*o);
}

AckRecord parseAck(const std::string& json, const std::string& key) {
    return reading(json, key, kMaxAckBytes, [](const Fields& f) {
        AckRecord r;
        r.fence = f.int64("fence");
        if (r.fence <= 0) {
            f.fail("fence", "missing");
        }
        r.placed = f.strings("placed", kMaxItems);
        r.selfCheck = f.boolean("selfCheck");
        return r;
    });
}

// --- members/<host> -----------------------------------------------------------------------------

std::string toJson(const MemberRecord& r) {
    Object::Ptr certs = detail::newObject();
    for (const auto& [name, c] : r.certs) {
        Object::Ptr one = detail::newObject();
        one->set("sha256", c.sha256);
        one->set("exit", c.exit);
        setTime(*one, "at", c.at);
        certs->set(name, one);
    }
    Object::Ptr o = detail::newObject();
    o->set("agent", r.agent);
    setTime(*o, "lastRun", r.lastRun);
    o->set("certs", certs);
    return detail::toJson(*o);
}

MemberRecord parseMember(const std::string& json, const std::string& key) {
    return reading(json, key, kMaxMemberBytes, [](const Fields& f) {
        MemberRecord r;
        r.agent = shortText(f, "agent", 64);
        r.lastRun = isoTime(f, "lastRun");
        const Object::Ptr certs = f.object("certs");
        if (certs && certs->size() > kMaxMemberCerts) {
            f.fail("certs", "too many certificates");
        }
        for (const std::string& name : certs ? certs->getNames() : std::vector<std::string>()) {
            if (!isValidCertName(name)) {
                f.fail("certs", "not a certificate name: \"" + escapeForLog(name, 80) + "\"");
            }
            const Fields c(*Fields(*certs, f.at("certs")).object(name, true),
                           f.at("certs") + "." + name);
            MemberCert mc;
            mc.sha256 = hexText(c, "sha256", 64, false);
            mc.exit = static_cast<int>(counter(c, "exit", 255));
            mc.at = isoTime(c, "at");
            r.certs.emplace(name, mc);
        }
        return r;
    });
}

} // namespace certagent::cluster
