#pragma once

// Apache's own choice of a virtual host for a TLS connection (2.4's server/vhost.c and mod_ssl's
// SNI callback). The connection's local address and port pick one address chain: a chain of that
// IP with that port, else that IP with any port ("<VirtualHost 10.0.0.1>"), else a wildcard chain
// (*, _default_) with that port, else a wildcard with any port; no chain = the main server.
// Within the chain the first vhost whose ServerName or ServerAlias (wildcards * and ?, case
// ignored) is the SNI name serves it; no match = the chain's first vhost.

#include "plugins/apache/VhostDump.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace certagent::plugins::apache {

/// A `Listen` directive: host "" = every address (Listen 443, 0.0.0.0:443, [::]:443).
struct Listener {
    std::string host;
    int port = 443;
};

/// An address and port a probe can connect to.
struct Endpoint {
    std::string host; ///< IP literal (or the name a Listen gave)
    int port = 443;
    bool operator==(const Endpoint& o) const { return host == o.host && port == o.port; }
};

/// Apache's choice for one connection and name.
struct Choice {
    const AddressChain* chain = nullptr; ///< nullptr: no vhost, the main server answers
    const DumpedVhost* vhost = nullptr;
    bool byName = false; ///< ServerName/ServerAlias matched (not the chain's default)
    std::string why;     ///< "ServerName", "ServerAlias *.example.com", "first vhost of *:443",
                         ///< "only vhost of 127.0.0.2:443"
};

/// The chain Apache uses for a connection to `ip` (IP literal) and `port`, or nullptr.
const AddressChain* chainFor(const std::vector<AddressChain>& chains, const std::string& ip,
                             int port);

/// Apache's vhost for SNI `name` on a connection to `ip`:`port`.
Choice choose(const std::vector<AddressChain>& chains, const std::string& ip, int port,
              const std::string& name);

/// Why `name` matches a vhost with this ServerName and these aliases ("ServerName",
/// "ServerAlias x"), or nullopt.
std::optional<std::string> matchName(const std::string& serverName,
                                     const std::vector<std::string>& aliases,
                                     const std::vector<std::string>& wildAliases,
                                     const std::string& name);

/// `text` matches `pattern` where * is any run of characters and ? one character, case ignored
/// (ap_strcasecmp_match).
bool wildcardMatch(const std::string& pattern, const std::string& text);

/// Where to connect to reach every chain a TLS client can reach: each Listen with an address;
/// for a Listen on every address, each specific vhost address that is local (`isLocal`) and one
/// loopback address no specific vhost claims for that port (the wildcard chains' view).
std::vector<Endpoint> endpoints(const std::vector<Listener>& listens,
                                const std::vector<AddressChain>& chains,
                                const std::function<bool(const std::string&)>& isLocal);

/// Whether `ip` is an address of this host (an interface address or 127.0.0.0/8).
bool isLocalAddress(const std::string& ip);

/// The canonical text of an IPv4/IPv6 literal ("::0001" → "::1"); `text` unchanged otherwise.
std::string canonicalIp(const std::string& text);

} // namespace certagent::plugins::apache
