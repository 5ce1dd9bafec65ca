#include "plugins/apache/VirtualHosts.h"

#include "util/Error.h"

#include <fnmatch.h>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <strings.h>

namespace certagent::plugins::apache {

namespace {

std::string unquote(std::string s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"')
        s = s.substr(1, s.size() - 2);
    return s;
}

std::string afterColon(const std::string& line) {
    size_t colon = line.find(':');
    std::string value = line.substr(colon + 1);
    size_t b = value.find_first_not_of(" \t");
    return b == std::string::npos
               ? ""
               : unquote(value.substr(b, value.find_last_not_of(" \t\r") - b + 1));
}

/// "https://Example.com:443" → "example.com"-ish host part (case kept; matching ignores case).
std::string hostOf(std::string name) {
    size_t scheme = name.find("://");
    if (scheme != std::string::npos)
        name = name.substr(scheme + 3);
    if (!name.empty() && name[0] != '[') {
        size_t colon = name.rfind(':');
        if (colon != std::string::npos)
            name.resize(colon);
    }
    return name;
}

/// The "(file:line)" that ends a DUMP_VHOSTS line. Read by hand: std::regex recurses once per
/// character and overflows the stack on a long line.
std::optional<ServerDump::Location> locationOf(const std::string& line) {
    size_t close = line.find_last_not_of(" \t\r\n\f\v");
    if (close == std::string::npos || line[close] != ')')
        return std::nullopt;
    size_t open = line.rfind('(', close);
    if (open == std::string::npos)
        return std::nullopt;
    std::string inner = line.substr(open + 1, close - open - 1);
    size_t colon = inner.rfind(':');
    if (colon == std::string::npos || colon == 0 || inner.find(')') != std::string::npos)
        return std::nullopt;
    std::string digits = inner.substr(colon + 1);
    if (digits.empty() || digits.size() > 9 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return ServerDump::Location{inner.substr(0, colon), std::stoi(digits)};
}

const ConfNode* findBlock(const std::vector<ConfNode>& nodes, const std::string& file, int line) {
    for (const ConfNode& node : nodes) {
        if (node.section && node.is("VirtualHost") && node.file == file && node.line == line)
            return &node;
        if (const ConfNode* found = findBlock(node.children, file, line))
            return found;
    }
    return nullptr;
}

/// Collects the directives in effect inside a block (If* sections evaluated, includes followed).
void collect(const std::vector<ConfNode>& nodes, const ConfContext& context,
             std::vector<const ConfNode*>& out) {
    for (const ConfNode& node : nodes) {
        if (node.section) {
            bool conditional = node.is("IfModule") || node.is("IfDefine") || node.is("IfFile") ||
                               node.is("IfVersion");
            if (conditional && conditionHolds(node, context))
                collect(node.children, context, out);
            continue;
        }
        out.push_back(&node);
        if (!node.children.empty())
            collect(node.children, context, out);
    }
}

std::string leadingSpace(const std::string& file, int line) {
    std::ifstream in(file);
    std::string text;
    for (int i = 0; i < line && std::getline(in, text); ++i) {
    }
    return text.substr(0, text.find_first_not_of(" \t"));
}

VirtualHost describe(const ConfNode& block, const ConfContext& context) {
    VirtualHost vhost;
    vhost.file = block.file;
    vhost.line = block.line;
    vhost.endLine = block.endLine;
    vhost.addresses = block.args;
    std::vector<const ConfNode*> directives;
    collect(block.children, context, directives);
    for (const ConfNode* d : directives) {
        if (d->is("ServerName") && !d->args.empty())
            vhost.serverName = hostOf(d->args[0]);
        else if (d->is("ServerAlias"))
            vhost.aliases.insert(vhost.aliases.end(), d->args.begin(), d->args.end());
        else if (d->is("SSLEngine") && !d->args.empty())
            vhost.ssl = strcasecmp(d->args[0].c_str(), "on") == 0;
        else if (d->is("SSLCertificateFile"))
            vhost.certFiles.push_back(*d);
        else if (d->is("SSLCertificateKeyFile"))
            vhost.keyFiles.push_back(*d);
        else if (d->is("SSLCertificateChainFile"))
            vhost.chainFiles.push_back(*d);
        else if (d->is("DocumentRoot") && !d->args.empty())
            vhost.documentRoot = resolvePath(d->args[0], context);
    }
    vhost.indent =
        block.children.empty() ? "    " : leadingSpace(block.file, block.children[0].line);
    return vhost;
}

} // namespace

ServerDump parseDump(const std::string& output) {
    ServerDump dump;
    std::istringstream in(output);
    std::string line;
    bool modules = false;
    while (std::getline(in, line)) {
        if (line.rfind("Loaded Modules:", 0) == 0) {
            modules = true;
        } else if (modules && line.size() > 1 && line[0] == ' ') {
            std::istringstream words(line);
            std::string id;
            words >> id;
            dump.modules.insert(id);
        } else if (line.rfind("ServerRoot:", 0) == 0) {
            dump.serverRoot = afterColon(line);
        } else if (line.rfind("Main DocumentRoot:", 0) == 0) {
            dump.mainDocumentRoot = afterColon(line);
        } else if (line.rfind("PidFile:", 0) == 0) {
            dump.pidFile = afterColon(line);
        } else if (line.rfind("Define:", 0) == 0) {
            std::string name = afterColon(line);
            dump.defines.insert(name.substr(0, name.find('=')));
        } else if (auto location = locationOf(line)) {
            dump.vhosts.insert(*location);
        }
    }
    if (!dump.pidFile.empty() && dump.pidFile[0] != '/' && !dump.serverRoot.empty())
        dump.pidFile = dump.serverRoot + "/" + dump.pidFile;
    return dump;
}

bool VirtualHost::serves(const std::string& domain) const {
    if (!serverName.empty() && strcasecmp(serverName.c_str(), domain.c_str()) == 0)
        return true;
    for (const std::string& alias : aliases) {
        if (strcasecmp(alias.c_str(), domain.c_str()) == 0)
            return true;
        if (alias.find_first_of("*?") != std::string::npos &&
            ::fnmatch(alias.c_str(), domain.c_str(), FNM_CASEFOLD) == 0)
            return true;
    }
    return false;
}

std::vector<std::string> VirtualHost::uncovered(const std::vector<std::string>& domains) const {
    auto covered = [&](const std::string& name) {
        for (const std::string& d : domains) {
            if (strcasecmp(d.c_str(), name.c_str()) == 0)
                return true;
            size_t dot = name.find('.');
            if (d.rfind("*.", 0) == 0 && dot != std::string::npos && dot > 0 &&
                name.find_first_of("*?") == std::string::npos &&
                strcasecmp(d.c_str() + 1, name.c_str() + dot) == 0)
                return true;
        }
        return false;
    };
    std::vector<std::string> out;
    if (!serverName.empty() && !covered(serverName))
        out.push_back(serverName);
    for (const std::string& alias : aliases)
        if (!covered(alias))
            out.push_back(alias);
    return out;
}

std::vector<Listener> VirtualHost::listeners() const {
    std::vector<Listener> out;
    for (const std::string& address : addresses) {
        Listener l;
        std::string host = address;
        size_t close = host.rfind(']');
        size_t colon = host.rfind(':');
        if (colon != std::string::npos && (close == std::string::npos || colon > close)) {
            std::string port = host.substr(colon + 1);
            host.resize(colon);
            if (port != "*" && !port.empty()) {
                if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
                    std::stoi(port) < 1 || std::stoi(port) > 65535)
                    throw ConfigError("apache: cannot read the port of address \"" + address +
                                      "\"");
                l.port = std::stoi(port);
            }
        }
        if (host.size() > 2 && host.front() == '[' && host.back() == ']')
            host = host.substr(1, host.size() - 2);
        l.anyAddress = host == "*" || host == "_default_";
        l.host = l.anyAddress ? "127.0.0.1" : host;
        out.push_back(l);
    }
    return out;
}

std::vector<VirtualHost> loadVirtualHosts(const ServerDump& dump, const ConfContext& context) {
    std::map<std::string, std::vector<ConfNode>> parsed;
    std::vector<VirtualHost> out;
    for (const ServerDump::Location& where : dump.vhosts) {
        auto it = parsed.find(where.file);
        if (it == parsed.end())
            it = parsed.emplace(where.file, parseConfFile(where.file, context)).first;
        if (const ConfNode* block = findBlock(it->second, where.file, where.line))
            out.push_back(describe(*block, context));
    }
    return out;
}

std::vector<Listener> listenDirectives(const std::string& configPath, const ConfContext& context) {
    std::vector<const ConfNode*> directives;
    std::vector<ConfNode> nodes = parseConfFile(configPath, context);
    collect(nodes, context, directives);
    std::vector<Listener> out;
    for (const ConfNode* d : directives) {
        if (!d->is("Listen") || d->args.empty())
            continue;
        VirtualHost parsed; // reuse the address parser
        parsed.addresses = {d->args[0].find(':') == std::string::npos ? "*:" + d->args[0]
                                                                      : d->args[0]};
        Listener l = parsed.listeners()[0];
        if (l.anyAddress || l.host == "0.0.0.0" || l.host == "::")
            l.host.clear();
        out.push_back(l);
    }
    return out;
}

Listener probeAddress(const Listener& vhost, const std::vector<Listener>& listens) {
    if (!vhost.anyAddress)
        return vhost;
    Listener out = vhost;
    for (const Listener& l : listens)
        if (l.port == vhost.port) {
            if (l.host.empty())
                return out; // listening on every address: loopback reaches it
            out.host = l.host;
        }
    return out;
}

std::string suggestedBlock(const std::string& domain, const std::string& fullchain,
                           const std::string& key) {
    return "<VirtualHost *:443> ServerName " + domain + " SSLEngine on SSLCertificateFile " +
           quoteArg(fullchain) + " SSLCertificateKeyFile " + quoteArg(key) + " </VirtualHost>";
}

} // namespace certagent::plugins::apache
