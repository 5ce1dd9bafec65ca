#include "NginxFixture.h"

#include "crypto/TlsProbe.h"
#include "plugins/Plugins.h"
#include "util/Error.h"

#include <Poco/File.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/RecursiveDirectoryIterator.h>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace certagent::test {

void StepHookRunner::fire(std::vector<Hook>& hooks, const std::vector<std::string>& argv) {
    for (Hook& h : hooks)
        if (!h.done && std::find(argv.begin(), argv.end(), h.arg) != argv.end()) {
            h.done = !h.every;
            h.action();
        }
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    size_t pos = text.find(from);
    BOOST_REQUIRE_MESSAGE(pos != std::string::npos, from);
    return text.replace(pos, from.size(), to);
}

bool ipv6Loopback() {
    try {
        Poco::Net::ServerSocket s(Poco::Net::SocketAddress("[::1]:0"));
        return true;
    } catch (...) {
        return false;
    }
}

SubprocessResult StepHookRunner::run(const std::vector<std::string>& argv,
                                     const SubprocessOptions& options) {
    fire(m_hooks, argv);
    std::string line;
    for (const std::string& a : argv)
        line += (line.empty() ? "" : " ") + a;
    calls.push_back(line);
    SubprocessResult result = m_real.run(argv, options);
    fire(m_afterHooks, argv);
    return result;
}

void StepHookRunner::before(const std::string& arg, std::function<void()> action, bool every) {
    m_hooks.push_back(Hook{arg, std::move(action), false, every});
}

void StepHookRunner::after(const std::string& arg, std::function<void()> action, bool every) {
    m_afterHooks.push_back(Hook{arg, std::move(action), false, every});
}

NginxSite::NginxSite(bool start)
    : root(TestCa::makeRoot("certagent nginx test root")),
      intermediate(root.makeIntermediate("certagent nginx test intermediate")),
      store(dir / "store"), rootPath(dir / "root.pem"), port(freePort()) {
    writeFile(rootPath, root.certPem());
    Poco::File(store + "/live").createDirectories();
    placeholderSha = issueTo(dir / "placeholder", false);
    siteFile = nginx.addServerFile(
        "site.conf", NginxProcess::tlsServerBlock(domains, port, dir / "placeholder/fullchain.pem",
                                                  dir / "placeholder/privkey.pem"));
    if (start)
        nginx.start({port});
}

std::string NginxSite::issueTo(const std::string& dirPath, bool wrongKey, KeyKind kind) {
    crypto::EvpPkeyPtr key = makeKey(kind);
    CertSpec spec;
    spec.names = domains;
    crypto::X509Ptr leaf = intermediate.issue(*key, spec);
    std::string leafPem = toPem(*leaf);
    writeFile(dirPath + "/cert.pem", leafPem);
    writeFile(dirPath + "/chain.pem", intermediate.certPem());
    writeFile(dirPath + "/fullchain.pem", leafPem + intermediate.certPem());
    writeFile(dirPath + "/privkey.pem", keyToPem(wrongKey ? *makeKey(kind) : *key), 0600);
    return sha256Fingerprint(*leaf);
}

std::string NginxSite::writeVersion(int n, bool wrongKey, KeyKind kind) {
    char version[8];
    std::snprintf(version, sizeof version, "%04d", n);
    return issueTo(store + "/archive/site/" + version, wrongKey, kind);
}

bool NginxSite::nginxAccepts() {
    CommandOutput out =
        runCommand({NginxProcess::binary(), "-t", "-c", nginx.configPath()}, {}, 60);
    BOOST_TEST_MESSAGE("nginx -t: " << out.output);
    return out.exitCode == 0;
}

void NginxSite::switchLive(int n) {
    char target[32];
    std::snprintf(target, sizeof target, "../archive/site/%04d", n);
    std::string tmp = store + "/live/.site.tmp";
    ::unlink(tmp.c_str());
    BOOST_REQUIRE(::symlink(target, tmp.c_str()) == 0);
    BOOST_REQUIRE(::rename(tmp.c_str(), (store + "/live/site").c_str()) == 0);
}

core::DeployTarget NginxSite::target() const {
    return core::DeployTarget{"site", domains, store + "/live/site/fullchain.pem",
                              store + "/live/site/privkey.pem", "ec-p256"};
}

