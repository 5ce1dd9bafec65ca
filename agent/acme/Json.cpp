#include "acme/Json.h"

#include "util/Json.h"
#include "util/Text.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>

namespace certagent::acme::detail {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::size_t kMaxDepth = 16;

std::string checked(const Var& v, const std::string& what) {
    if (!v.isString()) {
        throw BadReply(what + ": not a string");
    }
    const std::string s = v.extract<std::string>();
    if (s.size() > kMaxStringBytes) {
        throw BadReply(what + ": longer than " + std::to_string(kMaxStringBytes) + " bytes");
    }
    if (!isValidUtf8(s)) {
        throw BadReply(what + ": NUL or invalid UTF-8");
    }
    return s;
}

} // namespace

Object::Ptr parseJson(const std::string& body, const std::string& what) {
    if (body.size() > kMaxJsonBytes) {
        throw BadReply(what + ": reply body larger than " + std::to_string(kMaxJsonBytes) +
                       " bytes");
    }
    JsonObjectText parsed = parseJsonObject(body, kMaxDepth);
    if (!parsed.object) {
        throw BadReply(what + ": reply is " + parsed.problem, true); // may have been cut: transient
    }
    return parsed.object;
}

Fields::Fields(const Object& obj, std::string where) : m_obj(obj), m_where(std::move(where)) {}

void Fields::fail(const std::string& key, const std::string& why) const {
    throw BadReply(m_where + "." + key + ": " + why);
}

bool Fields::has(const std::string& key) const {
    return m_obj.has(key) && !m_obj.isNull(key);
}

std::string Fields::str(const std::string& key) const {
    if (!has(key)) {
        fail(key, "missing");
    }
    std::string s = checked(m_obj.get(key), m_where + "." + key);
    if (s.empty()) {
        fail(key, "empty");
    }
    return s;
}

std::string Fields::optStr(const std::string& key) const {
    return has(key) ? checked(m_obj.get(key), m_where + "." + key) : std::string();
}

bool Fields::flag(const std::string& key) const {
    if (!has(key)) {
        return false;
    }
    const Var v = m_obj.get(key);
    if (!v.isBoolean()) {
        fail(key, "not true or false");
    }
    return v.extract<bool>();
}

std::string Fields::oneOf(const std::string& key, const std::vector<std::string>& allowed) const {
    const std::string s = str(key);
    if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
        fail(key, "unknown value \"" + escapeForLog(s, 64) + "\"");
    }
    return s;
}

std::string Fields::url(const std::string& key, const Origin& origin) const {
    return origin.check(str(key), m_where + "." + key);
}

std::string Fields::optUrl(const std::string& key, const Origin& origin) const {
    return has(key) ? url(key, origin) : std::string();
}

Array::Ptr Fields::array(const std::string& key, std::size_t maxItems) const {
    if (!has(key)) {
        fail(key, "missing");
    }
    const Var v = m_obj.get(key);
    if (v.type() != typeid(Array::Ptr)) {
        fail(key, "not an array");
    }
    Array::Ptr a = v.extract<Array::Ptr>();
    if (a->size() > maxItems) {
        fail(key, std::to_string(a->size()) + " entries (at most " + std::to_string(maxItems) +
                      " accepted)");
    }
    return a;
}

std::vector<std::string> Fields::strings(const std::string& key, std::size_t maxItems) const {
    std::vector<std::string> out;
    if (!has(key)) {
        return out;
    }
    const Array::Ptr a = array(key, maxItems);
    for (std::size_t i = 0; i < a->size(); ++i) {
        out.push_back(stringAt(*a, i, m_where + "." + key));
    }
    return out;
}

Object::Ptr Fields::object(const std::string& key) const {
    if (!has(key)) {
        return nullptr;
    }
    const Var v = m_obj.get(key);
    if (!isJsonObject(v)) {
        fail(key, "not an object");
    }
    return v.extract<Object::Ptr>();
}

Object::Ptr objectAt(const Array& array, std::size_t i, const std::string& where) {
    const Var v = array.get(static_cast<unsigned>(i));
    if (!isJsonObject(v)) {
        throw BadReply(where + "[" + std::to_string(i) + "]: not an object");
    }
    return v.extract<Object::Ptr>();
}

std::string stringAt(const Array& array, std::size_t i, const std::string& where) {
    const std::string what = where + "[" + std::to_string(i) + "]";
    std::string s = checked(array.get(static_cast<unsigned>(i)), what);
    if (s.empty()) {
        throw BadReply(what + ": empty");
    }
    return s;
}

} // namespace certagent::acme::detail
