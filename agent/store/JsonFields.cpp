#include "store/JsonFields.h"

#include "util/Error.h"
#include "util/IsoTime.h"
#include "util/Json.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace certagent::store::json {

namespace {

constexpr size_t kMaxDepth = 16;

[[noreturn]] void wrongType(const std::string& what, const std::string& key, const char* want) {
    throw Error(what + ": field \"" + key + "\" is not " + want);
}

} // namespace

Poco::JSON::Object::Ptr parseObject(const std::string& text, const std::string& what) {
    JsonObjectText parsed = parseJsonObject(text, kMaxDepth);
    if (!parsed.object) {
        throw Error(what + ": " + parsed.problem);
    }
    return parsed.object;
}

std::string stringify(const Poco::JSON::Object& obj) {
    std::ostringstream out;
    obj.stringify(out, 2);
    out << '\n';
    return out.str();
}

Poco::JSON::Object::Ptr newObject() {
    return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

std::string getString(const Poco::JSON::Object& o, const std::string& key,
                      const std::string& what) {
    if (!o.has(key) || o.isNull(key)) {
        return {};
    }
    Poco::Dynamic::Var v = o.get(key);
    if (!v.isString()) {
        wrongType(what, key, "a string");
    }
    return v.extract<std::string>();
}

long long getInt(const Poco::JSON::Object& o, const std::string& key, const std::string& what) {
    if (!o.has(key) || o.isNull(key)) {
        return 0;
    }
    Poco::Dynamic::Var v = o.get(key);
    if (!v.isInteger()) {
        wrongType(what, key, "an integer");
    }
    try {
        return v.convert<long long>();
    } catch (const Poco::Exception&) {
        wrongType(what, key, "an integer in range");
    }
}

std::optional<std::time_t> getTime(const Poco::JSON::Object& o, const std::string& key,
                                   const std::string& what) {
    const std::string text = getString(o, key, what);
    if (text.empty()) {
        return std::nullopt;
    }
    auto t = parseIsoUtc(text);
    if (!t) {
        wrongType(what, key, "an ISO 8601 UTC time");
    }
    return t;
}

std::vector<std::string> getStrings(const Poco::JSON::Object& o, const std::string& key,
                                    const std::string& what) {
    std::vector<std::string> out;
    if (!o.has(key) || o.isNull(key)) {
        return out;
    }
    Poco::JSON::Array::Ptr arr = o.getArray(key);
    if (arr.isNull()) {
        wrongType(what, key, "an array");
    }
    for (size_t i = 0; i < arr->size(); ++i) {
        Poco::Dynamic::Var v = arr->get(static_cast<unsigned>(i));
        if (!v.isString()) {
            wrongType(what, key, "an array of strings");
        }
        out.push_back(v.extract<std::string>());
    }
    return out;
}

void setTime(Poco::JSON::Object& o, const std::string& key, const std::optional<std::time_t>& t) {
    if (t) {
        o.set(key, formatIsoUtc(*t));
    }
}

void setStrings(Poco::JSON::Object& o, const std::string& key, const std::vector<std::string>& v) {
    Poco::JSON::Array::Ptr arr = new Poco::JSON::Array;
    for (const auto& s : v) {
        arr->add(s);
    }
    o.set(key, arr);
}

} // namespace certagent::store::json
