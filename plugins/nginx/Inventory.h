#pragma once

#include "core/Installer.h"
#include "plugins/nginx/ServerBlocks.h"

#include <string>
#include <vector>

namespace certagent::plugins::nginx {

/// For each of `domains` on every TLS listen socket: the block nginx picks (file:line), why
/// (Selection::why) and the certificate/key files that block serves today.
std::vector<core::ServedName> placementsOf(const Config& config,
                                           const std::vector<ServerBlock>& blocks,
                                           const std::vector<std::string>& domains);

/// Everything nginx serves over TLS: on every TLS listen socket, each server_name with the block
/// that wins it, then the socket's default block (name ""), with their certificate files.
std::vector<core::ServedName> inventoryOf(const Config& config,
                                          const std::vector<ServerBlock>& blocks);

} // namespace certagent::plugins::nginx
