#include "plugins/apache/Discovery.h"

#include "util/Error.h"

#include <algorithm>

namespace certagent::plugins::apache {

namespace {

/// Apache's choice for one name at one endpoint, with the loaded block it names.
struct Hit {
    const Endpoint* endpoint = nullptr;
    Choice choice;
    size_t block = 0;
};

std::string joined(const std::vector<std::string>& items, const std::string& separator = ", ") {
    std::string out;
    for (const std::string& item : items)
        out += (out.empty() ? "" : separator) + item;
    return out;
}

core::ServedName servedName(const ServerState& state, const std::string& name, const Hit& hit) {
    const VirtualHost& b = state.vhosts[hit.block];
    core::ServedName s{name, hit.choice.chain->address, b.where(), hit.choice.why, "", ""};
    if (!b.certFiles.empty() && !b.certFiles[0].node.args.empty())
        s.certFile = resolvePath(b.certFiles[0].node.args[0], state.context);
    if (!b.keyFiles.empty() && !b.keyFiles[0].node.args.empty())
        s.keyFile = resolvePath(b.keyFiles[0].node.args[0], state.context);
    return s;
}

[[noreturn]] void notServed(const ServerState& state, const std::string& domain,
                            const std::string& fullchain, const std::string& key) {
    std::string text = "apache: no SSL <VirtualHost> in " + state.configPath + " serves " + domain +
                       "; add a block such as: " + suggestedBlock(domain, fullchain, key);
    if (!state.scan.skipped.empty()) {
        text +=
            "; apache2 skipped " + joined(state.scan.skipped) + ", which hold <VirtualHost> blocks";
        std::vector<std::string> defines(state.scan.skippedDefines.begin(),
                                         state.scan.skippedDefines.end());
        if (!defines.empty())
            text += " (if apache2 runs with -D " + joined(defines, " -D ") +
                    ", set [apache] defines = " + joined(defines) + ")";
    }
    throw ConfigError(text);
}

[[noreturn]] void madeByMacro(const std::string& domain, const DumpedVhost& v,
                              const std::string& fullchain, const std::string& key) {
    throw ConfigError("apache: " + domain + " is served by a <VirtualHost> that <Macro " + v.macro +
                      "> generates (Use at " + v.where.text() +
                      "); certagent does not edit macro-generated blocks: give " + domain +
                      " its own <VirtualHost>, or point the macro's SSLCertificateFile and "
                      "SSLCertificateKeyFile at " +
                      fullchain + " and " + key + " by hand");
}

/// Every TLS hit for `sni`: by name where a block names it, else the defaults.
std::vector<Hit> hitsFor(const ServerState& state, const std::string& domain,
                         const std::string& fullchain, const std::string& key) {
    std::vector<Hit> named, defaults;
    const DumpedVhost* macro = nullptr;
    for (const Endpoint& e : state.endpoints) {
        Choice c = choose(state.dump.chains, e.host, e.port, sniFor(domain));
        if (!c.vhost)
            continue;
        if (!c.vhost->macro.empty()) {
            if (c.byName || !macro)
                macro = c.vhost;
            continue;
        }
        auto it = state.byLocation.find(c.vhost->where);
        if (it == state.byLocation.end() || !state.vhosts[it->second].ssl)
            continue;
        (c.byName ? named : defaults).push_back({&e, c, it->second});
    }
    if (!named.empty())
        return named;
    if (macro)
        madeByMacro(domain, *macro, fullchain, key);
    if (defaults.empty())
        notServed(state, domain, fullchain, key);
    // The default of the wildcard addresses serves the name on every address no IP-based block
    // claims: that is the one to edit when there is one.
    std::vector<Hit> wildcard;
    for (const Hit& h : defaults)
        if (h.choice.chain->host == "*")
            wildcard.push_back(h);
    if (!wildcard.empty())
        defaults = wildcard;
    std::vector<std::string> blocks;
    for (const Hit& h : defaults) {
        std::string b = state.vhosts[h.block].where() + " (" + h.choice.why + ")";
        if (std::find(blocks.begin(), blocks.end(), b) == blocks.end())
            blocks.push_back(b);
    }
    bool oneBlock = std::all_of(defaults.begin(), defaults.end(),
                                [&](const Hit& h) { return h.block == defaults[0].block; });
    if (!oneBlock)
        throw ConfigError(
            "apache: no <VirtualHost> names " + domain +
            ", and different blocks serve it by default on different addresses: " + joined(blocks) +
            "; add ServerName " + domain + " (or a ServerAlias) to the one that should serve it");
    return defaults;
}

/// Pointing a block at the certificate must not break the other names it serves.
void checkCovered(const VirtualHost& b, const Hit& hit, const std::string& domain,
                  const std::vector<std::string>& domains, const std::string& fullchain,
                  const std::string& key) {
    std::vector<std::string> others = b.uncovered(domains);
    if (others.empty())
        return;
    if (hit.choice.byName)
        throw ConfigError("apache: the block at " + b.where() + " also serves " + joined(others) +
                          ", which the certificate's domains do not cover; add them to domains "
                          "or give them their own <VirtualHost>");
    throw ConfigError("apache: no <VirtualHost> names " + domain + "; the block at " + b.where() +
                      " serves it by default (" + hit.choice.why + "), but it also serves " +
                      joined(others) + ", which the certificate's domains do not cover; give " +
                      domain +
                      " its own block, such as: " + suggestedBlock(domain, fullchain, key));
}

} // namespace

void index(ServerState& state) {
    state.byLocation.clear();
    for (size_t i = 0; i < state.vhosts.size(); ++i)
        state.byLocation[{state.vhosts[i].file, state.vhosts[i].line}] = i;
    state.endpoints = endpoints(state.scan.listens, state.dump.chains, isLocalAddress);
}

std::string sniFor(const std::string& domain) {
    return domain.rfind("*.", 0) == 0 ? "certagent-probe" + domain.substr(1) : domain;
}

Targets findTargets(const ServerState& state, const std::vector<std::string>& domains,
                    const std::string& fullchain, const std::string& key) {
    Targets t;
    for (const std::string& domain : domains) {
        for (const Hit& hit : hitsFor(state, domain, fullchain, key)) {
            checkCovered(state.vhosts[hit.block], hit, domain, domains, fullchain, key);
            if (std::find(t.blocks.begin(), t.blocks.end(), hit.block) == t.blocks.end())
                t.blocks.push_back(hit.block);
            core::ServedName placed = servedName(state, domain, hit);
            bool seen = std::any_of(t.placements.begin(), t.placements.end(), [&](const auto& p) {
                return p.name == placed.name && p.address == placed.address;
            });
            if (seen) // one handshake per name and address chain is enough
                continue;
            t.placements.push_back(placed);
            t.probes.push_back({*hit.endpoint, sniFor(domain), hit.block});
        }
    }
    return t;
}

std::vector<core::ServedName> inventoryOf(const ServerState& state) {
    std::vector<core::ServedName> out;
    auto add = [&](const core::ServedName& s) {
        for (const core::ServedName& have : out)
            if (have.name == s.name && have.address == s.address && have.block == s.block)
                return;
        out.push_back(s);
    };
    for (const Endpoint& e : state.endpoints) {
        const AddressChain* chain = chainFor(state.dump.chains, e.host, e.port);
        if (!chain)
            continue;
        for (const DumpedVhost& v : chain->vhosts) {
            auto it = state.byLocation.find(v.where);
            if (!v.macro.empty() || it == state.byLocation.end() || !state.vhosts[it->second].ssl)
                continue;
            const VirtualHost& b = state.vhosts[it->second];
            std::vector<std::string> names = b.aliases;
            if (!b.serverName.empty())
                names.insert(names.begin(), b.serverName);
            for (const std::string& name : names) {
                Choice c = choose(state.dump.chains, e.host, e.port, sniFor(name));
                if (c.vhost == &v)
                    add(servedName(state, name, {&e, c, it->second}));
            }
            if (&v == &chain->vhosts.front())
                add(servedName(state, "",
                               {&e, choose(state.dump.chains, e.host, e.port, ""), it->second}));
        }
    }
    return out;
}

} // namespace certagent::plugins::apache
