#include "plugins/nginx/DeployPlan.h"

#include "plugins/nginx/Coverage.h"
#include "plugins/nginx/PackageFiles.h"
#include "plugins/nginx/Selection.h"
#include "util/Error.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace certagent::plugins::nginx {

namespace {

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items)
        out += (out.empty() ? "" : ", ") + item;
    return out;
}

/// Which http server blocks (by index) include each file, and whether it is also read outside
/// any of them (http or main level, stream/mail servers).
struct FileUsers {
    std::map<std::string, std::set<size_t>> blocks;
    std::set<std::string> outside;
};

void collectUsers(const std::vector<Directive>& level,
                  const std::map<const Directive*, size_t>& index, std::optional<size_t> inBlock,
                  FileUsers& users) {
    for (const Directive& d : level) {
        std::optional<size_t> block = inBlock;
        auto it = index.find(&d);
        if (it != index.end())
            block = it->second;
        if (block && it == index.end())
            users.blocks[d.file].insert(*block);
        else if (!block)
            users.outside.insert(d.file);
        collectUsers(d.children, index, block, users);
    }
}

class Planner {
  public:
    Planner(const Config& config, const std::vector<ServerBlock>& blocks,
            const core::DeployTarget& target, const PlanSeams& seams)
        : m_config(config), m_blocks(blocks), m_target(target), m_seams(seams),
          m_groups(listenGroups(blocks)) {}

    DeployPlan run();

  private:
    void chooseFor(const std::string& domain);
    void checkCovered() const;
    void planBlock(size_t index);
    bool snippetEditable(const CertPair& pair);
    void addEndpoints();
    bool reachable(const ListenGroup& group) const;
    std::string blockToAdd() const;

    const Config& m_config;
    const std::vector<ServerBlock>& m_blocks;
    const core::DeployTarget& m_target;
    const PlanSeams& m_seams;
    std::vector<ListenGroup> m_groups;
    std::vector<size_t> m_chosen;           // in order of first choice
    std::set<size_t> m_severalPairs;        // once edited
    std::set<size_t> m_severalPairsAsFound; // before the edits
    std::optional<FileUsers> m_users;
    DeployPlan m_plan;
};

bool serves(const ServerBlock& block) {
    return !block.rejectsHandshake;
}

void Planner::chooseFor(const std::string& domain) {
    const std::string host = hostForDomain(domain);
    std::vector<size_t> byName, byDefault;
    std::vector<std::string> skipped;
    for (const ListenGroup& group : m_groups) {
        if (!group.socket.ssl)
            continue;
        Selection s = selectIn(group, m_blocks, host);
        const ServerBlock& block = m_blocks[s.block];
        if (!serves(block))
            continue;
        if (s.byName)
            byName.push_back(s.block);
        else if (uncoveredNames(block.names, m_target.domains).empty())
            byDefault.push_back(s.block);
        else
            skipped.push_back(s.why() + " (" + block.where() + ")");
    }
    std::vector<size_t>& chosen = byName.empty() ? byDefault : byName;
    if (chosen.empty())
        throw ConfigError("nginx: no TLS server block in " + m_config.mainFile +
                          " (and its includes) serves " + domain +
                          (skipped.empty() ? std::string()
                                           : " (the " + joined(skipped) + " serves other names)") +
                          "; add one, e.g.: " + blockToAdd());
    for (size_t index : chosen)
        if (std::find(m_chosen.begin(), m_chosen.end(), index) == m_chosen.end())
            m_chosen.push_back(index);
}

void Planner::checkCovered() const {
    for (size_t index : m_chosen) {
        std::vector<std::string> others = uncoveredNames(m_blocks[index].names, m_target.domains);
        if (!others.empty())
            throw ConfigError("nginx: the server block at " + m_blocks[index].where() +
                              " also serves " + joined(others) + ", which the domains of " +
                              m_target.name +
                              " do not cover; add them to its domains, or split the block so "
                              "that those names get their own server block");
    }
}

/// A snippet is edited in place only if every block including it is edited by this deploy and
/// it is no package conffile (see DeployPlan.h).
bool Planner::snippetEditable(const CertPair& pair) {
    if (!m_users) {
        std::map<const Directive*, size_t> index;
        for (const ServerBlock& b : m_blocks)
            index[b.node] = b.index;
        m_users.emplace();
        collectUsers(m_config.root, index, std::nullopt, *m_users);
    }
    for (const std::string& file : {pair.certificate->file, pair.key->file}) {
        if (m_users->outside.count(file) || m_seams.isConffile(file))
            return false;
        for (size_t user : m_users->blocks[file])
            if (std::find(m_chosen.begin(), m_chosen.end(), user) == m_chosen.end())
                return false;
    }
    return true;
}

