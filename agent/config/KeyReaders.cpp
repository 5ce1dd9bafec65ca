#include "config/KeyReaders.h"

#include "config/Config.h"
#include "util/Text.h"

#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <algorithm>
#include <regex>

namespace certagent::config {

namespace {

std::string quote(const std::string& text) {
    return "\"" + escapeForLog(text, 200) + "\"";
}

} // namespace

std::string Field::what() const {
    return file.where(place.section, place.key) + ": " + keyLabel(place.section, place.key);
}

std::string Field::quoted() const {
    return quote(value);
}

void Field::fail(const std::string& message) const {
    file.fail(place.section, place.key, message);
}

std::string describe(const std::string& key, const std::vector<std::string>& values) {
    std::string list;
    for (const auto& v : values)
        list += (list.empty() ? "" : " or ") + v;
    return key + " = " + list;
}

std::string pathValue(const Field& f) {
    if (f.value.empty() || f.value[0] == '/')
        return f.value;
    return f.place.baseDir + "/" + f.value;
}

std::string absolutePathValue(const Field& f) {
    if (f.value.empty() || f.value[0] != '/' || f.value.find("/../") != std::string::npos)
        f.fail("must be an absolute path: " + f.quoted());
    return f.value;
}

std::string httpsUrlValue(const Field& f) {
    if (f.value.compare(0, 8, "https://") != 0)
        f.fail("must start with https://");
    return f.value;
}

Seconds durationValue(const Field& f) {
    return parseDuration(f.value, f.what());
}

long long intValue(const Field& f, long long min, long long max) {
    static const std::regex digits("[0-9]{1,12}");
    if (!std::regex_match(f.value, digits))
        f.fail("not a whole number: " + f.quoted());
    long long n = std::stoll(f.value);
    if (n < min || n > max)
        f.fail("out of range " + std::to_string(min) + ".." + std::to_string(max) + ": " + f.value);
    return n;
}

std::string oneOfValue(const Field& f, const std::vector<std::string>& allowed) {
    if (std::find(allowed.begin(), allowed.end(), f.value) != allowed.end())
        return f.value;
    std::string list;
    for (const auto& a : allowed)
        list += (list.empty() ? "" : " | ") + a;
    f.fail("expected " + list + ", not " + f.quoted());
}

bool flagValue(const Field& f) {
    std::string v = Poco::toLower(f.value);
    if (v.empty() || v == "no" || v == "false" || v == "0" || v == "off")
        return false;
    if (v == "yes" || v == "true" || v == "1" || v == "on")
        return true;
    f.fail("expected yes or no, not " + f.quoted());
}

std::string printableValue(const Field& f) {
    for (unsigned char c : f.value)
        if (c < 0x20 || c == 0x7f)
            f.fail("contains a control character");
    return f.value;
}

std::vector<std::string> namesValue(const Field& f, std::size_t max,
                                    const std::function<void(const std::string&)>& each) {
    if (Poco::trim(f.value).empty())
        f.fail("missing");
    std::vector<std::string> names;
    Poco::StringTokenizer tok(f.value, ",", Poco::StringTokenizer::TOK_TRIM);
    for (const auto& raw : tok) {
        std::string name = Poco::toLower(raw);
        if (name.empty())
            f.fail("empty name in list");
        if (isIpAddress(name))
            f.fail("IP addresses are not valid here: " + quote(raw));
        if (!isValidDomain(name))
            f.fail("not a valid domain name: " + quote(raw));
        if (std::find(names.begin(), names.end(), name) != names.end())
            f.fail("listed twice: " + name);
        each(name);
        names.push_back(name);
    }
    if (names.size() > max)
        f.fail("more than " + std::to_string(max) + " names");
    return names;
}

void checkContactKey(const Field& f) {
    const auto& keys = contactKeys();
    if (std::find(keys.begin(), keys.end(), f.place.key) == keys.end())
        f.fail("unknown contact field");
}

} // namespace certagent::config
