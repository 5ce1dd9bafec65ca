#pragma once

#include "NginxProcess.h"
#include "TestCa.h"
#include "TestEnv.h"
#include "core/Deployer.h"
#include "core/Installer.h"
#include "util/Subprocess.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace certagent::test {

/// The real runner, with test hooks run just before the first command whose argv contains a
/// given argument (to break things between deploy steps).
class StepHookRunner : public CommandRunner {
  public:
    SubprocessResult run(const std::vector<std::string>& argv,
                         const SubprocessOptions& options) override;
    void before(const std::string& arg, std::function<void()> action);
    std::vector<std::string> calls;

  private:
    struct Hook {
        std::string arg;
        std::function<void()> action;
        bool done = false;
    };
    std::vector<Hook> m_hooks;
    SystemCommandRunner m_real;
};

/// A running private nginx serving one TLS site (placeholder certificate from a test CA) and a
/// fake store layout <store>/archive/site/000N + live/site.
class NginxSite {
  public:
    explicit NginxSite(bool start = true);
    /// Writes version N (fresh key, leaf from the intermediate); `wrongKey` stores a key that does
    /// not match the leaf. Returns the leaf's SHA-256.
    std::string writeVersion(int n, bool wrongKey = false);
    /// Points live/site at archive/site/000N (atomic symlink swap).
    void switchLive(int n);
    core::DeployTarget target() const;
    core::InstallerContext
    context(std::chrono::milliseconds probeWithin = std::chrono::seconds(15));
    std::unique_ptr<core::Installer>
    installer(std::chrono::milliseconds probeWithin = std::chrono::seconds(15));
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

  private:
    std::string issueTo(const std::string& dirPath, bool wrongKey);
};

} // namespace certagent::test
