#pragma once

// What Apache itself says about its virtual hosts (`apache2 -t -D DUMP_VHOSTS -D DUMP_RUN_CFG
// -D DUMP_MODULES`), and the <VirtualHost> blocks at the file:line it names, parsed.

#include "plugins/apache/ApacheConf.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace certagent::plugins::apache {

/// The parsed dump output.
struct ServerDump {
    std::string serverRoot;
    std::string pidFile;          ///< absolute (resolved against ServerRoot); empty if not shown
    std::string mainDocumentRoot; ///< the server's DocumentRoot (blocks without one inherit it)
    std::set<std::string> defines;
    std::set<std::string> modules;
    struct Location {
        std::string file;
        int line = 0;
        bool operator<(const Location& o) const {
            return file < o.file || (file == o.file && line < o.line);
        }
    };
    std::set<Location> vhosts; ///< each <VirtualHost> block Apache loaded, once
};

/// Parses the combined DUMP_VHOSTS / DUMP_RUN_CFG / DUMP_MODULES output. Never throws; missing
/// parts stay empty.
ServerDump parseDump(const std::string& output);

/// A TLS endpoint to probe.
struct Listener {
    std::string host; ///< IP literal or name; "*" / _default_ become 127.0.0.1
    int port = 443;
    bool anyAddress = false; ///< written as "*" or _default_ (see probeAddress)
};

/// The `Listen` directives in effect in the whole configuration (If* sections evaluated, includes
/// followed): "443", "203.0.113.5:443", "[::]:443 https" become {host ("" = all), port}. Throws
/// ConfigError for a port it cannot read (e.g. `${PORT}` of a Define it does not know).
std::vector<Listener> listenDirectives(const std::string& configPath, const ConfContext& context);

/// Where to probe a listener: a wildcard vhost address is reached at the one specific address
/// Apache listens on for that port when there is such a Listen, else at 127.0.0.1.
Listener probeAddress(const Listener& vhost, const std::vector<Listener>& listens);

/// One loaded <VirtualHost> block and the directives in effect inside it (conditional sections
/// evaluated, includes followed; <Directory>/<Location> contents ignored).
struct VirtualHost {
    std::string file;
    int line = 0;    ///< line of <VirtualHost ...>
    int endLine = 0; ///< line of </VirtualHost>
    std::vector<std::string> addresses;
    std::string serverName; ///< host part of ServerName; empty when unset
    std::vector<std::string> aliases;
    bool ssl = false; ///< SSLEngine on
    std::vector<ConfNode> certFiles, keyFiles, chainFiles;
    std::string documentRoot;
    std::string indent; ///< leading whitespace of the block's first directive line

    /// The name or an alias (wildcards as fnmatch, case-insensitive) matches `domain`.
    bool serves(const std::string& domain) const;
    /// The name and aliases that none of `domains` covers (a "*.x" domain covers one label).
    std::vector<std::string> uncovered(const std::vector<std::string>& domains) const;
    /// The addresses as listeners. Throws ConfigError for a port that is not 1..65535.
    std::vector<Listener> listeners() const;
    std::string where() const { return file + ":" + std::to_string(line); }
};

/// Reads the blocks listed in `dump`. Throws ConfigError when a file cannot be parsed. A listed
/// location without a <VirtualHost> (e.g. from mod_macro) is skipped.
std::vector<VirtualHost> loadVirtualHosts(const ServerDump& dump, const ConfContext& context);

/// The ServerName/ServerAlias text an administrator should add for `domain`.
std::string suggestedBlock(const std::string& domain, const std::string& fullchain,
                           const std::string& key);

} // namespace certagent::plugins::apache
