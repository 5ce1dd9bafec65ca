#pragma once

// Shared pieces of the apache integration tests: a test CA, a store with versions and a live
// link, a real apache2, and a CommandRunner wrapper that records calls and can inject faults.

#include "ApacheProcess.h"
#include "TestCa.h"
#include "TestEnv.h"
#include "core/Deployer.h"
#include "core/Installer.h"
#include "util/Subprocess.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certagent::test {

/// The real runner, recording every argv, with hooks around calls.
class RecordingRunner : public CommandRunner {
  public:
    SubprocessResult run(const std::vector<std::string>& argv,
                         const SubprocessOptions& options) override;
    /// Called before / after each real run (to break things at a precise step).
    std::function<void(const std::vector<std::string>&)> before;
    std::function<void(const std::vector<std::string>&, SubprocessResult&)> after;
    /// When set and it returns a result, the program is not run at all (a stand-in systemctl).
    std::function<std::optional<SubprocessResult>(const std::vector<std::string>&)> intercept;
    std::vector<std::vector<std::string>> calls;
    /// How many recorded calls contain `word` as an argument.
    int count(const std::string& word) const;

  private:
    SystemCommandRunner m_real;
};

/// One certificate version: leaf, chain, key, in PEM, and the leaf's SHA-256.
struct CertVersion {
    std::string certPem, chainPem, keyPem, sha256;
};

/// A root + intermediate CA, a <store> with archive/NAME/000N and live/NAME, and apache.
class ApacheFixture {
  public:
    /// `debianInstance`: lay apache out as /etc/apache2-NAME (see ApacheProcess).
    explicit ApacheFixture(const std::string& debianInstance = "");
    /// A leaf for `names` from the intermediate, with a fresh key of `kind`.
    CertVersion issue(const std::vector<std::string>& names, KeyKind kind = KeyKind::EcP256);
    /// Writes archive/NAME/000<n>/ (privkey 0600, cert, chain, fullchain).
    void writeVersion(int n, const CertVersion& version);
    /// Points live/NAME at archive/NAME/000<n> (temp link + rename).
    void switchTo(int n);
    /// Writes cert+key outside the store (the certificate served before certagent).
    void writeOldPair(const std::string& dir, const CertVersion& version);

    core::DeployTarget target(const std::vector<std::string>& domains,
                              const std::string& keyType = "ec-p256") const;
    core::InstallerContext context(const std::string& reload = "signal");
    std::unique_ptr<core::Installer> installer(const std::string& reload = "signal");
    /// discover() + core::deploy() with switchBack to version `previous` (0: no switch back).
    core::DeployOutcome deploy(const std::vector<std::string>& domains, const CertVersion& next,
                               const std::string& previousSha, int previous);
    /// The same for a prepared target and installer.
    core::DeployOutcome deploy(core::Installer& installer, const core::DeployTarget& target,
                               const CertVersion& next, const std::string& previousSha,
                               int previous);

    /// SHA-256 of the leaf served on the https port at `host` for `sni` ("" if the handshake
    /// fails), to a client offering only `keyType`'s signature algorithms when given.
    std::string served(const std::string& sni, const std::string& host = "127.0.0.1",
                       const std::string& keyType = "") const;
    /// `apache2 -t` on the configuration passes.
    bool configTestPasses() const;
    /// `openssl s_client -servername sni -verify_return_error -CAfile root` succeeded.
    bool verifiesWithOpenssl(const std::string& sni) const;

    TempDir dir;
    std::string storeDir, rootPath, name = "site";
    ApacheProcess apache;
    RecordingRunner runner;
    std::vector<std::string> log;

  private:
    TestCa m_root;
    TestCa m_intermediate;
};

/// Every regular file below `dirs` and its content (to show a refusal wrote nothing).
std::map<std::string, std::string> snapshot(const std::vector<std::string>& dirs);

/// The files of `before` that `after` changes in other lines than SSLCertificateFile,
/// SSLCertificateKeyFile and SSLCertificateChainFile ones ("" when only those changed).
std::string otherThanCertLines(const std::map<std::string, std::string>& before,
                               const std::map<std::string, std::string>& after);

/// A finished command's result, for stand-in programs.
SubprocessResult exited(int code, const std::string& output = "");

/// A <VirtualHost host:port> block with SSL for `serverName` (+ aliases) using the files.
std::string sslVhost(int port, const std::string& serverName, const std::string& aliases,
                     const std::string& cert, const std::string& key,
                     const std::string& host = "127.0.0.1");

} // namespace certagent::test
