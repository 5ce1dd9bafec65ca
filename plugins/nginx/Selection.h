#pragma once

// nginx's own choice of a server block for a TLS name, as ngx_http_find_virtual_server makes it.
//
// Design note. nginx groups `listen` directives by socket: address:port after normalisation
// ("*:443" covers 0.0.0.0 and a bare port, "[::]:443" is a separate IPv6 socket, a specific
// address such as 127.0.0.1:443 is its own group even when "*:443" exists — connections to that
// address never see the wildcard's blocks). Flags of one socket are merged over all its listens
// (`ssl`, `proxy_protocol`). Within a group, for a host name:
//   1. the exact name (also ".example.com" for example.com itself); equal names: the first block;
//   2. the longest leading wildcard ("*.example.com", ".example.com");
//   3. the longest trailing wildcard ("mail.*");
//   4. the first matching regular expression ("~^www\."), in configuration order;
//   5. else the block with `default_server` on that socket, else the first block listening there.
// The same function answers discovery (which block to edit), probing (where to expect the new
// leaf), placements() and inventory(), so what certagent edits is what nginx serves.

#include "plugins/nginx/ServerBlocks.h"

#include <string>
#include <vector>

namespace certagent::plugins::nginx {

/// All blocks bound to one listen socket.
struct ListenGroup {
    Listen socket;              ///< address/port; ssl and proxyProtocol merged over its listens
    std::vector<size_t> blocks; ///< indexes of the blocks listening there, configuration order
    size_t defaultBlock = 0;    ///< the default_server, else the first block
    bool explicitDefault = false;
    std::string key() const { return socket.key(); }
};

/// The listen sockets of `blocks`, in order of first appearance.
std::vector<ListenGroup> listenGroups(const std::vector<ServerBlock>& blocks);

/// How well `serverName` (one server_name value) matches `host` by nginx's rules: 0 = no match;
/// otherwise larger is better: exact > leading wildcard (by length) > trailing wildcard (by
/// length) > regex. Regexes (`~...`) are PCRE, case-insensitive, searched as nginx does.
long matchScore(const std::string& serverName, const std::string& host);

/// What kind of rule picked a block.
enum class MatchKind { Default, Regex, TrailingWildcard, LeadingWildcard, Exact };

/// The block nginx picks for a host on one listen socket, and why.
struct Selection {
    std::string listenKey;
    Listen listen;    ///< the group's socket (merged flags)
    size_t block = 0; ///< index into the serverBlocks() vector
    bool byName = false;
    MatchKind kind = MatchKind::Default;
    std::string matched;          ///< the server_name value that matched (byName)
    bool explicitDefault = false; ///< kind Default: the block has default_server there
    /// "exact name", "wildcard *.example.com", "regex ~^www\.", "default server of
    /// 127.0.0.1:443", "first block of *:443".
    std::string why() const;
};

/// The block of `group` nginx uses for a name no block there lists (step 5).
Selection defaultSelection(const ListenGroup& group);

/// The block of `group` nginx picks for `host`.
Selection selectIn(const ListenGroup& group, const std::vector<ServerBlock>& blocks,
                   const std::string& host);

/// For every listen socket of the wanted kind (`tls` true: ssl sockets; false: plain), the block
/// nginx picks for `host`.
std::vector<Selection> selectServers(const std::vector<ServerBlock>& blocks,
                                     const std::string& host, bool tls);

/// Concrete host names a server_name value matches, to probe or look it up with: the name
/// itself; "certagent-probe.example.com" for "*.example.com" (any one name below stands for all:
/// nginx and the certificate treat them alike); "example.com" and "certagent-probe.example.com"
/// for ".example.com"; "mail.certagent-probe" for "mail.*"; none for a regex or an empty name
/// (no sample can be derived safely from a regex).
std::vector<std::string> sampleHosts(const std::string& serverName);

/// The concrete host a certificate name is matched and probed as: a wildcard "*.example.com"
/// becomes "certagent-probe.example.com"; other names stay.
std::string hostForDomain(const std::string& domain);

/// The host to connect to for a listen socket ("*" → 127.0.0.1, "[::]" → ::1, "[::1]" → ::1).
std::string probeHost(const Listen& listen);

} // namespace certagent::plugins::nginx
