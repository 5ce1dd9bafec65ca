// Fuzz targets apache_conf and apache_vhosts: configuration files in a scratch ServerRoot through
// the parser (includes, sections, continuation lines, quoting), and the dump Apache prints of its
// virtual hosts through parseDump and loadVirtualHosts. Unreadable or malformed configuration is
// ConfigError; parseDump never throws.

#include "FuzzTargets.h"
#include "plugins/apache/ApacheConf.h"
#include "plugins/apache/Selection.h"
#include "plugins/apache/VhostDump.h"
#include "plugins/apache/VirtualHosts.h"
#include "util/Error.h"

namespace certagent::fuzz {
namespace {

namespace ap = plugins::apache;

/// Writes part 0 as httpd.conf and the others as conf.d/N.conf; returns the main file's path.
std::string writeConfFiles(const std::vector<std::string>& parts, std::size_t first) {
    clearScratch();
    const std::string main = writeScratch("httpd.conf", parts.size() > first ? parts[first] : "");
    for (std::size_t i = first + 1; i < parts.size(); ++i) {
        writeScratch("conf.d/" + std::to_string(i - first) + ".conf", parts[i]);
    }
    return main;
}

ap::ConfContext baseContext() {
    ap::ConfContext context;
    context.serverRoot = scratchDir();
    context.vars = {{"APACHE_LOG_DIR", "/var/log/apache2"}, {"SITE", "www.example.com"}};
    context.defines = {"SSL"};
    context.modules = {"ssl_module", "mpm_event_module"};
    return context;
}

void checkNodes(const std::vector<ap::ConfNode>& nodes, const ap::ConfContext& context) {
    for (const ap::ConfNode& n : nodes) {
        requireThat(n.line >= 1 && n.line <= n.lastLine, "node lines ordered");
        if (n.section) {
            requireThat(n.endLine >= n.lastLine, "section closes after it opens");
            ap::conditionHolds(n, context);
        }
        for (const std::string& arg : n.args) {
            // An argument ending in a backslash has no quoted form in Apache's syntax (`\"`
            // escapes the quote); certagent only writes its own store paths.
            if (arg.empty() || arg.back() != '\\') {
                const std::vector<std::string> back = ap::splitWords(ap::quoteArg(arg));
                requireThat(back.size() == 1 && back[0] == arg,
                            "quoteArg round-trips through splitWords");
            }
        }
        checkNodes(n.children, context);
    }
}

void useVhost(const ap::VirtualHost& v) {
    requireThat(v.line >= 1 && v.endLine >= v.line, "vhost lines ordered");
    v.serves("www.example.com");
    v.uncovered({"example.com", "*.example.com"});
}

/// Apache's choice for every address the dump and the Listen directives name.
void choose(const ap::ServerDump& dump, const std::vector<ap::Listener>& listens) {
    const auto isLocal = [](const std::string& ip) { return ip.rfind("127.", 0) == 0; };
    for (const ap::Endpoint& e : ap::endpoints(listens, dump.chains, isLocal)) {
        const ap::Choice c =
            ap::choose(dump.chains, ap::canonicalIp(e.host), e.port, "www.example.com");
        requireThat((c.chain == nullptr) == (c.vhost == nullptr), "a chain comes with a vhost");
    }
    for (const ap::AddressChain& chain : dump.chains) {
        // (An address may repeat in arbitrary input; Apache prints each once, so no "finds its
        // own chain" check.)
        const ap::Choice c = ap::choose(dump.chains, chain.host == "*" ? "127.0.0.1" : chain.host,
                                        chain.port == 0 ? 443 : chain.port, "www.example.com");
        if (c.chain != nullptr) {
            const auto& vhosts = c.chain->vhosts;
            requireThat(c.vhost >= vhosts.data() && c.vhost < vhosts.data() + vhosts.size(),
                        "the chosen vhost is one of its chain's");
        }
    }
}

} // namespace

void apacheConf(std::string_view input) {
    const std::vector<std::string> parts = splitParts(input, 4);
    const std::string main = writeConfFiles(parts, 0);
    const ap::ConfContext context = baseContext();
    try {
        checkNodes(ap::parseConfFile(main, context), context);
    } catch (const ConfigError&) {
    }
}

void apacheVhosts(std::string_view input) {
    const std::vector<std::string> parts = splitParts(input, 4);
    const ap::ServerDump dump = ap::parseDump(parts[0]);
    const std::string main = writeConfFiles(parts, 1);
    // The dump names files; the blocks are read from the scratch file at the same lines, so the
    // input never makes the target read files outside the scratch directory.
    ap::ServerDump local = dump;
    local.vhosts.clear();
    for (const ap::Location& where : dump.vhosts) {
        local.vhosts.insert({main, where.line});
    }
    ap::ConfContext context = baseContext();
    context.defines = dump.defines;
    context.modules = dump.modules;
    try {
        const ap::ConfigScan scan = ap::scanConfig(main, context);
        for (const ap::VirtualHost& v : ap::loadVirtualHosts(local, context)) {
            useVhost(v);
        }
        choose(dump, scan.listens);
    } catch (const ConfigError&) {
    }
}

} // namespace certagent::fuzz
