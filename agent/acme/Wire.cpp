#include "acme/Wire.h"

#include "util/Error.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <strings.h>

namespace certagent::acme {
namespace {

constexpr std::size_t kMaxUrlBytes = 2048;

bool printableAscii(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) {
        return {};
    }
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

/// Splits at commas that are outside <...> and "..." (a URL may contain commas).
std::vector<std::string> splitEntries(const std::string& value) {
    std::vector<std::string> out(1);
    bool inUrl = false, inQuote = false;
    for (char c : value) {
        if (c == '<' && !inQuote) {
            inUrl = true;
        } else if (c == '>' && !inQuote) {
            inUrl = false;
        } else if (c == '"' && !inUrl) {
            inQuote = !inQuote;
        } else if (c == ',' && !inUrl && !inQuote) {
            out.emplace_back();
            continue;
        }
        out.back() += c;
    }
    return out;
}

/// The rel parameter of `; rel="x"` / `;rel=x` parameters ("" when none).
std::string relOf(const std::string& params) {
    std::size_t at = 0;
    while ((at = params.find(';', at)) != std::string::npos) {
        std::string param = trim(params.substr(at + 1, params.find(';', at + 1) - at - 1));
        ++at;
        const auto eq = param.find('=');
        if (eq == std::string::npos ||
            ::strcasecmp(trim(param.substr(0, eq)).c_str(), "rel") != 0) {
            continue;
        }
        std::string value = trim(param.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
            value = value.substr(1, value.size() - 2);
        }
        return value;
    }
    return {};
}

std::optional<std::chrono::system_clock::time_point> parseTime(const std::string& format,
                                                               const std::string& value) {
    Poco::DateTime date;
    int tzd = 0;
    if (value.empty() || !Poco::DateTimeParser::tryParse(format, value, date, tzd)) {
        return std::nullopt;
    }
    date.makeUTC(tzd);
    if (date.year() < 1970 || date.year() > 9999) {
        return std::nullopt;
    }
    return timePointOf(date.timestamp().epochTime()); // saturates after 2200 (the clock: 2262)
}

} // namespace

std::optional<std::chrono::system_clock::time_point> parseHttpDate(const std::string& value) {
    return parseTime(Poco::DateTimeFormat::HTTP_FORMAT, value);
}

std::optional<std::chrono::system_clock::time_point> parseRfc3339(const std::string& value) {
    return parseTime(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, value);
}

Origin::Origin(const std::string& directoryUrl, const std::string& what) {
    Poco::URI uri;
    try {
        uri = Poco::URI(directoryUrl);
    } catch (const Poco::Exception&) {
        throw ConfigError(what + ": not a URL: " + escapeForLog(directoryUrl, 200));
    }
    if (uri.getScheme() != "https" || uri.getHost().empty() || !uri.getUserInfo().empty() ||
        !uri.getFragment().empty() || !printableAscii(directoryUrl)) {
        throw ConfigError(what +
                          " must be https://host[:port]/path: " + escapeForLog(directoryUrl, 200));
    }
    m_host = uri.getHost();
    m_port = uri.getPort();
    m_base = "https://" + (m_host.find(':') != std::string::npos ? "[" + m_host + "]" : m_host) +
             ":" + std::to_string(m_port);
}

std::string Origin::check(const std::string& url, const std::string& what,
                          const std::string& relativeTo) const {
    const auto refuse = [&] {
        return BadReply(what + " " + escapeForLog(url, 200) + " is not on the CA's origin " +
                        m_base);
    };
    if (url.empty() || url.size() > kMaxUrlBytes || !printableAscii(url)) {
        throw refuse();
    }
    Poco::URI uri;
    try {
        uri = Poco::URI(relativeTo.empty() ? m_base + "/" : relativeTo);
        uri.resolve(url);
    } catch (const Poco::Exception&) {
        throw refuse();
    }
    if (uri.getScheme() != "https" || ::strcasecmp(uri.getHost().c_str(), m_host.c_str()) != 0 ||
        uri.getPort() != m_port || !uri.getUserInfo().empty() || !uri.getFragment().empty()) {
        throw refuse();
    }
    return uri.toString();
}

std::string Origin::target(const std::string& checkedUrl) {
    const Poco::URI uri(checkedUrl);
    const std::string target = uri.getPathAndQuery();
    return target.empty() ? "/" : target;
}

std::vector<Link> parseLinks(const std::vector<std::string>& headerValues) {
    std::vector<Link> out;
    for (const std::string& value : headerValues) {
        for (const std::string& raw : splitEntries(value)) {
            const std::string entry = trim(raw);
            const auto close = entry.find('>');
            if (entry.empty() || entry.front() != '<' || close == std::string::npos) {
                continue;
            }
            out.push_back({entry.substr(1, close - 1), relOf(entry.substr(close + 1))});
        }
    }
    return out;
}

std::optional<std::chrono::seconds> parseRetryAfter(const std::string& raw,
                                                    std::chrono::system_clock::time_point now) {
    const std::string value = trim(raw);
    if (value.empty()) {
        return std::nullopt;
    }
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (value.size() > 9) {
            return kMaxRetryAfter;
        }
        return std::min(std::chrono::seconds(std::stoll(value)), kMaxRetryAfter);
    }
    const auto at = parseHttpDate(value);
    if (!at) {
        return std::nullopt;
    }
    const auto delta = std::chrono::duration_cast<std::chrono::seconds>(*at - now);
    return std::clamp(delta, std::chrono::seconds(0), kMaxRetryAfter);
}

} // namespace certagent::acme
