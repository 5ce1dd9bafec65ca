#pragma once

#include "NginxProcess.h"
#include "TestCa.h"
#include "TestEnv.h"
#include "core/Deployer.h"
#include "core/Installer.h"
#include "util/Subprocess.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace certagent::test {

/// `text` with the first `from` replaced by `to` (required to be there).
std::string replaced(std::string text, const std::string& from, const std::string& to);

/// Whether this host can listen on ::1 (IPv6 tests are skipped without it).
bool ipv6Loopback();

/// The real runner, with test hooks run just before (or just after) the first command whose argv
/// contains a given argument (to break things or shift timing between deploy steps).
class StepHookRunner : public CommandRunner {
  public:
    SubprocessResult run(const std::vector<std::string>& argv,
                         const SubprocessOptions& options) override;
    /// `every`: on each such command, not only the first.
    void before(const std::string& arg, std::function<void()> action, bool every = false);
    /// Like before(), but after the command returned.
    void after(const std::string& arg, std::function<void()> action, bool every = false);
    std::vector<std::string> calls;

  private:
    struct Hook {
        std::string arg;
        std::function<void()> action;
        bool done = false;
        bool every = false;
    };
    static void fire(std::vector<Hook>& hooks, const std::vector<std::string>& argv);
    std::vector<Hook> m_hooks;
    std::vector<Hook> m_afterHooks;
    SystemCommandRunner m_real;
};

/// A running private nginx serving one TLS site (placeholder certificate from a test CA) and a
/// fake store layout <store>/archive/site/000N + live/site.
class NginxSite {
  public:
    explicit NginxSite(bool start = true);
    /// Writes version N (fresh key, leaf from the intermediate); `wrongKey` stores a key that does
    /// not match the leaf. Returns the leaf's SHA-256.
    std::string writeVersion(int n, bool wrongKey = false, KeyKind kind = KeyKind::EcP256);
    /// Writes cert.pem, chain.pem, fullchain.pem, privkey.pem for `domains` into `dirPath` (a
    /// placeholder someone installed by hand). Returns the leaf's SHA-256.
    std::string issueTo(const std::string& dirPath, bool wrongKey = false,
                        KeyKind kind = KeyKind::EcP256);
    /// Whole-file check that nginx accepts the configuration as it is now (`nginx -t`).
    bool nginxAccepts();
    /// discover() with `installer` must refuse `target` with exactly `message` (ConfigError, exit
    /// 2); afterwards every configuration file is byte-identical and each of `snis` is served the
    /// leaf it was served before.
    void expectRefused(core::Installer& installer, const core::DeployTarget& target,
                       const std::string& message, const std::vector<std::string>& snis);
    /// Every configuration file below the nginx prefix (path -> bytes), for "nothing changed".
    std::map<std::string, std::string> configFiles() const;
    /// SHA-256 of the leaf served on the site port for `sni` to a client offering only the
    /// signature algorithms of `keyType` ("ec-p256", "rsa-2048"; "" all), optionally after a
    /// PROXY protocol header.
    std::string servedTo(const std::string& sni, const std::string& keyType,
                         bool proxyProtocol = false);
    /// Points live/site at archive/site/000N (atomic symlink swap).
    void switchLive(int n);
    core::DeployTarget target() const;
    core::InstallerContext
    context(std::chrono::milliseconds probeWithin = std::chrono::seconds(15));
    std::unique_ptr<core::Installer>
    installer(std::chrono::milliseconds probeWithin = std::chrono::seconds(15));
    /// Writes version `n`, points live at it, discovers and deploys it with `installer` (the
    /// site's own when null) over `previousSha` (the placeholder when empty); requires exit 0.
    /// Returns the new leaf's SHA-256.
    std::string installVersion(int n, core::Installer* installer = nullptr,
                               const std::string& previousSha = "");
    /// `text` with the certificate path `certFrom` and key path `keyFrom` (as written, quotes
    /// included) replaced by the live paths, as an install writes them.
    std::string repointed(const std::string& text, const std::string& certFrom,
                          const std::string& keyFrom) const;
    /// core::deploy() with switchBack to version `previous` (0: nothing to switch back).
    core::DeployOutcome deploy(core::Installer& installer, const std::string& newSha,
                               const std::string& previousSha, int previous);
    /// SHA-256 of the leaf served for `sni` on the site port ("" when the handshake fails).
    std::string served(const std::string& sni = "example.test");
    /// `openssl s_client ... -verify_return_error -CAfile root` succeeds for `sni`.
    bool opensslVerifies(const std::string& sni);
    std::string siteText() const { return readFile(siteFile); }

    TempDir dir;
    NginxProcess nginx;
    StepHookRunner runner;
    TestCa root;
    TestCa intermediate;
    std::string store;
    std::string rootPath;
    std::string siteFile;
    std::string placeholderSha;
    std::vector<std::string> domains{"example.test", "www.example.test"};
    int port;
};

} // namespace certagent::test
