#include "plugins/nginx/Inventory.h"

#include "plugins/nginx/Selection.h"

#include <set>

namespace certagent::plugins::nginx {

namespace {

std::string firstPath(const Config& config, const std::vector<const Directive*>& directives) {
    if (directives.empty() || directives.front()->args.empty())
        return {};
    return resolveConfigPath(config, directives.front()->args[0].value);
}

core::ServedName served(const Config& config, const ServerBlock& block, const std::string& name,
                        const std::string& address, const std::string& why) {
    return core::ServedName{name,
                            address,
                            block.where(),
                            why,
                            firstPath(config, block.servedCertificates()),
                            firstPath(config, block.servedKeys())};
}

} // namespace

std::vector<core::ServedName> placementsOf(const Config& config,
                                           const std::vector<ServerBlock>& blocks,
                                           const std::vector<std::string>& domains) {
    std::vector<core::ServedName> out;
    const std::vector<ListenGroup> groups = listenGroups(blocks);
    for (const std::string& domain : domains)
        for (const ListenGroup& group : groups) {
            if (!group.socket.ssl)
                continue;
            Selection s = selectIn(group, blocks, hostForDomain(domain));
            out.push_back(served(config, blocks[s.block], domain, group.key(), s.why()));
        }
    return out;
}

std::vector<core::ServedName> inventoryOf(const Config& config,
                                          const std::vector<ServerBlock>& blocks) {
    std::vector<core::ServedName> out;
    for (const ListenGroup& group : listenGroups(blocks)) {
        if (!group.socket.ssl)
            continue;
        std::set<std::string> seen;
        for (size_t index : group.blocks)
            for (const std::string& name : blocks[index].names) {
                if (isPlaceholderName(name) || !seen.insert(name).second)
                    continue;
                std::vector<std::string> samples = sampleHosts(name);
                if (samples.empty()) { // a regex: nginx tries them in this order
                    out.push_back(
                        served(config, blocks[index], name, group.key(), "regex " + name));
                    continue;
                }
                Selection s = selectIn(group, blocks, samples.back());
                if (s.block == index) // else an earlier block claims the same name
                    out.push_back(served(config, blocks[index], name, group.key(), s.why()));
            }
        Selection fallback = defaultSelection(group);
        out.push_back(served(config, blocks[fallback.block], "", group.key(), fallback.why()));
    }
    return out;
}

} // namespace certagent::plugins::nginx
