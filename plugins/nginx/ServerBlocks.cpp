#include "plugins/nginx/ServerBlocks.h"

#include "util/Error.h"

#include <Poco/String.h>

#include <algorithm>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

namespace certagent::plugins::nginx {

namespace {

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

/// The address part as nginx compares it: wildcards folded, IP literals in canonical form.
std::string normaliseAddress(const std::string& written) {
    if (written.empty() || written == "*" || written == "0.0.0.0")
        return "*";
    bool bracketed = written.size() > 2 && written.front() == '[' && written.back() == ']';
    std::string bare = bracketed ? written.substr(1, written.size() - 2) : written;
    // inet_aton/inet_pton and inet_ntop, not Poco::Net, so that the binary does not load
    // libPocoNet at start (issue 13); inet_aton accepts what Poco's parser accepted ("127.1").
    char text[INET6_ADDRSTRLEN];
    in_addr v4{};
    if (::inet_aton(bare.c_str(), &v4) != 0) {
        if (v4.s_addr == htonl(INADDR_ANY))
            return "*";
        return ::inet_ntop(AF_INET, &v4, text, sizeof text);
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, bare.c_str(), &v6) == 1)
        return "[" + std::string(::inet_ntop(AF_INET6, &v6, text, sizeof text)) + "]";
    return written; // a host name: nginx resolves it; kept as written
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
    std::string address;
    if (!spec.empty() && spec[0] == '[') {
        size_t close = spec.find(']');
        if (close == std::string::npos)
            throw ConfigError(d.where() + ": cannot read IPv6 address in listen \"" + spec + "\"");
        address = spec.substr(0, close + 1);
        if (close + 1 < spec.size()) {
            if (spec[close + 1] != ':')
                throw ConfigError(d.where() + ": cannot read listen \"" + spec + "\"");
            listen.port = parsePort(spec.substr(close + 2), d);
        }
    } else if (allDigits(spec)) {
        address = "*";
        listen.port = parsePort(spec, d);
    } else {
        size_t colon = spec.rfind(':');
        address = colon == std::string::npos ? spec : spec.substr(0, colon);
        if (colon != std::string::npos)
            listen.port = parsePort(spec.substr(colon + 1), d);
    }
    listen.address = normaliseAddress(address);
    for (size_t i = 1; i < d.args.size(); ++i) {
        const std::string& param = d.args[i].value;
        if (param == "ssl")
            listen.ssl = true;
        else if (param == "default_server" || param == "default")
            listen.defaultServer = true;
        else if (param == "proxy_protocol")
            listen.proxyProtocol = true;
        else if (param == "quic")
            return std::nullopt;
    }
    return listen;
}

bool isOn(const Directive& d, const char* name) {
    return d.name == name && d.args.size() == 1 && Poco::toLower(d.args[0].value) == "on";
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
        } else if (d.name == "ssl_reject_handshake") {
            block.rejectsHandshake = isOn(d, "ssl_reject_handshake");
        }
        sslOn = sslOn || isOn(d, "ssl");
    }
    bool hasListen = std::any_of(server.children.begin(), server.children.end(),
                                 [](const Directive& d) { return d.name == "listen"; });
    if (!hasListen)
        block.listens.push_back(Listen{"*", defaultPort()});
    if (sslOn)
        for (Listen& l : block.listens)
            l.ssl = true;
    if (block.names.empty())
        block.names.push_back("");
    return block;
}

/// What a server block inherits from http{}: the certificate pairs and ssl_reject_handshake.
struct HttpLevel {
    std::vector<const Directive*> certificates;
    std::vector<const Directive*> keys;
    bool rejectsHandshake = false;
};

HttpLevel readHttpLevel(const Directive& http) {
    HttpLevel level;
    for (const Directive& d : http.children) {
        if (d.name == "ssl_certificate")
            level.certificates.push_back(&d);
        else if (d.name == "ssl_certificate_key")
            level.keys.push_back(&d);
        else if (d.name == "ssl_reject_handshake")
            level.rejectsHandshake = isOn(d, "ssl_reject_handshake");
    }
    return level;
}

} // namespace

bool ServerBlock::tls() const {
    return std::any_of(listens.begin(), listens.end(), [](const Listen& l) { return l.ssl; });
}

const std::vector<const Directive*>& ServerBlock::servedCertificates() const {
    return certificates.empty() ? inheritedCertificates : certificates;
}

const std::vector<const Directive*>& ServerBlock::servedKeys() const {
    return keys.empty() ? inheritedKeys : keys;
}

std::vector<ServerBlock> serverBlocks(const Config& config) {
    std::vector<ServerBlock> blocks;
    for (const Directive& http : config.root) {
        if (http.name != "http" || !http.isBlock)
            continue;
        HttpLevel level = readHttpLevel(http);
        for (const Directive& d : http.children) {
            if (d.name != "server" || !d.isBlock)
                continue;
            ServerBlock block = readServer(d, blocks.size());
            block.inheritedCertificates = level.certificates;
            block.inheritedKeys = level.keys;
            bool ownReject =
                std::any_of(d.children.begin(), d.children.end(),
                            [](const Directive& c) { return c.name == "ssl_reject_handshake"; });
            if (!ownReject)
                block.rejectsHandshake = level.rejectsHandshake;
            blocks.push_back(std::move(block));
        }
    }
    return blocks;
}

bool isPlaceholderName(const std::string& serverName) {
    return serverName.empty() || serverName == "_";
}

std::string resolveConfigPath(const Config& config, const std::string& path) {
    if (path.empty() || path[0] == '/')
        return path;
    size_t slash = config.mainFile.rfind('/');
    return (slash == std::string::npos ? std::string() : config.mainFile.substr(0, slash + 1)) +
           path;
}

} // namespace certagent::plugins::nginx
