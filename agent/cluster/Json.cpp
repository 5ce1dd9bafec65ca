#include "cluster/Json.h"

#include "util/Json.h"
#include "util/Text.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <sstream>

namespace certagent::cluster::detail {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

bool isArrayVar(const Var& v) {
    return v.type() == typeid(Array::Ptr);
}

bool isBase64Char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

/// Decimal int64, optionally negative, no sign on zero-padded junk; nullopt if not one.
bool parseDecimal(const std::string& s, std::int64_t& out) {
    const std::size_t start = !s.empty() && s[0] == '-' ? 1 : 0;
    if (s.size() == start || s.size() - start > 19 ||
        !std::all_of(s.begin() + static_cast<long>(start), s.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    try {
        std::size_t used = 0;
        out = std::stoll(s, &used);
        return used == s.size();
    } catch (const std::exception&) {
        return false; // out of range
    }
}

} // namespace

Object::Ptr parseObject(const std::string& text, std::size_t maxBytes) {
    if (text.size() > maxBytes) {
        throw BadJson("larger than " + std::to_string(maxBytes) + " bytes");
    }
    JsonObjectText parsed = parseJsonObject(text, kMaxJsonDepth);
    if (!parsed.object) {
        throw BadJson(parsed.problem);
    }
    return parsed.object;
}

std::string toJson(const Object& obj) {
    std::ostringstream out;
    obj.stringify(out);
    return out.str();
}

Object::Ptr newObject() {
    return new Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

std::string base64Encode(std::string_view bytes) {
    std::ostringstream out;
    {
        Poco::Base64Encoder encoder(out);
        encoder.rdbuf()->setLineLength(0);
        encoder.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        encoder.close();
    }
    return out.str();
}

std::string base64Decode(std::string_view text, const std::string& what) {
    // Poco's decoder skips whitespace and tolerates missing padding; etcd writes neither, so
    // anything else is refused before Poco sees it.
    std::size_t pad = 0;
    while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') {
        ++pad;
    }
    const bool shape = text.size() % 4 == 0 &&
                       std::all_of(text.begin(), text.end() - static_cast<long>(pad), isBase64Char);
    if (!shape) {
        throw BadJson(what + ": not base64");
    }
    std::istringstream in{std::string(text)};
    Poco::Base64Decoder decoder(in);
    std::string out;
    try {
        out.assign(std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>());
    } catch (const Poco::Exception&) {
        throw BadJson(what + ": not base64");
    }
    return out;
}

Fields::Fields(const Object& obj, std::string where, std::size_t maxString)
    : m_obj(obj), m_where(std::move(where)), m_maxString(maxString) {}

std::string Fields::at(const std::string& key) const {
    return m_where.empty() ? key : m_where + "." + key;
}

void Fields::fail(const std::string& key, const std::string& why) const {
    throw BadJson(at(key) + ": " + why);
}

bool Fields::has(const std::string& key) const {
    return m_obj.has(key) && !m_obj.get(key).isEmpty();
}

std::int64_t Fields::int64(const std::string& key) const {
    const Var v = m_obj.get(key);
    if (v.isEmpty()) {
        return 0;
    }
    std::int64_t n = 0;
    if (v.isString()) {
        if (!parseDecimal(v.extract<std::string>(), n)) {
            fail(key, "not an integer");
        }
        return n;
    }
    if (v.isInteger() && !v.isBoolean()) {
        try {
            return v.convert<Poco::Int64>();
        } catch (const Poco::Exception&) {
            fail(key, "integer out of range");
        }
    }
    fail(key, "not an integer");
}

std::int64_t Fields::requiredInt64(const std::string& key) const {
    if (!has(key)) {
        fail(key, "missing");
    }
    return int64(key);
}

bool Fields::boolean(const std::string& key) const {
    const Var v = m_obj.get(key);
    if (v.isEmpty()) {
        return false;
    }
    if (!v.isBoolean()) {
        fail(key, "not true or false");
    }
    return v.extract<bool>();
}

std::string Fields::str(const std::string& key) const {
    return text(m_obj.get(key), at(key));
}

std::string Fields::text(const Var& v, const std::string& where) const {
    if (!v.isString()) {
        throw BadJson(where + ": " + (v.isEmpty() ? "missing" : "not a string"));
    }
    const std::string& s = v.extract<std::string>();
    if (s.size() > m_maxString) {
        throw BadJson(where + ": longer than " + std::to_string(m_maxString) + " bytes");
    }
    if (!isValidUtf8(s)) {
        throw BadJson(where + ": NUL or invalid UTF-8");
    }
    return s;
}

std::string Fields::optStr(const std::string& key) const {
    return m_obj.get(key).isEmpty() ? std::string() : str(key);
}

std::string Fields::bytes(const std::string& key, std::size_t maxBytes) const {
    const Var v = m_obj.get(key);
    return v.isEmpty() ? std::string() : decoded(v, at(key), maxBytes);
}

std::vector<std::string> Fields::byteStrings(const std::string& key, std::size_t maxItems,
                                             std::size_t maxBytes) const {
    const Array::Ptr a = array(key, maxItems);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < a->size(); ++i) {
        out.push_back(decoded(a->get(static_cast<unsigned>(i)),
                              at(key) + "[" + std::to_string(i) + "]", maxBytes));
    }
    return out;
}

std::string Fields::decoded(const Var& v, const std::string& where, std::size_t maxBytes) const {
    if (!v.isString()) {
        throw BadJson(where + ": not a base64 string");
    }
    const std::string& text = v.extract<std::string>();
    const std::string tooLarge = where + ": larger than " + std::to_string(maxBytes) + " bytes";
    if (text.size() / 4 * 3 > maxBytes + 2) {
        throw BadJson(tooLarge);
    }
    std::string out = base64Decode(text, where);
    if (out.size() > maxBytes) {
        throw BadJson(tooLarge);
    }
    return out;
}

Object::Ptr Fields::object(const std::string& key, bool required) const {
    const Var v = m_obj.get(key);
    if (v.isEmpty()) {
        if (required) {
            fail(key, "missing");
        }
        return nullptr;
    }
    if (!isJsonObject(v)) {
        fail(key, "not an object");
    }
    return v.extract<Object::Ptr>();
}

Array::Ptr Fields::array(const std::string& key, std::size_t maxItems) const {
    const Var v = m_obj.get(key);
    if (v.isEmpty()) {
        return new Array;
    }
    if (!isArrayVar(v)) {
        fail(key, "not an array");
    }
    Array::Ptr a = v.extract<Array::Ptr>();
    if (a->size() > maxItems) {
        fail(key, "more than " + std::to_string(maxItems) + " items");
    }
    return a;
}

std::vector<std::string> Fields::strings(const std::string& key, std::size_t maxItems) const {
    const Array::Ptr a = array(key, maxItems);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < a->size(); ++i) {
        out.push_back(
            text(a->get(static_cast<unsigned>(i)), at(key) + "[" + std::to_string(i) + "]"));
    }
    return out;
}

Object::Ptr objectAt(const Array& array, std::size_t index, const std::string& where) {
    const Var v = array.get(static_cast<unsigned>(index));
    if (!isJsonObject(v)) {
        throw BadJson(where + "[" + std::to_string(index) + "]: not an object");
    }
    return v.extract<Object::Ptr>();
}

} // namespace certagent::cluster::detail
