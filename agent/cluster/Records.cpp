#include "cluster/Records.h"

#include "cluster/Envelope.h"
#include "cluster/RecordFields.h"
#include "util/CertName.h"
#include "util/Text.h"

namespace certagent::cluster {

using namespace detail;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

constexpr std::size_t kMaxCurrentBytes = 8 * 1024;
constexpr std::size_t kMaxVersionBytes = 1536 * 1024;
constexpr std::size_t kMaxAckBytes = 64 * 1024;
constexpr std::size_t kMaxMemberBytes = 1536 * 1024;
constexpr std::size_t kMaxMemberCerts = 100000;

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
