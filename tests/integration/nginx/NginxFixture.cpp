#include "NginxFixture.h"

#include "crypto/TlsProbe.h"
#include "plugins/Plugins.h"

#include <Poco/File.h>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace certagent::test {

SubprocessResult StepHookRunner::run(const std::vector<std::string>& argv,
                                     const SubprocessOptions& options) {
    for (Hook& h : m_hooks)
        if (!h.done && std::find(argv.begin(), argv.end(), h.arg) != argv.end()) {
            h.done = true;
            h.action();
        }
    std::string line;
    for (const std::string& a : argv)
        line += (line.empty() ? "" : " ") + a;
    calls.push_back(line);
    return m_real.run(argv, options);
}

void StepHookRunner::before(const std::string& arg, std::function<void()> action) {
    m_hooks.push_back(Hook{arg, std::move(action)});
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

std::string NginxSite::issueTo(const std::string& dirPath, bool wrongKey) {
    crypto::EvpPkeyPtr key = makeKey();
    CertSpec spec;
    spec.names = domains;
    crypto::X509Ptr leaf = intermediate.issue(*key, spec);
    std::string leafPem = toPem(*leaf);
    writeFile(dirPath + "/cert.pem", leafPem);
    writeFile(dirPath + "/chain.pem", intermediate.certPem());
    writeFile(dirPath + "/fullchain.pem", leafPem + intermediate.certPem());
    writeFile(dirPath + "/privkey.pem", keyToPem(wrongKey ? *makeKey() : *key), 0600);
    return sha256Fingerprint(*leaf);
}

std::string NginxSite::writeVersion(int n, bool wrongKey) {
    char version[8];
    std::snprintf(version, sizeof version, "%04d", n);
    return issueTo(store + "/archive/site/" + version, wrongKey);
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
                              store + "/live/site/privkey.pem"};
}

core::InstallerContext NginxSite::context(std::chrono::milliseconds probeWithin) {
    config::ServerSettings server{NginxProcess::binary(), nginx.configPath(), "signal"};
    return core::InstallerContext{store, server, runner, probeWithin};
}

std::unique_ptr<core::Installer> NginxSite::installer(std::chrono::milliseconds probeWithin) {
    return plugins::makeInstaller("nginx", context(probeWithin));
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
