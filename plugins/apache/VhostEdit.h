#pragma once

// Pointing a <VirtualHost>'s SSLCertificateFile / SSLCertificateKeyFile at the live paths by
// editing only those lines of its file (SSLCertificateChainFile lines are removed: the live
// fullchain carries the chain).

#include "plugins/apache/VirtualHosts.h"

#include <string>
#include <vector>

namespace certagent::plugins::apache {

/// The live paths a deploy points virtual hosts at.
struct LivePaths {
    std::string fullchain;
    std::string key;
};

/// Already exactly one SSLCertificateFile = fullchain, one SSLCertificateKeyFile = key, no chain.
bool pointsAt(const VirtualHost& vhost, const LivePaths& live, const ConfContext& context);

/// Throws ConfigError when the installer cannot edit the block safely: several certificates
/// (RSA + ECDSA pairs) or TLS directives written in another file than the block (an Include
/// shared by other blocks).
void checkEditable(const VirtualHost& vhost);

/// `text` (the content of the file all `vhosts` are in, as parsed) with their TLS lines pointed
/// at `live`; every other line is kept byte for byte.
std::string editText(const std::string& text, const std::vector<const VirtualHost*>& vhosts,
                     const LivePaths& live);

} // namespace certagent::plugins::apache
