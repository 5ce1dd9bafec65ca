#pragma once

// Which ssl_certificate / ssl_certificate_key pair of a server block a managed certificate takes
// over. nginx pairs the n-th certificate with the n-th key; a block with an RSA and an ECDSA pair
// serves each client the one its signature algorithms allow. certagent replaces only the pair of
// its own key type and leaves the other alone (a certificate file managing both types later asks
// once per type), and never takes a pair that belongs to another managed certificate.

#include "core/Installer.h"
#include "plugins/nginx/ServerBlocks.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace certagent::plugins::nginx {

/// One certificate/key pair of a block.
struct CertPair {
    const Directive* certificate = nullptr;
    const Directive* key = nullptr;
};

/// The key family ("rsa", "ec", "ed25519"...) of the first certificate in a PEM file. Throws
/// ConfigError naming the file when it cannot be read or holds no certificate.
std::string certificateKeyFamily(const std::string& path);
using KeyFamilyReader = std::function<std::string(const std::string& path)>;

/// "ec" for "ec-p256", "rsa" for "rsa-2048"; "" when `keyType` is empty.
std::string keyFamilyOf(const std::string& keyType);

/// The block's own pairs, in order. Throws ConfigError when the numbers of certificates and keys
/// differ (nginx refuses that too).
std::vector<CertPair> ownPairs(const ServerBlock& block);

/// The pair `target` takes over: nullopt when the block has none of its own (the directives are
/// inserted); the only one; with several, the one already pointing at target's live files, else
/// the one whose certificate file holds a key of target's type (read with `readFamily`, paths
/// relative to the main configuration's directory). Throws ConfigError when it cannot tell (key
/// type unknown, a file unreadable or named with variables, no pair or two pairs of that type).
std::optional<size_t> pairFor(const ServerBlock& block, const std::vector<CertPair>& pairs,
                              const core::DeployTarget& target, const Config& config,
                              const KeyFamilyReader& readFamily = certificateKeyFamily);

/// Throws ConfigError (exit 2) naming both certificates when `pair` points into the live
/// directory of another managed certificate (target.otherLiveDirs): that block is the other
/// certificate's, and repointing it would make the two fight over it on every renewal.
void checkNotAnothers(const CertPair& pair, const ServerBlock& block,
                      const core::DeployTarget& target);

} // namespace certagent::plugins::nginx
