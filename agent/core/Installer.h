#pragma once

#include "config/ServerSettings.h"
#include "util/Subprocess.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certagent::core {

/// What a plugin is given when it is made.
struct InstallerContext {
    std::string storeDir;          ///< <store>; backups go below <store>/backup/<plugin>/
    config::ServerSettings server; ///< the section of the plugin's kind
    CommandRunner& runner;         ///< every program the plugin starts goes through this
    std::chrono::milliseconds probeWithin{std::chrono::seconds(15)};
};

/// The certificate a deploy installs: the stable live paths and the leaf that must be served.
struct DeployTarget {
    std::string name;                 ///< certificate NAME
    std::vector<std::string> domains; ///< configured names, first = CN
    std::string fullchainPath;        ///< <store>/live/NAME/fullchain.pem
    std::string keyPath;              ///< <store>/live/NAME/privkey.pem
    /// Key type of the managed certificate ("ec-p256", "rsa-2048", ...). In a block with two
    /// certificate pairs (RSA + ECDSA) only the pair of this type is repointed; empty = unknown.
    std::string keyType{};
    /// Live dirs (<store>/live/OTHER) of the other managed certificates: a directive pointing
    /// into one of them belongs to that certificate and is never repointed (ConfigError, exit 2).
    std::vector<std::string> otherLiveDirs{};
};

/// How the server selects a block for one TLS name on one listen address, by its own rules
/// (nginx: exact, leading wildcard, trailing wildcard, regex, default server; Apache:
/// ServerName/ServerAlias, then the first vhost of the address). For status, verify, discover.
struct ServedName {
    std::string name;     ///< the host name ("" for a block reached only as default)
    std::string address;  ///< listen address as configured: "127.0.0.1:443", "[::]:443", "*:443"
    std::string block;    ///< file:line of the block that serves it
    std::string why;      ///< "exact name", "wildcard *.example.com", "default server of *:443"
    std::string certFile; ///< certificate file the block serves today (first pair if several)
    std::string keyFile;  ///< its key file
};

/// A web server plugin (ARCHITECTURE.md, "The installer contract"). Steps are called in order by
/// core::deploy(); each throws InstallError (plugin, step, reason) on failure and must leave files
/// as it found them when it throws before changing anything.
class Installer {
  public:
    virtual ~Installer() = default;
    virtual std::string kind() const = 0;
    /// Asks the server which files and blocks serve each domain. Throws ConfigError (exit 2) with
    /// the block to add when a domain has no TLS block; InstallError when the server cannot say.
    virtual void discover(const DeployTarget& target) = 0;
    /// Records how the server runs now and backs up every file apply() may change.
    virtual void prepare() = 0;
    /// Points the TLS directives at the live paths. Returns false when nothing needed changing.
    virtual bool apply() = 0;
    /// The server's own configuration test (`nginx -t`, `apache2 -t`).
    virtual void test() = 0;
    /// Graceful reload; never starts a stopped server.
    virtual void reload() = 0;
    /// TLS handshake with SNI to every listener of every domain until the served leaf's SHA-256
    /// (lower-case hex) is `expectedSha256`, within a bounded time.
    virtual void probe(const std::string& expectedSha256) = 0;
    /// Restores the files backed up by prepare().
    virtual void restoreConfig() = 0;
    /// After restoreConfig() and the live link switched back: bring the server back to serving the
    /// restored files the way it ran before prepare() (a reload; a restart only if the deploy
    /// killed it).
    virtual void recover() { reload(); }
    /// For `webroot = auto`: the document root of the plain-HTTP block serving `domain`.
    virtual std::optional<std::string> webrootFor(const std::string& domain) = 0;
    /// After discover(): for every configured name on every TLS listen address, the block that
    /// serves it and why.
    virtual std::vector<ServedName> placements() const = 0;
    /// Everything the server serves over TLS today (every name and default block on every listen
    /// address), independent of discover(); for `certagent discover`. Throws InstallError when
    /// the server cannot say.
    virtual std::vector<ServedName> inventory() = 0;
};

/// Makes the installer named by `installer =` in a certificate file; nullptr for "none".
/// Throws ConfigError for an unknown kind.
using InstallerFactory =
    std::function<std::unique_ptr<Installer>(const std::string& kind, const InstallerContext&)>;

} // namespace certagent::core
