#include "ApacheFixture.h"

#include "crypto/TlsProbe.h"
#include "plugins/Plugins.h"

#include <Poco/File.h>

#include <algorithm>
#include <cstdio>
#include <dirent.h>
#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent::test {

SubprocessResult RecordingRunner::run(const std::vector<std::string>& argv,
                                      const SubprocessOptions& options) {
    calls.push_back(argv);
    if (before)
        before(argv);
    if (intercept)
        if (std::optional<SubprocessResult> faked = intercept(argv))
            return *faked;
    SubprocessResult result = m_real.run(argv, options);
    if (after)
        after(argv, result);
    return result;
}

int RecordingRunner::count(const std::string& word) const {
    return static_cast<int>(std::count_if(calls.begin(), calls.end(), [&](const auto& argv) {
        return std::find(argv.begin(), argv.end(), word) != argv.end();
    }));
}

ApacheFixture::ApacheFixture(const std::string& debianInstance)
    : storeDir(dir / "store"), rootPath(dir / "root.pem"), apache(debianInstance),
      m_root(TestCa::makeRoot("certagent apache test root")),
      m_intermediate(m_root.makeIntermediate("certagent apache test intermediate")) {
    writeFile(rootPath, m_root.certPem());
}

CertVersion ApacheFixture::issue(const std::vector<std::string>& names, KeyKind kind) {
    crypto::EvpPkeyPtr key = makeKey(kind);
    CertSpec spec;
    spec.names = names;
    crypto::X509Ptr leaf = m_intermediate.issue(*key, spec);
    return {toPem(*leaf), m_intermediate.certPem(), keyToPem(*key), sha256Fingerprint(*leaf)};
}

void ApacheFixture::writeVersion(int n, const CertVersion& v) {
    std::string d = storeDir + "/archive/" + name + "/000" + std::to_string(n);
    writeFile(d + "/privkey.pem", v.keyPem, 0600);
    writeFile(d + "/cert.pem", v.certPem);
    writeFile(d + "/chain.pem", v.chainPem);
    writeFile(d + "/fullchain.pem", v.certPem + v.chainPem);
}

void ApacheFixture::switchTo(int n) {
    Poco::File(storeDir + "/live").createDirectories();
    std::string link = storeDir + "/live/" + name;
    std::string temp = link + ".tmp";
    ::unlink(temp.c_str());
    std::string targetPath = "../archive/" + name + "/000" + std::to_string(n);
    if (::symlink(targetPath.c_str(), temp.c_str()) != 0 ||
        std::rename(temp.c_str(), link.c_str()) != 0)
        throw std::runtime_error("cannot switch " + link);
}

void ApacheFixture::writeOldPair(const std::string& d, const CertVersion& v) {
    writeFile(d + "/cert.pem", v.certPem + v.chainPem);
    writeFile(d + "/key.pem", v.keyPem, 0600);
}

core::DeployTarget ApacheFixture::target(const std::vector<std::string>& domains,
                                         const std::string& keyType) const {
    std::string live = storeDir + "/live/" + name;
    return {name, domains, live + "/fullchain.pem", live + "/privkey.pem", keyType};
}

core::InstallerContext ApacheFixture::context(const std::string& reload) {
    return core::InstallerContext{storeDir, apache.settings(reload), runner,
                                  std::chrono::seconds(15)};
}

std::unique_ptr<core::Installer> ApacheFixture::installer(const std::string& reload) {
    return plugins::makeInstaller("apache", context(reload));
}

core::DeployOutcome ApacheFixture::deploy(const std::vector<std::string>& domains,
                                          const CertVersion& next, const std::string& previousSha,
                                          int previous) {
    std::unique_ptr<core::Installer> inst = installer();
    return deploy(*inst, target(domains), next, previousSha, previous);
}

