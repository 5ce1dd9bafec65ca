#include "cluster/AccountRecord.h"

#include "cluster/Envelope.h"
#include "cluster/RecordFields.h"

namespace certagent::cluster {

namespace {

constexpr std::size_t kMaxAccountBytes = 64 * 1024;
constexpr std::size_t kMaxUrl = 2048;
constexpr std::size_t kMaxContacts = 20;

} // namespace

std::string toJson(const AccountRecord& r) {
    const core::AcmeAccountRecord& a = r.account;
    Poco::JSON::Object::Ptr o = detail::newObject();
    o->set("directory", a.directoryUrl);
    o->set("accountUrl", a.accountUrl);
    o->set("ordersUrl", a.ordersUrl);
    o->set("contact", detail::stringArray(a.contact));
    o->set("eabKid", a.eabKid);
    o->set("createdAt", a.createdAt);
    o->set("host", r.host);
    o->set("sealedKey", detail::base64Encode(r.sealedKey));
    return detail::toJson(*o);
}

AccountRecord parseAccount(const std::string& json, const std::string& key,
                           const std::string& directoryUrl) {
    return detail::reading(json, key, kMaxAccountBytes, [&](const detail::Fields& f) {
        AccountRecord r;
        core::AcmeAccountRecord& a = r.account;
        a.directoryUrl = detail::shortText(f, "directory", kMaxUrl);
        a.accountUrl = detail::shortText(f, "accountUrl", kMaxUrl);
        a.ordersUrl = detail::shortText(f, "ordersUrl", kMaxUrl);
        a.contact = f.strings("contact", kMaxContacts);
        a.eabKid = detail::shortText(f, "eabKid", kMaxUrl);
        a.createdAt = detail::isoText(f, "createdAt", false);
        r.host = detail::shortText(f, "host", 64);
        r.sealedKey = f.bytes("sealedKey", kMaxSealedBytes);
        if (a.directoryUrl != directoryUrl)
            f.fail("directory", "another CA's (\"" + escapeForLog(a.directoryUrl, 200) + "\")");
        if (a.accountUrl.rfind("https://", 0) != 0)
            f.fail("accountUrl", "not an https URL");
        if (r.sealedKey.empty())
            f.fail("sealedKey", "missing");
        return r;
    });
}

} // namespace certagent::cluster
