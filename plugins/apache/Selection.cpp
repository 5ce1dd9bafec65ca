#include "plugins/apache/Selection.h"

#include <arpa/inet.h>
#include <cctype>
#include <ifaddrs.h>
#include <memory>
#include <netinet/in.h>
#include <set>
#include <strings.h>

namespace certagent::plugins::apache {

namespace {

bool portMatches(const AddressChain& chain, int port) {
    return chain.port == port;
}

/// The first chain for which `accept` holds with an exact port, else with port 0 ("*").
const AddressChain* firstOf(const std::vector<AddressChain>& chains, int port,
                            const std::function<bool(const AddressChain&)>& accept) {
    for (const AddressChain& c : chains)
        if (accept(c) && portMatches(c, port))
            return &c;
    for (const AddressChain& c : chains)
        if (accept(c) && c.port == 0)
            return &c;
    return nullptr;
}

bool isLoopbackV4(const std::string& ip) {
    in_addr a{};
    return ::inet_pton(AF_INET, ip.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

/// Every address of every interface, canonical.
std::set<std::string> interfaceAddresses() {
    std::set<std::string> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0)
        return out;
    std::unique_ptr<ifaddrs, void (*)(ifaddrs*)> owner(list, ::freeifaddrs);
    for (ifaddrs* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr)
            continue;
        char text[INET6_ADDRSTRLEN] = {};
        if (i->ifa_addr->sa_family == AF_INET)
            ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, text,
                        sizeof text);
        else if (i->ifa_addr->sa_family == AF_INET6)
            ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, text,
                        sizeof text);
        if (text[0])
            out.insert(text);
    }
    return out;
}

} // namespace

std::string canonicalIp(const std::string& text) {
    unsigned char buf[sizeof(in6_addr)];
    char out[INET6_ADDRSTRLEN] = {};
    if (::inet_pton(AF_INET, text.c_str(), buf) == 1)
        return ::inet_ntop(AF_INET, buf, out, sizeof out) ? out : text;
    if (::inet_pton(AF_INET6, text.c_str(), buf) == 1)
        return ::inet_ntop(AF_INET6, buf, out, sizeof out) ? out : text;
    return text;
}

bool wildcardMatch(const std::string& pattern, const std::string& text) {
    size_t p = 0, t = 0, star = std::string::npos, resume = 0;
    auto same = [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
    };
    while (t < text.size()) {
        if (p < pattern.size() &&
            (pattern[p] == '?' || (pattern[p] != '*' && same(pattern[p], text[t])))) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (star != std::string::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

std::optional<std::string> matchName(const std::string& serverName,
                                     const std::vector<std::string>& aliases,
                                     const std::vector<std::string>& wildAliases,
                                     const std::string& name) {
    if (!serverName.empty() && strcasecmp(serverName.c_str(), name.c_str()) == 0)
        return "ServerName";
    for (const std::string& alias : aliases)
        if (strcasecmp(alias.c_str(), name.c_str()) == 0)
            return "ServerAlias " + alias;
    for (const std::string& alias : wildAliases)
        if (wildcardMatch(alias, name))
            return "ServerAlias " + alias;
    return std::nullopt;
}

const AddressChain* chainFor(const std::vector<AddressChain>& chains, const std::string& ip,
                             int port) {
    std::string local = canonicalIp(ip);
    if (const AddressChain* c = firstOf(chains, port, [&](const AddressChain& chain) {
            return chain.host != "*" && canonicalIp(chain.host) == local;
        }))
        return c;
    return firstOf(chains, port, [](const AddressChain& chain) { return chain.host == "*"; });
}

Choice choose(const std::vector<AddressChain>& chains, const std::string& ip, int port,
              const std::string& name) {
    Choice choice;
    choice.chain = chainFor(chains, ip, port);
    if (!choice.chain || choice.chain->vhosts.empty())
        return Choice{};
    for (const DumpedVhost& v : choice.chain->vhosts)
        if (auto why =
                name.empty() ? std::nullopt : matchName(v.name, v.aliases, v.wildAliases, name)) {
            choice.vhost = &v;
            choice.byName = true;
            choice.why = *why;
            return choice;
        }
    choice.vhost = &choice.chain->vhosts.front();
    choice.why = std::string(choice.chain->vhosts.size() == 1 ? "only" : "first") + " vhost of " +
                 choice.chain->address;
    return choice;
}

std::vector<Endpoint> endpoints(const std::vector<Listener>& listens,
                                const std::vector<AddressChain>& chains,
                                const std::function<bool(const std::string&)>& isLocal) {
    std::vector<Endpoint> out;
    auto add = [&](const Endpoint& e) {
        for (const Endpoint& have : out)
            if (have == e)
                return;
        out.push_back(e);
    };
    for (const Listener& listen : listens) {
        if (!listen.host.empty()) {
            add({canonicalIp(listen.host), listen.port});
            continue;
        }
        std::set<std::string> claimed;
        for (const AddressChain& chain : chains)
            if (chain.host != "*" && (chain.port == listen.port || chain.port == 0)) {
                claimed.insert(canonicalIp(chain.host));
                if (isLocal(chain.host))
                    add({canonicalIp(chain.host), listen.port});
            }
        for (const char* loopback : {"127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4",
                                     "127.0.0.5", "127.0.0.6", "127.0.0.7", "::1"})
            if (!claimed.count(loopback)) {
                add({loopback, listen.port});
                break;
            }
    }
    return out;
}

bool isLocalAddress(const std::string& ip) {
    if (isLoopbackV4(ip))
        return true;
    static const std::set<std::string> local = interfaceAddresses();
    return local.count(canonicalIp(ip)) > 0;
}

} // namespace certagent::plugins::apache
