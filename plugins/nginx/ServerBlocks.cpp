#include "plugins/nginx/ServerBlocks.h"

#include "util/Error.h"

#include <Poco/Exception.h>
#include <Poco/RegularExpression.h>
#include <Poco/String.h>

#include <algorithm>
#include <map>
#include <unistd.h>

namespace certagent::plugins::nginx {

namespace {

constexpr long kExact = 3000000;
constexpr long kLeading = 2000000;
constexpr long kTrailing = 1000000;
constexpr long kRegex = 1;

bool allDigits(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int parsePort(const std::string& text, const Directive& d) {
    if (!allDigits(text) || text.size() > 5 || std::stoi(text) < 1 || std::stoi(text) > 65535)
        throw ConfigError(d.where() + ": cannot read port in listen \"" + text + "\"");
    return std::stoi(text);
}

int defaultPort() {
    return ::geteuid() == 0 ? 80 : 8000;
}

/// Parses `listen`; nullopt for listens a TCP TLS probe cannot reach (unix sockets, quic).
std::optional<Listen> parseListen(const Directive& d) {
    if (d.args.empty())
        throw ConfigError(d.where() + ": listen without an address");
    const std::string spec = Poco::toLower(d.args[0].value);
    if (spec.rfind("unix:", 0) == 0)
        return std::nullopt;
    Listen listen;
    listen.port = defaultPort();
    if (!spec.empty() && spec[0] == '[') {
        size_t close = spec.find(']');
        if (close == std::string::npos)
            throw ConfigError(d.where() + ": cannot read IPv6 address in listen \"" + spec + "\"");
        listen.address = spec.substr(0, close + 1);
        if (close + 1 < spec.size()) {
            if (spec[close + 1] != ':')
                throw ConfigError(d.where() + ": cannot read listen \"" + spec + "\"");
            listen.port = parsePort(spec.substr(close + 2), d);
        }
    } else if (allDigits(spec)) {
        listen.address = "*";
        listen.port = parsePort(spec, d);
    } else {
        size_t colon = spec.rfind(':');
        listen.address = colon == std::string::npos ? spec : spec.substr(0, colon);
        if (colon != std::string::npos)
            listen.port = parsePort(spec.substr(colon + 1), d);
    }
    if (listen.address == "0.0.0.0" || listen.address.empty())
        listen.address = "*";
    for (size_t i = 1; i < d.args.size(); ++i) {
        const std::string& param = d.args[i].value;
        if (param == "ssl")
            listen.ssl = true;
        else if (param == "default_server" || param == "default")
            listen.defaultServer = true;
        else if (param == "quic")
            return std::nullopt;
    }
    return listen;
}

ServerBlock readServer(const Directive& server, size_t index) {
    ServerBlock block;
    block.node = &server;
    block.index = index;
    bool sslOn = false;
    for (const Directive& d : server.children) {
        if (d.name == "listen") {
            if (auto listen = parseListen(d))
                block.listens.push_back(*listen);
        } else if (d.name == "server_name") {
            for (const Arg& a : d.args)
                block.names.push_back(a.value.rfind('~', 0) == 0 ? a.value
                                                                 : Poco::toLower(a.value));
        } else if (d.name == "ssl_certificate") {
            block.certificates.push_back(&d);
        } else if (d.name == "ssl_certificate_key") {
            block.keys.push_back(&d);
        } else if (d.name == "ssl" && d.args.size() == 1 && d.args[0].value == "on") {
            sslOn = true;
        }
    }
    bool hasListen = std::any_of(server.children.begin(), server.children.end(),
                                 [](const Directive& d) { return d.name == "listen"; });
    if (!hasListen)
        block.listens.push_back(Listen{"*", defaultPort(), false, false});
    if (sslOn)
        for (Listen& l : block.listens)
            l.ssl = true;
    if (block.names.empty())
        block.names.push_back("");
    return block;
}

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

bool ServerBlock::tls() const {
    return std::any_of(listens.begin(), listens.end(), [](const Listen& l) { return l.ssl; });
}

std::vector<ServerBlock> serverBlocks(const Config& config) {
    std::vector<ServerBlock> blocks;
    for (const Directive& http : config.root) {
        if (http.name != "http" || !http.isBlock)
            continue;
        for (const Directive& d : http.children)
            if (d.name == "server" && d.isBlock)
                blocks.push_back(readServer(d, blocks.size()));
    }
    return blocks;
}

long matchScore(const std::string& serverName, const std::string& rawHost) {
    const std::string host = Poco::toLower(rawHost);
    if (serverName.empty())
        return host.empty() ? kExact : 0;
    if (serverName[0] == '~') {
        try {
            Poco::RegularExpression re(serverName.substr(1), Poco::RegularExpression::RE_CASELESS);
            Poco::RegularExpression::Match found;
            return re.match(host, 0, found) > 0 ? kRegex : 0; // a search, as nginx does
        } catch (const Poco::Exception&) {
            return 0;
        }
    }
    if (serverName == host)
        return kExact;
    if (serverName.rfind("*.", 0) == 0) {
        std::string suffix = serverName.substr(1);
        return host.size() > suffix.size() && endsWith(host, suffix)
                   ? kLeading + static_cast<long>(suffix.size())
                   : 0;
    }
    if (serverName[0] == '.') {
        std::string bare = serverName.substr(1);
        return host == bare || endsWith(host, serverName)
                   ? kLeading + static_cast<long>(serverName.size())
                   : 0;
    }
    if (serverName.size() > 2 && endsWith(serverName, ".*")) {
        std::string prefix = serverName.substr(0, serverName.size() - 1);
        return host.size() > prefix.size() && host.compare(0, prefix.size(), prefix) == 0
                   ? kTrailing + static_cast<long>(prefix.size())
                   : 0;
    }
    return 0;
}

std::vector<Selection> selectServers(const std::vector<ServerBlock>& blocks,
                                     const std::string& host, bool tls) {
    struct Member {
        size_t block;
        Listen listen;
    };
    std::vector<std::string> order;
    std::map<std::string, std::vector<Member>> groups;
    for (const ServerBlock& b : blocks)
        for (const Listen& l : b.listens) {
            auto& members = groups[l.key()];
            if (members.empty())
                order.push_back(l.key());
            members.push_back({b.index, l});
        }
    std::vector<Selection> out;
    for (const std::string& key : order) {
        const auto& members = groups[key];
        bool groupTls = std::any_of(members.begin(), members.end(),
                                    [](const Member& m) { return m.listen.ssl; });
        if (groupTls != tls)
            continue;
        long best = 0;
        const Member* chosen = nullptr;
        for (const Member& m : members)
            for (const std::string& name : blocks[m.block].names) {
                long score = matchScore(name, host);
                if (score > best) {
                    best = score;
                    chosen = &m;
                }
            }
        if (!chosen) {
            auto def = std::find_if(members.begin(), members.end(),
                                    [](const Member& m) { return m.listen.defaultServer; });
            chosen = def != members.end() ? &*def : &members.front();
        }
        out.push_back(Selection{key, chosen->listen, chosen->block, best > 0});
    }
    return out;
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
