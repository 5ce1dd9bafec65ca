#include "plugins/nginx/Selection.h"

#include <Poco/Exception.h>
#include <Poco/RegularExpression.h>
#include <Poco/String.h>

#include <algorithm>
#include <map>

namespace certagent::plugins::nginx {

namespace {

constexpr long kExact = 3000000;
constexpr long kLeading = 2000000;
constexpr long kTrailing = 1000000;
constexpr long kRegex = 1;

const char* const kSampleLabel = "certagent-probe";

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

MatchKind kindOf(long score) {
    return score >= kExact      ? MatchKind::Exact
           : score >= kLeading  ? MatchKind::LeadingWildcard
           : score >= kTrailing ? MatchKind::TrailingWildcard
           : score > 0          ? MatchKind::Regex
                                : MatchKind::Default;
}

long regexScore(const std::string& pattern, const std::string& host) {
    try {
        Poco::RegularExpression re(pattern, Poco::RegularExpression::RE_CASELESS);
        Poco::RegularExpression::Match found;
        return re.match(host, 0, found) > 0 ? kRegex : 0; // a search, as nginx does
    } catch (const Poco::Exception&) {
        return 0; // nginx -t refuses what PCRE cannot compile; nothing matches here
    }
}

} // namespace

std::vector<ListenGroup> listenGroups(const std::vector<ServerBlock>& blocks) {
    std::vector<ListenGroup> groups;
    std::map<std::string, size_t> byKey;
    for (const ServerBlock& b : blocks)
        for (const Listen& l : b.listens) {
            auto [it, fresh] = byKey.emplace(l.key(), groups.size());
            if (fresh) {
                groups.push_back(ListenGroup{l, {}, b.index, false});
                groups.back().socket.defaultServer = false;
            }
            ListenGroup& g = groups[it->second];
            g.socket.ssl = g.socket.ssl || l.ssl;
            g.socket.proxyProtocol = g.socket.proxyProtocol || l.proxyProtocol;
            if (l.defaultServer && !g.explicitDefault) {
                g.defaultBlock = b.index;
                g.explicitDefault = true;
            }
            if (std::find(g.blocks.begin(), g.blocks.end(), b.index) == g.blocks.end())
                g.blocks.push_back(b.index);
        }
    return groups;
}

long matchScore(const std::string& serverName, const std::string& rawHost) {
    const std::string host = Poco::toLower(rawHost);
    if (serverName.empty())
        return host.empty() ? kExact : 0;
    if (serverName[0] == '~')
        return regexScore(serverName.substr(1), host);
    if (serverName == host)
        return kExact;
    if (serverName.rfind("*.", 0) == 0) {
        std::string suffix = serverName.substr(1);
        return host.size() > suffix.size() && endsWith(host, suffix)
                   ? kLeading + static_cast<long>(suffix.size())
                   : 0;
    }
    if (serverName[0] == '.') {
        if (host == serverName.substr(1))
            return kExact; // nginx files ".example.com" under the exact name example.com too
        return endsWith(host, serverName) ? kLeading + static_cast<long>(serverName.size()) : 0;
    }
    if (serverName.size() > 2 && endsWith(serverName, ".*")) {
        std::string prefix = serverName.substr(0, serverName.size() - 1);
        return host.size() > prefix.size() && host.compare(0, prefix.size(), prefix) == 0
                   ? kTrailing + static_cast<long>(prefix.size())
                   : 0;
    }
    return 0;
}

std::string Selection::why() const {
    switch (kind) {
    case MatchKind::Exact:
        return "exact name";
    case MatchKind::LeadingWildcard:
    case MatchKind::TrailingWildcard:
        return "wildcard " + matched;
    case MatchKind::Regex:
        return "regex " + matched;
    case MatchKind::Default:
        break;
    }
    return (explicitDefault ? "default server of " : "first block of ") + listenKey;
}

Selection defaultSelection(const ListenGroup& group) {
    Selection out;
    out.listenKey = group.key();
    out.listen = group.socket;
    out.block = group.defaultBlock;
    out.explicitDefault = group.explicitDefault;
    return out;
}

Selection selectIn(const ListenGroup& group, const std::vector<ServerBlock>& blocks,
                   const std::string& host) {
    Selection out = defaultSelection(group);
    long best = 0;
    for (size_t index : group.blocks)
        for (const std::string& name : blocks[index].names) {
            long score = matchScore(name, host);
            if (score > best) { // strictly better: the first of equals wins, as in nginx
                best = score;
                out.block = index;
                out.matched = name;
            }
        }
    out.byName = best > 0;
    out.kind = kindOf(best);
    return out;
}

std::vector<Selection> selectServers(const std::vector<ServerBlock>& blocks,
                                     const std::string& host, bool tls) {
    std::vector<Selection> out;
    for (const ListenGroup& group : listenGroups(blocks))
        if (group.socket.ssl == tls)
            out.push_back(selectIn(group, blocks, host));
    return out;
}

std::vector<std::string> sampleHosts(const std::string& serverName) {
    if (serverName.empty() || serverName[0] == '~')
        return {};
    if (serverName.rfind("*.", 0) == 0)
        return {kSampleLabel + serverName.substr(1)};
    if (serverName[0] == '.')
        return {serverName.substr(1), kSampleLabel + serverName};
    if (endsWith(serverName, ".*"))
        return {serverName.substr(0, serverName.size() - 1) + kSampleLabel};
    return {serverName};
}

std::string hostForDomain(const std::string& domain) {
    const std::string name = Poco::toLower(domain);
    return name.rfind("*.", 0) == 0 ? kSampleLabel + name.substr(1) : name;
}

std::string probeHost(const Listen& listen) {
    if (listen.address == "*")
        return "127.0.0.1";
    if (listen.address == "[::]")
        return "::1";
    if (listen.address.size() > 2 && listen.address[0] == '[')
        return listen.address.substr(1, listen.address.size() - 2);
    return listen.address;
}

} // namespace certagent::plugins::nginx
