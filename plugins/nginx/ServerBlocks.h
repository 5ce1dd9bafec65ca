#pragma once

#include "plugins/nginx/NginxConf.h"

#include <optional>
#include <string>
#include <vector>

namespace certagent::plugins::nginx {

/// One `listen` of a server block, normalised so that two listens nginx binds to the same socket
/// have the same key().
struct Listen {
    /// "*" (any IPv4, also 0.0.0.0), "[::]" (any IPv6), "127.0.0.1", "[::1]" (IPv6 in the
    /// canonical text form), or a host name as written (lower-cased).
    std::string address;
    int port = 80;
    bool ssl = false;
    bool defaultServer = false;
    bool proxyProtocol = false; ///< `proxy_protocol`: a PROXY header precedes the handshake
    std::string key() const { return address + ":" + std::to_string(port); }
};

/// An http{} server block with what selection and editing need. Pointers point into the Config
/// tree the block was read from.
struct ServerBlock {
    const Directive* node = nullptr;
    size_t index = 0; ///< position among all http server blocks (configuration order)
    std::vector<Listen> listens;
    std::vector<std::string> names; ///< server_name values, lower-cased (regexes as written)
    /// The block's own ssl_certificate / ssl_certificate_key directives, in order (nginx pairs
    /// the n-th certificate with the n-th key); some may come from a file included in the block.
    std::vector<const Directive*> certificates;
    std::vector<const Directive*> keys;
    /// The http{}-level pair(s) the block inherits when it has none of its own.
    std::vector<const Directive*> inheritedCertificates;
    std::vector<const Directive*> inheritedKeys;
    /// `ssl_reject_handshake on` (own or inherited): as a default server it serves no name.
    bool rejectsHandshake = false;

    bool tls() const;
    /// "file:line" of the `server` line.
    std::string where() const { return node->where(); }
    /// The certificate and key directives nginx uses for this block (own, else inherited).
    const std::vector<const Directive*>& servedCertificates() const;
    const std::vector<const Directive*>& servedKeys() const;
};

/// Every server block inside http{} (stream/mail servers are ignored), in configuration order.
/// Throws ConfigError on a listen it cannot read.
std::vector<ServerBlock> serverBlocks(const Config& config);

/// The names nginx treats as "no name" in a catch-all block: "" and "_".
bool isPlaceholderName(const std::string& serverName);

/// A path from the configuration as nginx opens it: relative paths are taken against the
/// directory of the main configuration file.
std::string resolveConfigPath(const Config& config, const std::string& path);

} // namespace certagent::plugins::nginx
