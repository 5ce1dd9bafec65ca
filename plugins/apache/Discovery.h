#pragma once

// Which blocks serve a certificate's names, by Apache's own selection (Selection.h) at every
// address a TLS client can reach (endpoints), and what the server serves over TLS as a whole.
//
// A name's blocks are those that name it (ServerName/ServerAlias) at some address; an address
// where the name would only fall to a default (the first vhost of a name-based address, the only
// vhost of an IP-based one) is assumed not to be where the name's DNS points. A name no block
// names is served by the defaults: the first vhost of the wildcard (*:443) addresses, which
// answers on every address no IP-based block claims, is the block to edit (Debian's
// default-ssl.conf without ServerName); without wildcard addresses, the IP-based defaults, if
// they are one block. Different default blocks are refused as ambiguous.

#include "core/Installer.h"
#include "plugins/apache/VirtualHosts.h"

#include <map>
#include <string>
#include <vector>

namespace certagent::plugins::apache {

/// What the server's dump and configuration say, read once per discovery.
struct ServerState {
    std::string configPath;
    ServerDump dump;
    ConfContext context;
    std::vector<VirtualHost> vhosts;
    ConfigScan scan;
    std::vector<Endpoint> endpoints;
    std::map<Location, size_t> byLocation; ///< dump location → index in vhosts
};

/// Fills byLocation and endpoints from the rest (isLocalAddress decides which vhost addresses
/// this host has).
void index(ServerState& state);

/// One handshake a probe makes.
struct ProbeTarget {
    Endpoint endpoint;
    std::string sni;
    size_t block = 0; ///< index in ServerState::vhosts
};

/// The blocks serving a certificate's domains and where to probe them.
struct Targets {
    std::vector<size_t> blocks; ///< indexes in ServerState::vhosts, each once
    std::vector<ProbeTarget> probes;
    std::vector<core::ServedName> placements;
};

/// The blocks that serve `domains` over TLS. Throws ConfigError with the fix when a domain has
/// none (naming the conditional sections apache2 skipped), is served by a <Macro>-made vhost,
/// falls to different defaults on different addresses, or its block serves other names the
/// domains do not cover.
Targets findTargets(const ServerState& state, const std::vector<std::string>& domains,
                    const std::string& fullchain, const std::string& key);

/// Every name (and default) every TLS block serves on every address, and why.
std::vector<core::ServedName> inventoryOf(const ServerState& state);

/// The SNI name for a domain: "*.x" → "certagent-probe.x" (any name below selects alike).
std::string sniFor(const std::string& domain);

} // namespace certagent::plugins::apache
