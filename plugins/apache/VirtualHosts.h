#pragma once

// The <VirtualHost> blocks at the file:line Apache's dump names, parsed, with the directives in
// effect inside each (conditional sections evaluated, includes followed), and a scan of the whole
// configuration for what lies outside the blocks (Listen, main-server includes, and conditional
// sections Apache skipped that hold blocks).

#include "plugins/apache/ApacheConf.h"
#include "plugins/apache/Selection.h"
#include "plugins/apache/VhostDump.h"

#include <set>
#include <string>
#include <vector>

namespace certagent::plugins::apache {

/// A TLS directive in effect inside a block.
struct TlsDirective {
    ConfNode node;    ///< the directive itself (its own file and lines)
    int position = 0; ///< where it takes effect in the block: its line in the block's file, or
                      ///< the line of the Include there that brings it in
    int viaLine = 0;  ///< that Include's first line (0 when written in the block itself)
    int viaLastLine = 0;
    std::string viaName; ///< "Include" or "IncludeOptional" as written
    bool inBlockFile(const std::string& blockFile) const { return node.file == blockFile; }
};

/// One loaded <VirtualHost> block.
struct VirtualHost {
    std::string file;
    int line = 0;    ///< line of <VirtualHost ...>
    int endLine = 0; ///< line of </VirtualHost>
    std::vector<std::string> addresses;
    std::string serverName; ///< host part of its own ServerName; empty when unset
    std::vector<std::string> aliases;
    bool ssl = false; ///< SSLEngine on
    /// In the order they take effect; Apache pairs certFiles[i] with keyFiles[i].
    std::vector<TlsDirective> certFiles, keyFiles, chainFiles;
    std::string documentRoot;
    std::string indent;               ///< leading whitespace of the block's first directive line
    std::set<std::string> otherFiles; ///< files other than `file` its directives come from

    /// The block's own ServerName or ServerAlias names `domain` (wildcards as Apache matches).
    bool serves(const std::string& domain) const;
    /// The name and aliases that none of `domains` covers (a "*.x" domain covers one label).
    std::vector<std::string> uncovered(const std::vector<std::string>& domains) const;
    /// It names at least one host (ServerName or ServerAlias of its own).
    bool hasNames() const { return !serverName.empty() || !aliases.empty(); }
    std::string where() const { return file + ":" + std::to_string(line); }
};

/// Reads the blocks listed in `dump`. Throws ConfigError when a file cannot be parsed. A listed
/// location without a <VirtualHost> is skipped.
std::vector<VirtualHost> loadVirtualHosts(const ServerDump& dump, const ConfContext& context);

/// What lies outside the blocks of the whole configuration.
struct ConfigScan {
    std::vector<Listener> listens;        ///< Listen directives in effect
    std::set<std::string> mainFiles;      ///< files holding main-server (non-vhost) directives
    std::vector<std::string> skipped;     ///< "<IfDefine SSL> at FILE:LINE": not in effect, holds
                                          ///< <VirtualHost> blocks
    std::set<std::string> skippedDefines; ///< NAME of each skipped <IfDefine NAME>
};

/// Scans `configPath` (includes followed, conditional sections evaluated with `context`).
/// Throws ConfigError when it cannot be parsed.
ConfigScan scanConfig(const std::string& configPath, const ConfContext& context);

/// The ServerName/ServerAlias text an administrator should add for `domain`.
std::string suggestedBlock(const std::string& domain, const std::string& fullchain,
                           const std::string& key);

} // namespace certagent::plugins::apache
