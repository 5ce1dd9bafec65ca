#pragma once

// What a deploy of one certificate changes in nginx's configuration and where it then expects
// the new leaf: the blocks nginx's own selection (Selection.h) routes the certificate's names
// to, checked before anything is written.
//
// Which blocks: for each name, every block that lists it (exact, wildcard or regex) on a TLS
// listen socket; a name no TLS block lists goes to the default server of each TLS socket (a
// catch-all block such as Mozilla's generator output, which has no server_name), unless that
// default block serves other names the certificate does not cover. A block that rejects
// handshakes (`ssl_reject_handshake on`) serves nothing.
//
// Refused (ConfigError, exit 2, nothing written): an edited block serving a name the certificate
// does not cover (it would get a certificate that does not name it); a block with several
// certificate pairs where the pair of the certificate's key type cannot be told; a pair pointing
// at another managed certificate's live files.
//
// Snippets: a pair written in a file included by the block (Debian's snippets/snakeoil.conf,
// h5bp's shared include) is edited in that file only if every block that includes it is one
// this deploy edits (so each serves only covered names) and the file is no package conffile;
// otherwise the pair is overridden in the block itself, right after the include — never editing
// a package's conffile in place.

#include "core/Installer.h"
#include "crypto/TlsProbe.h"
#include "plugins/nginx/CertPairs.h"
#include "plugins/nginx/ConfigFiles.h"

#include <functional>
#include <string>
#include <vector>

namespace certagent::plugins::nginx {

/// One TLS probe: where to connect, which name to send, how to talk to that socket.
struct Endpoint {
    std::string host;
    int port = 0;
    std::string sni;
    std::string listenKey;
    /// proxyProtocol per socket; keyType when the block has several pairs once edited (a client
    /// offering only that type's signature algorithms is served the certificate's pair).
    crypto::ProbeOptions options;
    /// The keyType to use on the configuration as found (before the edits or after restoring
    /// them): set only when the block had several pairs already.
    std::string keyTypeAsFound;
};

/// The seams of planning: package conffiles and certificate key types on disk.
struct PlanSeams {
    std::function<bool(const std::string& path)> isConffile;
    KeyFamilyReader readFamily;
};

/// The real seams: /var/lib/dpkg/info and the certificate files.
PlanSeams defaultSeams();

/// The edits of a deploy and the probes that prove it.
struct DeployPlan {
    std::vector<Edit> edits; ///< sorted, duplicates (a file included twice) removed
    std::vector<Endpoint> endpoints;
    std::vector<size_t> blocks; ///< the blocks the certificate is installed into
};

/// Plans the deploy of `target` into `config`. Throws ConfigError (exit 2) for every refusal
/// described above, and when a name has no TLS block (with the block to add) or cannot be probed.
DeployPlan planDeploy(const Config& config, const std::vector<ServerBlock>& blocks,
                      const core::DeployTarget& target, const PlanSeams& seams = defaultSeams());

} // namespace certagent::plugins::nginx
