#include "config/Config.h"
#include "util/Error.h"
#include "util/Text.h"

#include <Poco/StringTokenizer.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <regex>

namespace certagent::config {

const std::vector<std::string>& contactKeys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> k;
        for (const char* f : {"firstname", "lastname", "organization", "title", "email", "phone",
                              "fax", "addressline1", "addressline2", "addressline3", "city",
                              "country", "postalcode", "region"}) {
            k.push_back(std::string("admin_") + f);
            k.push_back(std::string("tech_") + f);
        }
        for (const char* f :
             {"name", "division", "duns", "addressline1", "addressline2", "addressline3", "city",
              "country", "fax", "phone", "postalcode", "region", "lei"})
            k.push_back(std::string("org_") + f);
        return k;
    }();
    return keys;
}

RenewBefore parseRenewBefore(const std::string& text, const std::string& what) {
    static const std::regex fraction("([0-9]{1,3})/([0-9]{1,3})");
    std::smatch m;
    RenewBefore r;
    std::string quoted = "\"" + escapeForLog(text, 80) + "\"";
    if (std::regex_match(text, m, fraction)) {
        r.numerator = std::stoll(m[1]);
        r.denominator = std::stoll(m[2]);
        if (r.numerator <= 0 || r.denominator <= 0 || r.numerator >= r.denominator)
            throw ConfigError(what + ": fraction must be between 0 and 1: " + quoted);
        return r;
    }
    if (!text.empty() && text.back() >= '0' && text.back() <= '9')
        throw ConfigError(what + ": expected a fraction like 1/3 or a duration like 30d, not " +
                          quoted);
    r.denominator = 0;
    r.duration = parseDuration(text, what);
    if (r.duration.count() <= 0)
        throw ConfigError(what + ": must be more than 0");
    return r;
}

Seconds RenewBefore::forLifetime(Seconds lifetime) const {
    if (denominator == 0)
        return duration;
    return Seconds(lifetime.count() * numerator / denominator);
}

std::string RenewBefore::text() const {
    if (denominator == 0)
        return formatDuration(duration);
    return std::to_string(numerator) + "/" + std::to_string(denominator);
}

bool isValidDomain(const std::string& name) {
    static const std::regex label("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    if (name.empty() || name.size() > 253)
        return false;
    std::string rest = name.compare(0, 2, "*.") == 0 ? name.substr(2) : name;
    Poco::StringTokenizer parts(rest, ".");
    if (parts.count() < 2 || rest.back() == '.')
        return false;
    for (const auto& part : parts)
        if (!std::regex_match(part, label))
            return false;
    return true;
}

bool isIpAddress(const std::string& text) {
    std::string t = text;
    if (t.size() > 2 && t.front() == '[' && t.back() == ']')
        t = t.substr(1, t.size() - 2);
    in6_addr v6{};
    in_addr v4{};
    if (::inet_pton(AF_INET6, t.c_str(), &v6) == 1)
        return true;
    // inet_aton, not inet_pton, for IPv4: it also takes the forms resolvers take ("127.1",
    // "0x7f.1"), which would otherwise pass as LDH names. It stops at whitespace, so none allowed.
    return t.find_first_of(" \t") == std::string::npos && ::inet_aton(t.c_str(), &v4) != 0;
}

} // namespace certagent::config
