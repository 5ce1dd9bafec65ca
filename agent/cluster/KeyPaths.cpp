#include "cluster/KeyPaths.h"

#include "cluster/Envelope.h"
#include "crypto/Digest.h"
#include "crypto/OpenSslError.h"
#include "util/CertName.h"
#include "util/Error.h"
#include "util/Text.h"

#include <algorithm>
#include <cstdio>

namespace certagent::cluster {
namespace {

constexpr long long kMaxVersion = 999999;

const std::string& checked(const std::string& name, const char* what) {
    if (!isValidCertName(name)) {
        throw ConfigError(std::string("etcd key: invalid ") + what + " name \"" +
                          escapeForLog(name, 80) + "\"");
    }
    return name;
}

} // namespace

KeyPaths::KeyPaths(const std::string& cluster) : m_cluster(cluster) {
    if (!isValidCertName(cluster)) {
        throw ConfigError("[cluster] name: \"" + escapeForLog(cluster, 80) +
                          "\" is not 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter "
                          "or digit, without \"..\"");
    }
    m_root = "/certagent/v1/" + cluster + "/";
}

std::string KeyPaths::current(const std::string& name) const {
    return currentPrefix() + checked(name, "certificate");
}

std::string KeyPaths::currentPrefix() const {
    return m_root + "current/";
}

std::string KeyPaths::version(const std::string& name, long long n) const {
    if (n < 1 || n > kMaxVersion) {
        throw ConfigError("etcd key: version " + std::to_string(n) + " out of range");
    }
    char digits[16];
    std::snprintf(digits, sizeof digits, "%04lld", n);
    return versionsPrefix(name) + digits;
}

std::string KeyPaths::versionsPrefix(const std::string& name) const {
    return m_root + "versions/" + checked(name, "certificate") + "/";
}

std::string KeyPaths::order(const std::string& name) const {
    return orderPrefix() + checked(name, "certificate");
}

std::string KeyPaths::orderPrefix() const {
    return m_root + "order/";
}

std::string KeyPaths::lock(const std::string& name) const {
    return m_root + "lock/" + checked(name, "certificate");
}

std::string KeyPaths::ack(const std::string& name, const std::string& host) const {
    return acksPrefix(name) + checked(host, "host");
}

std::string KeyPaths::acksPrefix(const std::string& name) const {
    return m_root + "acks/" + checked(name, "certificate") + "/";
}

std::string KeyPaths::member(const std::string& host) const {
    return membersPrefix() + checked(host, "host");
}

std::string KeyPaths::membersPrefix() const {
    return m_root + "members/";
}

std::string KeyPaths::lockPrefix() const {
    return m_root + "lock/";
}

std::string KeyPaths::keyCheck() const {
    return m_root + "keycheck";
}

std::string KeyPaths::acmeAccount(const std::string& directoryUrl) const {
    const std::string hash = crypto::sha256(directoryUrl, "acme directory URL");
    const auto* bytes = reinterpret_cast<const unsigned char*>(hash.data());
    return m_root + "acme/" + crypto::hexEncode(bytes, hash.size(), false).substr(0, 16) +
           "/account";
}

std::string KeyPaths::aad(const std::string& keyPath) const {
    return envelopeAad(m_cluster, keyPath);
}

std::optional<std::string> KeyPaths::childName(const std::string& prefix, const std::string& key) {
    if (key.size() <= prefix.size() || key.compare(0, prefix.size(), prefix) != 0) {
        return std::nullopt;
    }
    std::string rest = key.substr(prefix.size());
    if (!isValidCertName(rest)) {
        return std::nullopt;
    }
    return rest;
}

std::optional<long long> KeyPaths::versionOf(const std::string& name,
                                             const std::string& key) const {
    const auto rest = childName(versionsPrefix(name), key);
    if (!rest || rest->size() < 4 || rest->size() > 6 ||
        !std::all_of(rest->begin(), rest->end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    const long long n = std::stoll(*rest);
    if (n < 1 || version(name, n) != key) {
        return std::nullopt; // "00012" is not how version 12 is written
    }
    return n;
}

} // namespace certagent::cluster
