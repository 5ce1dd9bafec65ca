#include "cluster/RecordFields.h"

#include "util/IsoTime.h"

#include <algorithm>

namespace certagent::cluster::detail {

using Poco::JSON::Array;
using Poco::JSON::Object;

bool isLowerHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool isWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
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

} // namespace certagent::cluster::detail