core::InstallerContext NginxSite::context(std::chrono::milliseconds probeWithin) {
    config::ServerSettings server{NginxProcess::binary(), nginx.configPath(), "signal"};
    return core::InstallerContext{store, server, runner, probeWithin};
}

std::unique_ptr<core::Installer> NginxSite::installer(std::chrono::milliseconds probeWithin) {
    return plugins::makeInstaller("nginx", context(probeWithin));
}

std::string NginxSite::installVersion(int n, core::Installer* installer,
                                      const std::string& previousSha) {
    std::string sha = writeVersion(n);
    switchLive(n);
    std::unique_ptr<core::Installer> own;
    if (!installer) {
        own = this->installer();
        installer = own.get();
    }
    installer->discover(target());
    core::DeployOutcome out =
        deploy(*installer, sha, previousSha.empty() ? placeholderSha : previousSha, 0);
    BOOST_REQUIRE_MESSAGE(out.exitCode == 0, out.error);
    return sha;
}

std::string NginxSite::repointed(const std::string& text, const std::string& certFrom,
                                 const std::string& keyFrom) const {
    return replaced(replaced(text, certFrom, store + "/live/site/fullchain.pem"), keyFrom,
                    store + "/live/site/privkey.pem");
}

core::DeployOutcome NginxSite::deploy(core::Installer& installer, const std::string& newSha,
                                      const std::string& previousSha, int previous) {
    core::DeployStep step;
    step.newSha256 = newSha;
    step.previousSha256 = previousSha;
    step.switchBack = [this, previous] {
        if (previous > 0)
            switchLive(previous);
    };
    step.log = [](const std::string& line) { BOOST_TEST_MESSAGE(line); };
    return core::deploy(installer, step);
}

void NginxSite::expectRefused(core::Installer& installer, const core::DeployTarget& target,
                              const std::string& message, const std::vector<std::string>& snis) {
    auto backups = [this] {
        std::vector<std::string> names;
        if (exists(store + "/backup/nginx"))
            Poco::File(store + "/backup/nginx").list(names);
        return names;
    };
    const std::vector<std::string> backupsBefore = backups();
    const std::map<std::string, std::string> before = configFiles();
    std::vector<std::string> servedBefore;
    for (const std::string& sni : snis)
        servedBefore.push_back(served(sni));
    try {
        installer.discover(target);
        BOOST_ERROR("discover accepted what it should refuse: " + message);
    } catch (const ConfigError& e) {
        BOOST_CHECK_EQUAL(e.what(), message);
        BOOST_CHECK_EQUAL(e.exitCode(), 2);
    }
    BOOST_CHECK(configFiles() == before);
    for (size_t i = 0; i < snis.size(); ++i)
        BOOST_CHECK_MESSAGE(served(snis[i]) == servedBefore[i], snis[i] << " changed");
    BOOST_CHECK(backups() == backupsBefore);
}

std::map<std::string, std::string> NginxSite::configFiles() const {
    std::map<std::string, std::string> out;
    for (Poco::RecursiveDirectoryIterator it(nginx.prefix()), end; it != end; ++it) {
        const std::string path = it.path().toString();
        if (it->isFile() && path.find("/tmp/") == std::string::npos &&
            (path.size() < 5 || path.compare(path.size() - 4, 4, ".pid") != 0) &&
            path != nginx.errorLogPath())
            out[path] = readFile(path);
    }
    return out;
}

std::string NginxSite::servedTo(const std::string& sni, const std::string& keyType,
                                bool proxyProtocol) {
    crypto::ProbeOptions options;
    options.keyType = keyType;
    options.proxyProtocol = proxyProtocol;
    return crypto::probeTls("127.0.0.1", port, sni, options).leafSha256;
}

std::string NginxSite::served(const std::string& sni) {
    return crypto::probeTls("127.0.0.1", port, sni).leafSha256;
}

bool NginxSite::opensslVerifies(const std::string& sni) {
    CommandOutput out =
        runCommand({"/usr/bin/openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port),
                    "-servername", sni, "-verify_return_error", "-CAfile", rootPath},
                   {}, 60);
    BOOST_TEST_MESSAGE("openssl s_client exit " << out.exitCode);
    return out.exitCode == 0 && out.output.find("Verify return code: 0 (ok)") != std::string::npos;
}

} // namespace certagent::test
