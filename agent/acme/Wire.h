#pragma once

// What the CA hands back besides JSON: URLs (checked against the directory's origin), Link and
// Retry-After headers.

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace certagent::acme {

/// A reply that does not fit (hostile or broken CA). `transient`: the body could not be read at
/// all (not UTF-8, not JSON), which may be a cut reply (exit 3); otherwise exit 4. The text is
/// already escaped and names the member.
class BadReply : public std::runtime_error {
  public:
    explicit BadReply(const std::string& what, bool transient = false)
        : std::runtime_error(what), m_transient(transient) {}
    bool transient() const { return m_transient; }

  private:
    bool m_transient;
};

/// The directory's origin (https, host, port). Every URL the CA hands back must be on it, so a
/// hostile CA cannot steer the agent to other hosts (design-acme.md §3.1).
class Origin {
  public:
    /// Parses the directory URL: https://host[:port][/path][?query], no user info, no fragment.
    /// Throws ConfigError naming `what` otherwise.
    Origin(const std::string& directoryUrl, const std::string& what);

    /// "https://host:port".
    const std::string& base() const { return m_base; }
    /// The absolute URL for `url` (a relative reference is resolved against `relativeTo`, default
    /// the origin) when it is https on this origin, printable ASCII, ≤ 2048 bytes, without user
    /// info or fragment. Throws BadReply("<what> <url> is not on the CA's origin <base>").
    std::string check(const std::string& url, const std::string& what,
                      const std::string& relativeTo = {}) const;
    /// Path and query of a URL that passed check() (the transport's request target).
    static std::string target(const std::string& checkedUrl);

  private:
    std::string m_host;
    unsigned short m_port = 443;
    std::string m_base;
};

/// One `Link: <url>;rel="x"` entry (RFC 8288), url as written (not yet checked).
struct Link {
    std::string url;
    std::string rel;
};

/// Every link in the given Link header values (a value may hold several, comma-separated).
/// Entries that do not parse are skipped. Never throws.
std::vector<Link> parseLinks(const std::vector<std::string>& headerValues);

/// An HTTP-date (RFC 9110 §5.6.7) between the years 1970 and 9999 (saturating at 2200, see
/// timePointOf); nullopt otherwise. Never throws.
std::optional<std::chrono::system_clock::time_point> parseHttpDate(const std::string& value);

/// An RFC 3339 time ("2025-01-02T04:00:00Z", fractions and offsets allowed) between the years
/// 1970 and 9999 (saturating at 2200); nullopt otherwise. Never throws.
std::optional<std::chrono::system_clock::time_point> parseRfc3339(const std::string& value);

/// Longest wait a CA may ask for (design-acme.md §3.10); longer hints are clamped to it.
constexpr std::chrono::seconds kMaxRetryAfter{86400};

/// Retry-After as delay-seconds or HTTP-date (RFC 9110 §10.2.3), relative to `now`; a date in the
/// past is 0 s; anything above kMaxRetryAfter is clamped to it. nullopt when absent or garbage.
std::optional<std::chrono::seconds> parseRetryAfter(const std::string& value,
                                                    std::chrono::system_clock::time_point now);

} // namespace certagent::acme
