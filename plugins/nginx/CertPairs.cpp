#include "plugins/nginx/CertPairs.h"

#include "crypto/OpenSslError.h"
#include "crypto/OpenSslTypes.h"
#include "crypto/ServerFiles.h"
#include "util/Error.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

namespace certagent::plugins::nginx {

namespace {

const std::string& pathOf(const Directive& d) {
    if (d.args.size() != 1)
        throw ConfigError(d.where() + ": " + d.name + " must have exactly one argument");
    return d.args[0].value;
}

std::string describe(const ServerBlock& block, size_t pairs) {
    return "the server block at " + block.where() + " has " + std::to_string(pairs) +
           " certificates (one per key type)";
}

/// The key family of pair `i`'s certificate, with the pair named in any refusal.
std::string familyOf(const CertPair& pair, const ServerBlock& block, size_t count,
                     const Config& config, const KeyFamilyReader& readFamily) {
    const std::string& value = pathOf(*pair.certificate);
    if (value.find('$') != std::string::npos)
        throw ConfigError("nginx: " + pair.certificate->where() + ": ssl_certificate " + value +
                          " uses variables, so certagent cannot tell its key type; " +
                          describe(block, count) + ": name the files directly");
    try {
        return readFamily(resolveConfigPath(config, value));
    } catch (const ConfigError& e) {
        throw ConfigError("nginx: " + pair.certificate->where() + ": " + e.what() + "; " +
                          describe(block, count) +
                          " and certagent replaces only the one of its key type");
    }
}

} // namespace

std::string certificateKeyFamily(const std::string& path) {
    crypto::BioPtr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio)
        throw ConfigError("cannot read " + path + " to tell its key type (" +
                          crypto::drainOpenSslErrors() + ")");
    // the reader nginx uses, so every file nginx loads is read here too
    crypto::X509Ptr cert(PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr));
    if (!cert)
        throw ConfigError(path + " holds no readable certificate (" + crypto::drainOpenSslErrors() +
                          ")");
    const EVP_PKEY* key = X509_get0_pubkey(cert.get());
    if (!key)
        throw ConfigError(path + ": cannot read the certificate's public key (" +
                          crypto::drainOpenSslErrors() + ")");
    const std::string family = crypto::keyFamily(*key);
    return family.empty() ? OBJ_nid2sn(EVP_PKEY_get_base_id(key)) : family;
}

std::string keyFamilyOf(const std::string& keyType) {
    return crypto::keyFamilyOfType(keyType);
}

std::vector<CertPair> ownPairs(const ServerBlock& block) {
    if (block.certificates.size() != block.keys.size())
        throw ConfigError("nginx: the server block at " + block.where() + " has " +
                          std::to_string(block.certificates.size()) + " ssl_certificate and " +
                          std::to_string(block.keys.size()) +
                          " ssl_certificate_key directives; give each certificate its key");
    std::vector<CertPair> pairs;
    for (size_t i = 0; i < block.certificates.size(); ++i)
        pairs.push_back(CertPair{block.certificates[i], block.keys[i]});
    return pairs;
}

std::optional<size_t> pairFor(const ServerBlock& block, const std::vector<CertPair>& pairs,
                              const core::DeployTarget& target, const Config& config,
                              const KeyFamilyReader& readFamily) {
    if (pairs.size() <= 1)
        return pairs.empty() ? std::nullopt : std::optional<size_t>(0);
    for (size_t i = 0; i < pairs.size(); ++i)
        if (pathOf(*pairs[i].certificate) == target.fullchainPath)
            return i;
    const std::string wanted = keyFamilyOf(target.keyType);
    if (wanted.empty())
        throw ConfigError("nginx: " + describe(block, pairs.size()) + " and the key type of " +
                          target.name + " is unknown; cannot tell which one to replace");
    std::optional<size_t> found;
    for (size_t i = 0; i < pairs.size(); ++i) {
        if (familyOf(pairs[i], block, pairs.size(), config, readFamily) != wanted)
            continue;
        if (found)
            throw ConfigError("nginx: " + describe(block, pairs.size()) + ", and those at " +
                              pairs[*found].certificate->where() + " and " +
                              pairs[i].certificate->where() + " are both " + wanted +
                              "; keep one per key type");
        found = i;
    }
    if (!found)
        throw ConfigError("nginx: " + describe(block, pairs.size()) + ", none of them " + wanted +
                          " like " + target.name + " (key = " + target.keyType +
                          "); replace one by hand or change key");
    return found;
}

void checkNotAnothers(const CertPair& pair, const ServerBlock& block,
                      const core::DeployTarget& target) {
    for (const Directive* d : {pair.certificate, pair.key}) {
        const std::string& value = pathOf(*d);
        for (const std::string& dir : target.otherLiveDirs) {
            std::string prefix = dir.back() == '/' ? dir : dir + "/";
            if (value.compare(0, prefix.size(), prefix) != 0)
                continue;
            std::string other = prefix.substr(0, prefix.size() - 1);
            other = other.substr(other.rfind('/') + 1);
            throw ConfigError("nginx: " + d->where() + ": " + d->name + " points at " + value +
                              ", the live files of certificate \"" + other + "\"; certificate \"" +
                              target.name + "\" will not take over its server block at " +
                              block.where() +
                              " (give each certificate its own block, or one certificate file "
                              "for both name sets)");
        }
    }
}

} // namespace certagent::plugins::nginx
