#pragma once

#include <optional>
#include <string>

namespace certagent::cluster {

/// The etcd keys of one cluster (design-fleet §3.2), all under /certagent/v1/<cluster>/:
///   current/<name>  versions/<name>/<NNNN>  order/<name>  lock/<name>
///   acks/<name>/<host>  members/<host>  keycheck  acme/<dirhash>/account
/// Cluster, certificate and host names follow the one certificate-name rule (isValidCertName,
/// util/CertName.h), so each is exactly one path segment; every builder throws ConfigError
/// otherwise.
class KeyPaths {
  public:
    /// Throws ConfigError "[cluster] name: ..." for an invalid cluster name.
    explicit KeyPaths(const std::string& cluster);

    const std::string& cluster() const { return m_cluster; }
    /// "/certagent/v1/<cluster>/"
    const std::string& root() const { return m_root; }

    std::string current(const std::string& name) const;
    std::string currentPrefix() const;
    /// versions/<name>/<n as at least 4 digits>; n in 1..999999.
    std::string version(const std::string& name, long long n) const;
    std::string versionsPrefix(const std::string& name) const;
    std::string order(const std::string& name) const;
    std::string orderPrefix() const;
    std::string lock(const std::string& name) const;
    std::string lockPrefix() const;
    std::string ack(const std::string& name, const std::string& host) const;
    std::string acksPrefix(const std::string& name) const;
    std::string member(const std::string& host) const;
    std::string membersPrefix() const;
    /// keycheck: a blob sealed under the fleet key, so a host with another key finds out before
    /// it writes anything.
    std::string keyCheck() const;

    /// acme/<dirhash>/account: the fleet's one account at the ACME CA of `directoryUrl`
    /// (dirhash = the first 16 hex digits of SHA-256(directory URL)).
    std::string acmeAccount(const std::string& directoryUrl) const;

    /// The AAD of a sealed blob stored at `keyPath` (envelopeAad with this cluster).
    std::string aad(const std::string& keyPath) const;

    /// The segment after `prefix` when `key` is `prefix` + one valid name; nullopt for anything
    /// else (keys written by other tools are not trusted as names).
    static std::optional<std::string> childName(const std::string& prefix, const std::string& key);
    /// The version number of a key under versionsPrefix(name); nullopt if it is not one.
    std::optional<long long> versionOf(const std::string& name, const std::string& key) const;

  private:
    std::string m_cluster;
    std::string m_root;
};

} // namespace certagent::cluster
