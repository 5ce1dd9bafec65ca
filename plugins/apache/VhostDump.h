#pragma once

// What Apache itself says about its virtual hosts (`apache2 -t -D DUMP_VHOSTS -D DUMP_RUN_CFG
// -D DUMP_MODULES`): the run configuration, the loaded modules, and for every address the
// <VirtualHost> blocks that share it, in the order Apache tries them (the first is the default).

#include <set>
#include <string>
#include <vector>

namespace certagent::plugins::apache {

/// A place in the configuration.
struct Location {
    std::string file;
    int line = 0;
    bool operator<(const Location& o) const {
        return file < o.file || (file == o.file && line < o.line);
    }
    std::string text() const { return file + ":" + std::to_string(line); }
};

/// One vhost as the dump lists it under an address.
struct DumpedVhost {
    std::string name;                     ///< its ServerName, or the name it inherited
    std::vector<std::string> aliases;     ///< ServerAlias names without wildcards
    std::vector<std::string> wildAliases; ///< ServerAlias names with * or ?
    Location where;                       ///< the <VirtualHost> line, or the macro's Use line
    std::string macro;                    ///< the <Macro> that generated it ("" = none)
};

/// The vhosts Apache tries for connections to one address (its ipaddr chain).
struct AddressChain {
    std::string address;             ///< as dumped: "*:443", "127.0.0.1:8443", "[::1]:443"
    std::string host;                ///< "*" for every address, else the IP literal
    int port = 0;                    ///< 0 = every port ("127.0.0.2:*")
    std::vector<DumpedVhost> vhosts; ///< in configuration order; vhosts[0] is the default
};

/// The parsed dump output.
struct ServerDump {
    std::string serverRoot;
    std::string pidFile;          ///< absolute (resolved against ServerRoot); empty if not shown
    std::string mainDocumentRoot; ///< the server's DocumentRoot (blocks without one inherit it)
    std::set<std::string> defines;
    std::set<std::string> modules;
    std::vector<AddressChain> chains; ///< specific addresses first, then wildcards, as dumped
    std::set<Location> vhosts;        ///< each <VirtualHost> line Apache loaded (macros excluded)
};

/// Parses the combined DUMP_VHOSTS / DUMP_RUN_CFG / DUMP_MODULES output. Never throws; missing or
/// unrecognised parts stay empty.
ServerDump parseDump(const std::string& output);

} // namespace certagent::plugins::apache
