#include "store/VersionMeta.h"

#include "store/JsonFields.h"
#include "util/Error.h"

namespace certagent::store {

namespace {

const char* const kWhat = "meta.json";

Poco::JSON::Object::Ptr stampToJson(const VersionFileStamp& s) {
    Poco::JSON::Object::Ptr o = json::newObject();
    o->set("inode", static_cast<Poco::UInt64>(s.inode));
    o->set("size", static_cast<Poco::Int64>(s.size));
    o->set("mtimeNs", static_cast<Poco::Int64>(s.mtimeNs));
    o->set("mode", static_cast<Poco::Int64>(s.mode));
    return o;
}

VersionFileStamp stampFromJson(const Poco::JSON::Object& o) {
    VersionFileStamp s;
    s.inode = static_cast<unsigned long long>(json::getInt(o, "inode", kWhat));
    s.size = json::getInt(o, "size", kWhat);
    s.mtimeNs = json::getInt(o, "mtimeNs", kWhat);
    s.mode = static_cast<unsigned>(json::getInt(o, "mode", kWhat));
    return s;
}

} // namespace

std::string VersionMeta::toJson() const {
    Poco::JSON::Object::Ptr o = json::newObject();
    writeOrder(*o, order);
    o->set("serial", serial);
    o->set("sha256", sha256);
    o->set("notBefore", notBefore);
    o->set("notAfter", notAfter);
    json::setStrings(*o, "names", names);
    o->set("keyType", keyType);
    o->set("createdAt", createdAt);
    Poco::JSON::Object::Ptr f = json::newObject();
    for (const auto& [file, stamp] : files) {
        f->set(file, stampToJson(stamp));
    }
    o->set("files", f);
    return json::stringify(*o);
}

VersionMeta VersionMeta::fromJson(const std::string& text) {
    Poco::JSON::Object::Ptr o = json::parseObject(text, kWhat);
    VersionMeta m;
    m.order = readOrder(*o, kWhat);
    m.serial = json::getString(*o, "serial", kWhat);
    m.sha256 = json::getString(*o, "sha256", kWhat);
    m.notBefore = json::getString(*o, "notBefore", kWhat);
    m.notAfter = json::getString(*o, "notAfter", kWhat);
    m.names = json::getStrings(*o, "names", kWhat);
    m.keyType = json::getString(*o, "keyType", kWhat);
    m.createdAt = json::getString(*o, "createdAt", kWhat);
    if (o->has("files") && !o->isNull("files")) {
        Poco::JSON::Object::Ptr f = o->getObject("files");
        if (f.isNull()) {
            throw Error(std::string(kWhat) + ": field \"files\" is not an object");
        }
        for (const auto& key : f->getNames()) {
            Poco::JSON::Object::Ptr s = f->getObject(key);
            if (s.isNull()) {
                throw Error(std::string(kWhat) + ": files." + key + " is not an object");
            }
            m.files[key] = stampFromJson(*s);
        }
    }
    return m;
}

} // namespace certagent::store
