#include "api/Json.h"

#include "util/Json.h"
#include "util/Text.h"

#include <Poco/DateTime.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

#include <algorithm>
#include <regex>
#include <sstream>

namespace certagent::api::detail {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

bool isDouble(const Var& v) {
    return v.type() == typeid(double) || v.type() == typeid(float);
}

/// Integer value of a JSON integer; throws UnreadableReply when out of 64-bit range.
long long asInt64(const Var& v, const std::string& what) {
    try {
        return v.convert<Poco::Int64>();
    } catch (const Poco::Exception&) {
        throw UnreadableReply(what + ": integer out of range");
    }
}

} // namespace

bool allDigits(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void checkString(const std::string& value, const std::string& what) {
    if (value.size() > kMaxStringBytes) {
        throw UnreadableReply(what + ": string too long");
    }
    if (!isValidUtf8(value)) {
        throw UnreadableReply(what + ": NUL or invalid UTF-8");
    }
}

Object::Ptr parseObject(const std::string& body) {
    JsonObjectText parsed = parseJsonObject(body, kMaxJsonDepth);
    if (!parsed.object) {
        throw UnreadableReply("reply is " + parsed.problem);
    }
    return parsed.object;
}

bool errorEnvelope(const Object& obj, std::string& message, std::string& description) {
    if (!obj.has("error")) {
        return false;
    }
    const Var e = obj.get("error");
    bool truthy = true;
    if (e.isEmpty()) {
        truthy = false;
    } else if (e.isBoolean()) {
        truthy = e.extract<bool>();
    } else if (e.isString()) {
        const std::string& s = e.extract<std::string>();
        truthy = !(s.empty() || s == "0" || s == "false");
    } else if (e.isInteger()) {
        truthy = e.convert<Poco::Int64>() != 0;
    }
    if (!truthy) {
        return false;
    }
    const auto textOf = [&](const char* key) {
        const Var v = obj.get(key);
        return v.isString() ? v.extract<std::string>() : std::string();
    };
    message = textOf("message");
    description = textOf("description");
    return true;
}

Reader::Reader(const Object& obj, std::string where) : m_obj(obj), m_where(std::move(where)) {}

void Reader::fail(const std::string& key, const std::string& why) const {
    throw UnreadableReply((m_where.empty() ? "" : m_where + ".") + key + ": " + why);
}

bool Reader::has(const std::string& key) const {
    return m_obj.has(key);
}

Var Reader::get(const std::string& key) const {
    return m_obj.get(key);
}

std::string Reader::str(const std::string& key) const {
    const Var v = get(key);
    if (!v.isString()) {
        fail(key, v.isEmpty() ? "missing" : "not a string");
    }
    const std::string& s = v.extract<std::string>();
    checkString(s, m_where + "." + key);
    return s;
}

std::string Reader::optStr(const std::string& key) const {
    return get(key).isEmpty() ? std::string() : str(key);
}

std::string Reader::text(const std::string& key) const {
    const Var v = get(key);
    if (v.isEmpty()) {
        return {};
    }
    if (v.isString()) {
        return str(key);
    }
    if (v.isBoolean()) {
        fail(key, "not a string or number");
    }
    if (v.isInteger()) {
        return std::to_string(asInt64(v, m_where + "." + key));
    }
    if (isDouble(v)) {
        return v.convert<std::string>();
    }
    fail(key, "not a string or number");
}

long long Reader::id(const std::string& key) const {
    const Var v = get(key);
    long long n = 0;
    if (v.isBoolean()) {
        fail(key, "not an integer");
    } else if (v.isInteger()) {
        n = asInt64(v, m_where + "." + key);
    } else if (v.isString()) {
        const std::string& s = v.extract<std::string>();
        if (!allDigits(s) || s.size() > 16) {
            fail(key, "not a positive integer");
        }
        n = std::stoll(s);
    } else {
        fail(key, v.isEmpty() ? "missing" : "not an integer");
    }
    if (n <= 0 || n > kMaxId) {
        fail(key, "id out of range");
    }
    return n;
}

long long Reader::integer(const std::string& key, long long fallback) const {
    const Var v = get(key);
    if (v.isEmpty()) {
        return fallback;
    }
    if (v.isBoolean()) {
        fail(key, "not an integer");
    }
    if (v.isInteger()) {
        return asInt64(v, m_where + "." + key);
    }
    if (!v.isString()) {
        fail(key, "not an integer");
    }
    const std::string& s = v.extract<std::string>();
    if (s.empty()) {
        return fallback;
    }
    const std::string digits = s[0] == '-' ? s.substr(1) : s;
    if (!allDigits(digits) || digits.size() > 18) {
        fail(key, "not an integer");
    }
    return std::stoll(s);
}

int Reader::smallInt(const std::string& key, int fallback) const {
    const long long n = integer(key, fallback);
    if (n < -1000000000LL || n > 1000000000LL) {
        fail(key, "integer out of range");
    }
    return static_cast<int>(n);
}

bool Reader::flag(const std::string& key) const {
    const Var v = get(key);
    if (v.isEmpty()) {
        return false;
    }
    if (v.isBoolean()) {
        return v.extract<bool>();
    }
    if (v.isInteger()) {
        return asInt64(v, key) != 0;
    }
    if (v.isString()) {
        const std::string& s = v.extract<std::string>();
        if (s.empty() || s == "0" || s == "no" || s == "false") {
            return false;
        }
        if (s == "1" || s == "yes" || s == "true") {
            return true;
        }
    }
    fail(key, "not a flag");
}

std::optional<Date> Reader::date(const std::string& key) const {
    const std::string s = optStr(key);
    if (s.empty() || s.rfind("0000-00-00", 0) == 0) {
        return std::nullopt;
    }
    // The API's "YYYY-MM-DD[ HH:MM[:SS]]" (zone unstated: the date as written), or RFC 3339
    // "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" (the date in UTC).
    static const std::regex shape(
        R"((\d{4})-(\d{2})-(\d{2}))"
        R"((?: (\d{2}):(\d{2})(?::(\d{2}))?)"
        R"(|[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2})))?)");
    std::smatch m;
    if (s.size() > 40 || !std::regex_match(s, m, shape)) {
        fail(key, "not a date (YYYY-MM-DD[ HH:MM[:SS]] or RFC 3339)");
    }
    const auto num = [&m](std::size_t i) { return m[i].matched ? std::stoi(m[i].str()) : 0; };
    const bool rfc = m[7].matched;
    const int hour = num(rfc ? 7 : 4), minute = num(rfc ? 8 : 5), second = num(rfc ? 9 : 6);
    if (num(1) < 1970 || !Poco::DateTime::isValid(num(1), num(2), num(3), hour, minute, second) ||
        num(11) > 23 || num(12) > 59) {
        fail(key, "date out of range");
    }
    if (!m[10].matched) {
        return Date{num(1), num(2), num(3)};
    }
    Poco::DateTime utc(num(1), num(2), num(3), hour, minute, second);
    utc.makeUTC((m[10].str() == "-" ? -1 : 1) * (num(11) * 3600 + num(12) * 60));
    if (utc.year() < 1970) {
        fail(key, "date out of range");
    }
    return Date{utc.year(), utc.month(), utc.day()};
}

std::string Reader::pem(const std::string& key) const {
    const Var v = get(key);
    if (v.isEmpty()) {
        return {};
    }
    if (!v.isString()) {
        fail(key, "not a string");
    }
    const std::string& s = v.extract<std::string>();
    if (s.size() > kMaxPemBytes) {
        fail(key, "PEM text too large");
    }
    checkString(s, m_where + "." + key);
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        // Every CR before an LF goes, also "\r\r\n" (dropping one CR of it left a CRLF).
        while (c == '\n' && !out.empty() && out.back() == '\r') {
            out.pop_back();
        }
        out += c;
    }
    return out;
}

Object::Ptr Reader::object(const std::string& key) const {
    const Var v = get(key);
    if (v.isEmpty()) {
        return nullptr;
    }
    if (isObject(v)) {
        return v.extract<Object::Ptr>();
    }
    if (isArray(v) && v.extract<Array::Ptr>()->size() == 0) {
        return nullptr;
    }
    if (v.isString() && v.extract<std::string>().empty()) {
        return nullptr;
    }
    fail(key, "not an object");
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        std::string item = Poco::trim(text.substr(start, comma - start));
        if (!item.empty()) {
            out.push_back(std::move(item));
        }
        start = comma + 1;
    }
    return out;
}

} // namespace certagent::api::detail
