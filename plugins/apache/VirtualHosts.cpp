#include "plugins/apache/VirtualHosts.h"

#include "util/Error.h"

#include <fstream>
#include <map>
#include <strings.h>

namespace certagent::plugins::apache {

namespace {

/// "https://Example.com:443" → "Example.com" (matching ignores case).
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

bool isConditional(const ConfNode& node) {
    return node.is("IfModule") || node.is("IfDefine") || node.is("IfFile") || node.is("IfVersion");
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

/// The directives in effect inside a block, each with the Include line of the block's own file
/// it came through (nullptr when written in the block itself).
struct Collector {
    const ConfContext& context;
    const std::string& blockFile;
    std::vector<std::pair<const ConfNode*, const ConfNode*>> found;

    void walk(const std::vector<ConfNode>& nodes, const ConfNode* via) {
        for (const ConfNode& node : nodes) {
            if (node.section) {
                // <Directory>, <Location>, ... hold no certificate directives Apache would use.
                if (isConditional(node) && conditionHolds(node, context))
                    walk(node.children, via);
                continue;
            }
            found.emplace_back(&node, via);
            if (!node.children.empty())
                walk(node.children, via ? via : &node);
        }
    }
};

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
    Collector collector{context, block.file, {}};
    collector.walk(block.children, nullptr);
    for (const auto& [d, via] : collector.found) {
        if (d->file != block.file)
            vhost.otherFiles.insert(d->file);
        TlsDirective tls{*d, via ? via->line : d->line, via ? via->line : 0,
                         via ? via->lastLine : 0, via ? via->name : ""};
        if (d->is("ServerName") && !d->args.empty())
            vhost.serverName = hostOf(d->args[0]);
        else if (d->is("ServerAlias"))
            vhost.aliases.insert(vhost.aliases.end(), d->args.begin(), d->args.end());
        else if (d->is("SSLEngine") && !d->args.empty())
            vhost.ssl = strcasecmp(d->args[0].c_str(), "on") == 0;
        else if (d->is("SSLCertificateFile"))
            vhost.certFiles.push_back(tls);
        else if (d->is("SSLCertificateKeyFile"))
            vhost.keyFiles.push_back(tls);
        else if (d->is("SSLCertificateChainFile"))
            vhost.chainFiles.push_back(tls);
        else if (d->is("DocumentRoot") && !d->args.empty())
            vhost.documentRoot = resolvePath(d->args[0], context);
    }
    vhost.indent =
        block.children.empty() ? "    " : leadingSpace(block.file, block.children[0].line);
    return vhost;
}

bool containsVhost(const std::vector<ConfNode>& nodes) {
    for (const ConfNode& node : nodes)
        if ((node.section && node.is("VirtualHost")) || containsVhost(node.children))
            return true;
    return false;
}

Listener parseListen(const std::string& arg) {
    std::string address = arg.find(':') == std::string::npos ? "*:" + arg : arg;
    size_t colon = address.rfind(':');
    Listener l;
    std::string host = address.substr(0, colon);
    l.port = std::atoi(address.c_str() + colon + 1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    l.host = host == "*" || host == "0.0.0.0" || host == "::" ? "" : host;
    return l;
}

/// Every file an Include inside `nodes` brings in.
void includedFiles(const std::vector<ConfNode>& nodes, std::set<std::string>& out) {
    for (const ConfNode& node : nodes) {
        for (const ConfNode& child : node.children)
            out.insert(child.file);
        includedFiles(node.children, out);
    }
}

void scan(const std::vector<ConfNode>& nodes, const ConfContext& context, ConfigScan& out) {
    for (const ConfNode& node : nodes) {
        if (node.section) {
            if (node.is("Macro")) {
                // Blocks a macro makes are not parsed here: what it includes counts as shared.
                includedFiles(node.children, out.mainFiles);
            } else if (isConditional(node) && conditionHolds(node, context)) {
                scan(node.children, context, out);
            } else if (isConditional(node) && containsVhost(node.children)) {
                std::string args;
                for (const std::string& a : node.args)
                    args += " " + a;
                out.skipped.push_back("<" + node.name + args + "> at " + node.file + ":" +
                                      std::to_string(node.line));
                if (node.is("IfDefine") && !node.args.empty() && node.args[0][0] != '!')
                    out.skippedDefines.insert(node.args[0]);
            }
            continue; // a <VirtualHost>'s directives are not the main server's
        }
        out.mainFiles.insert(node.file);
        if (node.is("Listen") && !node.args.empty())
            out.listens.push_back(parseListen(node.args[0]));
        scan(node.children, context, out);
    }
}

} // namespace

bool VirtualHost::serves(const std::string& domain) const {
    std::vector<std::string> exact, wild;
    for (const std::string& alias : aliases)
        (alias.find_first_of("*?") == std::string::npos ? exact : wild).push_back(alias);
    return matchName(serverName, exact, wild, domain).has_value();
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

std::vector<VirtualHost> loadVirtualHosts(const ServerDump& dump, const ConfContext& context) {
    std::map<std::string, std::vector<ConfNode>> parsed;
    std::vector<VirtualHost> out;
    for (const Location& where : dump.vhosts) {
        auto it = parsed.find(where.file);
        if (it == parsed.end())
            it = parsed.emplace(where.file, parseConfFile(where.file, context)).first;
        if (const ConfNode* block = findBlock(it->second, where.file, where.line))
            out.push_back(describe(*block, context));
    }
    return out;
}

ConfigScan scanConfig(const std::string& configPath, const ConfContext& context) {
    ConfigScan out;
    scan(parseConfFile(configPath, context), context, out);
    return out;
}

std::string suggestedBlock(const std::string& domain, const std::string& fullchain,
                           const std::string& key) {
    return "<VirtualHost *:443> ServerName " + domain + " SSLEngine on SSLCertificateFile " +
           quoteArg(fullchain) + " SSLCertificateKeyFile " + quoteArg(key) + " </VirtualHost>";
}

} // namespace certagent::plugins::apache
