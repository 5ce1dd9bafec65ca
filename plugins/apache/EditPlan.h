#pragma once

// What a deploy changes for one block, decided at discovery so that a refusal changes nothing.
//
// The pair: Apache pairs the i-th SSLCertificateFile with the i-th SSLCertificateKeyFile and,
// of several pairs with keys of one type, serves the last (OpenSSL keeps one certificate per key
// type). A block with one pair has it replaced whatever its type; with several (RSA + ECDSA),
// the last pair whose certificate has the managed key's type is replaced and the others stay.
//
// Where: a pair written in the block's own file is edited there. A pair in an included file (a
// snippet) is edited there only when every block including it is covered by the certificate,
// the main server does not include it, and it is no package's conffile; otherwise the block gets
// its own pair right after the Include (the later pair of that key type is the one served), and
// the snippet stays as it is.

#include "plugins/apache/VhostEdit.h"
#include "plugins/apache/VirtualHosts.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace certagent::plugins::apache {

/// The live paths a deploy points virtual hosts at.
struct LivePaths {
    std::string fullchain;
    std::string key;
};

/// What planBlock needs to know beyond the block.
struct PlanInput {
    std::string certName; ///< the certificate NAME (messages)
    LivePaths live;
    std::string keyFamily;                  ///< "ec", "rsa" or "" (unknown)
    std::vector<std::string> otherLiveDirs; ///< <store>/live/OTHER of the other certificates
    ConfContext context;
    /// The file is a package's conffile.
    std::function<bool(const std::string&)> isConffile;
    /// Every block including the file is covered by the certificate and the main server does
    /// not include it.
    std::function<bool(const std::string&)> onlyCoveredInclude;
};

/// The changes for one block.
struct BlockPlan {
    std::map<std::string, std::vector<LineChange>> changes; ///< by file, as parsed
    int pairsAfter = 0; ///< certificate pairs in effect in the block afterwards
};

/// Decides the changes that point `vhost` at the live paths. Throws ConfigError (with the fix
/// to apply) when it cannot: the pairs do not line up, none has the managed key's type, or the
/// pair points into another managed certificate's live dir.
BlockPlan planBlock(const VirtualHost& vhost, const PlanInput& in);

} // namespace certagent::plugins::apache
