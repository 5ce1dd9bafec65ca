#include "cluster/AccountRecord.h"

#include "cluster/Envelope.h"
#include "cluster/Json.h"
#include "cluster/Records.h"
#include "util/Text.h"

#include <Poco/JSON/Array.h>

namespace certagent::cluster {

namespace {

constexpr std::size_t kMaxAccountBytes = 64 * 1024;
constexpr std::size_t kMaxText = 4096;
constexpr std::size_t kMaxContacts = 20;

} // namespace

std::string toJson(const AccountRecord& r) {
    const core::AcmeAccountRecord& a = r.account;
    Poco::JSON::Object::Ptr o = detail::newObject();
    o->set("directory", a.directoryUrl);
    o->set("accountUrl", a.accountUrl);
    o->set("ordersUrl", a.ordersUrl);
    Poco::JSON::Array contact;
    for (const auto& c : a.contact)
        contact.add(c);
    o->set("contact", contact);
    o->set("eabKid", a.eabKid);
    o->set("createdAt", a.createdAt);
    o->set("host", r.host);
    o->set("sealedKey", detail::base64Encode(r.sealedKey));
    return detail::toJson(*o);
}

AccountRecord parseAccount(const std::string& json, const std::string& key,
                           const std::string& directoryUrl) {
    try {
        const Poco::JSON::Object::Ptr obj = detail::parseObject(json, kMaxAccountBytes);
        const detail::Fields f(*obj, "", kMaxText);
        AccountRecord r;
        core::AcmeAccountRecord& a = r.account;
        a.directoryUrl = f.str("directory");
        a.accountUrl = f.str("accountUrl");
        a.ordersUrl = f.optStr("ordersUrl");
        a.contact = f.strings("contact", kMaxContacts);
        a.eabKid = f.optStr("eabKid");
        a.createdAt = f.optStr("createdAt");
        r.host = f.optStr("host");
        r.sealedKey = f.bytes("sealedKey", kMaxSealedBytes);
        if (a.directoryUrl != directoryUrl)
            f.fail("directory", "another CA's (\"" + escapeForLog(a.directoryUrl, 200) + "\")");
        if (a.accountUrl.rfind("https://", 0) != 0)
            f.fail("accountUrl", "not an https URL");
        if (r.sealedKey.empty())
            f.fail("sealedKey", "missing");
        return r;
    } catch (const detail::BadJson& e) {
        throw RecordError("etcd record " + escapeForLog(key, 200) + ": " + e.what());
    }
}

} // namespace certagent::cluster