void Planner::planBlock(size_t index) {
    const ServerBlock& block = m_blocks[index];
    std::vector<CertPair> pairs = ownPairs(block);
    std::optional<size_t> taken = pairFor(block, pairs, m_target, m_config, m_seams.readFamily);
    std::vector<Edit>& edits = m_plan.edits;
    if (!taken) {
        edits.push_back(
            insertPairInBlock(block, m_config.files, m_target.fullchainPath, m_target.keyPath));
        return;
    }
    if (pairs.size() > 1) {
        m_severalPairs.insert(index);
        m_severalPairsAsFound.insert(index);
    }
    const CertPair& pair = pairs[*taken];
    checkNotAnothers(pair, block, m_target);
    std::vector<Edit> repoint = repointPair(pair, m_target.fullchainPath, m_target.keyPath);
    const Directive& cert = *pair.certificate;
    const Directive& key = *pair.key;
    bool inBlock = cert.includeEnd == 0 && key.includeEnd == 0;
    if (repoint.empty() || inBlock || snippetEditable(pair)) {
        edits.insert(edits.end(), repoint.begin(), repoint.end());
        return;
    }
    if (std::tie(cert.includeFile, cert.includeEnd) != std::tie(key.includeFile, key.includeEnd))
        throw ConfigError("nginx: the certificate pair of the server block at " + block.where() +
                          " is split between " + cert.where() + " and " + key.where() + ", and " +
                          cert.file +
                          " is shared or a package's file, so certagent overrides it in the "
                          "block; put ssl_certificate and ssl_certificate_key in one place");
    edits.push_back(
        insertPairAfterInclude(cert, m_config.files, m_target.fullchainPath, m_target.keyPath));
    m_severalPairs.insert(index); // the included pair stays loaded before ours
}

/// A wildcard socket is probed over loopback, unless a loopback socket on the same port takes
/// those connections to its own blocks.
bool Planner::reachable(const ListenGroup& group) const {
    const char* loopback = group.socket.address == "*"      ? "127.0.0.1"
                           : group.socket.address == "[::]" ? "[::1]"
                                                            : nullptr;
    if (!loopback)
        return true;
    const std::string shadow = std::string(loopback) + ":" + std::to_string(group.socket.port);
    return std::none_of(m_groups.begin(), m_groups.end(),
                        [&](const ListenGroup& g) { return g.key() == shadow; });
}

/// Every (socket, name) where nginx will pick an edited block: the certificate's names and
/// every name the edited blocks serve.
void Planner::addEndpoints() {
    std::vector<std::string> hosts;
    for (const std::string& domain : m_target.domains)
        hosts.push_back(hostForDomain(domain));
    for (size_t index : m_chosen)
        for (const std::string& name : m_blocks[index].names)
            for (const std::string& sample : sampleHosts(name))
                if (std::find(hosts.begin(), hosts.end(), sample) == hosts.end())
                    hosts.push_back(sample);
    std::set<std::string> probed; // hosts with at least one endpoint
    for (const ListenGroup& group : m_groups) {
        if (!group.socket.ssl || !reachable(group))
            continue;
        for (const std::string& host : hosts) {
            Selection s = selectIn(group, m_blocks, host);
            if (std::find(m_chosen.begin(), m_chosen.end(), s.block) == m_chosen.end())
                continue;
            Endpoint ep{probeHost(group.socket), group.socket.port, host, group.key(), {}, {}};
            ep.options.proxyProtocol = group.socket.proxyProtocol;
            if (m_severalPairs.count(s.block))
                ep.options.keyType = m_target.keyType;
            if (m_severalPairsAsFound.count(s.block))
                ep.keyTypeAsFound = m_target.keyType;
            m_plan.endpoints.push_back(ep);
            probed.insert(host);
        }
    }
    for (const std::string& domain : m_target.domains)
        if (!probed.count(hostForDomain(domain)))
            throw ConfigError("nginx: " + domain +
                              " is served only on wildcard listens shadowed by a loopback listen "
                              "on the same port; cannot probe it");
}

std::string Planner::blockToAdd() const {
    return "server { listen 443 ssl; server_name " + joined(m_target.domains) +
           "; ssl_certificate " + quoteValue(m_target.fullchainPath) + "; ssl_certificate_key " +
           quoteValue(m_target.keyPath) + "; ... }";
}

DeployPlan Planner::run() {
    for (const std::string& domain : m_target.domains)
        chooseFor(domain);
    checkCovered();
    for (size_t index : m_chosen)
        planBlock(index);
    std::vector<Edit>& edits = m_plan.edits;
    auto key = [](const Edit& e) { return std::tie(e.file, e.begin, e.end, e.text); };
    std::sort(edits.begin(), edits.end(),
              [&](const Edit& a, const Edit& b) { return key(a) < key(b); });
    // a snippet shared by two edited blocks yields the same edit twice: make it once
    edits.erase(std::unique(edits.begin(), edits.end(),
                            [&](const Edit& a, const Edit& b) { return key(a) == key(b); }),
                edits.end());
    addEndpoints();
    m_plan.blocks = m_chosen;
    return m_plan;
}

} // namespace

PlanSeams defaultSeams() {
    return PlanSeams{[](const std::string& path) { return isPackageConffile(path); },
                     certificateKeyFamily};
}

DeployPlan planDeploy(const Config& config, const std::vector<ServerBlock>& blocks,
                      const core::DeployTarget& target, const PlanSeams& seams) {
    return Planner(config, blocks, target, seams).run();
}

} // namespace certagent::plugins::nginx