core::DeployOutcome ApacheFixture::deploy(core::Installer& inst, const core::DeployTarget& t,
                                          const CertVersion& next, const std::string& previousSha,
                                          int previous) {
    inst.discover(t);
    core::DeployStep step;
    step.newSha256 = next.sha256;
    step.previousSha256 = previousSha;
    step.switchBack = [this, previous] {
        if (previous > 0)
            switchTo(previous);
    };
    step.log = [this](const std::string& line) { log.push_back(line); };
    return core::deploy(inst, step);
}

std::string ApacheFixture::served(const std::string& sni, const std::string& host,
                                  const std::string& keyType) const {
    crypto::ProbeOptions options;
    options.keyType = keyType;
    return crypto::probeTls(host, apache.httpsPort(), sni, options).leafSha256;
}

bool ApacheFixture::configTestPasses() const {
    std::vector<std::string> argv{ApacheProcess::binary()};
    std::vector<std::string> env;
    if (!apache.instanceEnv().empty())
        argv.insert(argv.end(), {"-d", apache.confDir()});
    for (const auto& [key, value] : apache.instanceEnv())
        env.push_back(key + "=" + value);
    argv.insert(argv.end(), {"-f", apache.configPath(), "-t"});
    return runCommand(argv, env, 60).exitCode == 0;
}

namespace {

void readTree(const std::string& dir, std::map<std::string, std::string>& out) {
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d)
        return;
    while (dirent* e = ::readdir(d.get())) {
        std::string name = e->d_name;
        if (name == "." || name == "..")
            continue;
        std::string path = dir + "/" + name;
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            readTree(path, out);
        else if (S_ISREG(st.st_mode))
            out[path] = readFile(path);
    }
}

/// The lines of `text` that are not certificate directives.
std::string withoutCertLines(const std::string& text) {
    static const std::regex kCert(R"(^\s*SSLCertificate(File|KeyFile|ChainFile)\s.*$)",
                                  std::regex::icase);
    std::istringstream in(text);
    std::string line, out;
    while (std::getline(in, line))
        if (!std::regex_match(line, kCert))
            out += line + "\n";
    return out;
}

} // namespace

std::map<std::string, std::string> snapshot(const std::vector<std::string>& dirs) {
    std::map<std::string, std::string> out;
    for (const std::string& dir : dirs)
        readTree(dir, out);
    return out;
}

std::string otherThanCertLines(const std::map<std::string, std::string>& before,
                               const std::map<std::string, std::string>& after) {
    std::string out;
    for (const auto& [path, text] : before) {
        auto now = after.find(path);
        if (now == after.end() || withoutCertLines(now->second) != withoutCertLines(text))
            out += path + " ";
    }
    if (after.size() != before.size())
        out += "(files added or removed)";
    return out;
}

SubprocessResult exited(int code, const std::string& output) {
    SubprocessResult r;
    r.exitCode = code;
    r.output = output;
    return r;
}

bool ApacheFixture::verifiesWithOpenssl(const std::string& sni) const {
    CommandOutput out =
        runCommand({"/usr/bin/openssl", "s_client", "-connect",
                    "127.0.0.1:" + std::to_string(apache.httpsPort()), "-servername", sni,
                    "-verify_return_error", "-CAfile", rootPath, "-verify_hostname", sni},
                   {}, 30);
    return out.exitCode == 0 && out.output.find("Verify return code: 0 (ok)") != std::string::npos;
}

std::string sslVhost(int port, const std::string& serverName, const std::string& aliases,
                     const std::string& cert, const std::string& key, const std::string& host) {
    return "<VirtualHost " + host + ":" + std::to_string(port) + ">\n    ServerName " + serverName +
           "\n" + (aliases.empty() ? "" : "    ServerAlias " + aliases + "\n") +
           "    SSLEngine on\n    SSLCertificateFile \"" + cert +
           "\"\n    SSLCertificateKeyFile \"" + key + "\"\n</VirtualHost>\n";
}

} // namespace certagent::test
