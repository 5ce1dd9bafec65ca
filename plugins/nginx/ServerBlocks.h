#pragma once

#include "plugins/nginx/NginxConf.h"

#include <optional>
#include <string>
#include <vector>

namespace certagent::plugins::nginx {

/// One `listen` of a server block, normalised.
struct Listen {
    std::string address; ///< "*" (any IPv4), "[::]" (any IPv6), "127.0.0.1", "[::1]", a name
    int port = 80;
    bool ssl = false;
    bool defaultServer = false;
    std::string key() const { return address + ":" + std::to_string(port); }
};

/// An http{} server block with what selection needs. `node` points into the Config tree.
struct ServerBlock {
    const Directive* node = nullptr;
    size_t index = 0; ///< position among all http server blocks (configuration order)
    std::vector<Listen> listens;
    std::vector<std::string> names; ///< server_name values, lower-cased, in order
    /// The block's own ssl_certificate / ssl_certificate_key directives (may come from a file
    /// included inside the block).
    std::vector<const Directive*> certificates;
    std::vector<const Directive*> keys;
    bool tls() const;
};

/// Every server block inside http{} (stream/mail servers are ignored), in configuration order.
/// Throws ConfigError on a listen it cannot read.
std::vector<ServerBlock> serverBlocks(const Config& config);

/// How well `serverName` (one server_name value) matches `host` by nginx's rules: 0 = no match;
/// otherwise larger is better: exact > leading wildcard (by length) > trailing wildcard (by
/// length) > regex. Regexes (`~...`) are PCRE, case-insensitive.
long matchScore(const std::string& serverName, const std::string& host);

/// Where `host` is served on one listening address: the block nginx picks, and whether it was
/// picked by name (false: only as the default server of that address).
struct Selection {
    std::string listenKey;
    Listen listen;    ///< the chosen block's listen for this address
    size_t block = 0; ///< index into the serverBlocks() vector
    bool byName = false;
};

/// For every address with listens of the wanted kind (`tls` true: ssl listens; false: plain),
/// the block nginx would pick for `host` (exact name → longest leading wildcard → longest
/// trailing wildcard → first matching regex → default_server/first block of that address).
std::vector<Selection> selectServers(const std::vector<ServerBlock>& blocks,
                                     const std::string& host, bool tls);

/// The host to connect to for a listen ("*" → 127.0.0.1, "[::]" → ::1, "[::1]" → ::1).
std::string probeHost(const Listen& listen);

} // namespace certagent::plugins::nginx
