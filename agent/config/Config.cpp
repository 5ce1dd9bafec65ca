#include "config/Config.h"

#include "config/ConfigFiles.h"
#include "config/IniFile.h"
#include "util/Error.h"
#include "util/FileIo.h"
#include "util/PathTrust.h"
#include "util/Text.h"

#include <Poco/Path.h>

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <map>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent::config {

namespace {

/// How a file is named in messages: relative to the config directory when inside it.
std::string displayName(const std::string& base, const std::string& path) {
    std::string prefix = base == "/" ? "/" : base + "/";
    if (path.compare(0, prefix.size(), prefix) == 0)
        return path.substr(prefix.size());
    return path;
}

/// Refuses a directory whose entries certagent reads when someone else could add or swap one.
void checkTrustedDir(const std::string& dir, const std::string& label) {
    std::string problem = entriesDirProblem(dir);
    if (!problem.empty())
        throw ConfigError(escapeForLog(label) + ": " + escapeForLog(problem));
}

/// The directory of a file read through a path that may be a symlink: the link's directory and,
/// if it differs, the target's. A missing directory is left to the file's own "no such file".
void checkFileDir(const std::string& file, const std::string& label) {
    std::string dir = parentDir(file);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 && errno == ENOENT)
        return;
    checkTrustedDir(dir, label);
    std::unique_ptr<char, decltype(&std::free)> real(::realpath(file.c_str(), nullptr), &std::free);
    if (real && parentDir(real.get()) != dir)
        checkTrustedDir(parentDir(real.get()), label);
}

/// The *.conf entries of certs.d (no dot files), sorted. readCertFile refuses a symlink among them
/// (never followed: a trusted admin has no need for one, and a planted one is an attack).
std::vector<std::string> certFiles(const std::string& dir, const std::string& display) {
    std::unique_ptr<DIR, int (*)(DIR*)> handle(::opendir(dir.c_str()), ::closedir);
    if (!handle)
        throw ConfigError(display + ": cannot open directory: " + errnoText(errno));
    std::vector<std::string> files;
    while (dirent* entry = ::readdir(handle.get())) {
        std::string file = entry->d_name;
        if (file.size() > 5 && file[0] != '.' && file.compare(file.size() - 5, 5, ".conf") == 0)
            files.push_back(file);
    }
    std::sort(files.begin(), files.end());
    return files;
}

void checkCertName(const std::string& name, const std::string& display) {
    if (isValidCertName(name))
        return;
    std::string rule = name.find("..") != std::string::npos ? "\"..\" is not allowed"
                                                            : "letters, digits, . _ -, at most 64";
    throw ConfigError(escapeForLog(display) + ": bad certificate name \"" + escapeForLog(name) +
                      "\" (" + rule + ")");
}

/// Two files for the same name would fight over one server block: refuse at load.
void checkOverlaps(const std::vector<CertConfig>& certs) {
    std::map<std::string, const CertConfig*> owner;
    for (const auto& cert : certs) {
        const CertConfig* other = nullptr;
        std::string shared;
        for (const auto& name : cert.domains) {
            auto it = owner.find(name);
            if (it == owner.end() || (other && it->second != other))
                continue;
            other = it->second;
            shared += (shared.empty() ? "" : ", ") + name;
        }
        if (other)
            throw ConfigError(escapeForLog(cert.file) + ": shares " + shared + " with " +
                              escapeForLog(other->file) +
                              " (each name may belong to one certificate file only)");
        for (const auto& name : cert.domains)
            owner.emplace(name, &cert);
    }
}

void readCerts(Config& config, const std::string& base) {
    std::string display = escapeForLog(displayName(base, config.certsDir));
    std::vector<std::string> files = certFiles(config.certsDir, display);
    checkTrustedDir(config.certsDir, displayName(base, config.certsDir));
    for (const auto& file : files) {
        std::string full = config.certsDir + "/" + file;
        std::string name = file.substr(0, file.size() - 5);
        checkCertName(name, displayName(base, full));
        config.certs.push_back(readCertFile(full, displayName(base, full), name, config));
    }
    checkOverlaps(config.certs);
}

} // namespace

CertConfig checkNewCertFile(const Config& config, const std::string& draft,
                            const std::string& name) {
    std::string display =
        displayName(parentDir(config.path), config.certsDir + "/" + name + ".conf");
    checkCertName(name, display);
    std::vector<CertConfig> all = config.certs;
    all.push_back(readCertFile(draft, display, name, config));
    checkOverlaps(all);
    return all.back();
}

const std::vector<std::pair<std::string, DcvMethod>>& dcvMethods() {
    static const std::vector<std::pair<std::string, DcvMethod>> table = {
        {"http", DcvMethod::Http},
        {"https", DcvMethod::Https},
        {"dns", DcvMethod::Dns},
        {"email", DcvMethod::Email}};
    return table;
}

namespace {

/// The word a table gives `value`, or `fallback` (tables are complete; the fallback is a guard).
template <typename E>
const char* wordFor(const std::vector<std::pair<std::string, E>>& table, E value,
                    const char* fallback) {
    for (const auto& [word, entry] : table)
        if (entry == value)
            return word.c_str();
    return fallback;
}

} // namespace

const char* dcvName(DcvMethod method) {
    return wordFor(dcvMethods(), method, "http");
}

const std::vector<std::pair<std::string, InstallerKind>>& installerKinds() {
    static const std::vector<std::pair<std::string, InstallerKind>> table = {
        {"nginx", InstallerKind::Nginx},
        {"apache", InstallerKind::Apache},
        {"none", InstallerKind::None}};
    return table;
}

const char* installerName(InstallerKind kind) {
    return wordFor(installerKinds(), kind, "none");
}

const CertConfig& Config::cert(const std::string& name) const {
    for (const auto& c : certs)
        if (c.name == name)
            return c;
    throw ConfigError("unknown certificate \"" + escapeForLog(name) + "\" (no " +
                      escapeForLog(certsDir + "/" + name) + ".conf)");
}

bool isAcmeBackend(const std::string& backend) {
    return backend == "acme" ||
           (backend.compare(0, 5, "acme-") == 0 && isValidCertName(backend.substr(5)));
}

const AcmeSettings* Config::acmeFor(const std::string& backend) const {
    if (!isAcmeBackend(backend))
        return nullptr;
    auto it = acme.find(backend == "acme" ? "" : backend.substr(5));
    return it == acme.end() ? nullptr : &it->second;
}

const std::string& Config::trustCaFileFor(const CertConfig& cert) const {
    const AcmeSettings* settings = acmeFor(cert.backend);
    return settings && !settings->trustCaFile.empty() ? settings->trustCaFile : trustCaFile;
}

bool Config::usesGoGetSsl() const {
    return std::any_of(certs.begin(), certs.end(),
                       [](const CertConfig& c) { return c.backend == kGoGetSslBackend; });
}

Config loadConfig(const std::string& path, bool requireCredentials) {
    return loadConfig(path, requireCredentials ? NeedCredentials::IfUsed : NeedCredentials::No);
}

Config loadConfig(const std::string& path, NeedCredentials need) {
    // The main file is named as given: it is the one file the user did not reach through it.
    if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT)
        throw ConfigError(escapeForLog(path) + ": no such file (use --config FILE)");
    Config config;
    // A relative --config must not make every relative path inside it relative to the cwd.
    config.path = Poco::Path(path).absolute().toString();
    std::string base = parentDir(config.path);
    checkFileDir(config.path, "config directory");
    IniFile ini(config.path, displayName(base, config.path), 0755);
    readMainFile(ini, config, base);
    readCerts(config, base);
    // ACME certificates need no reseller account: its credentials only when GoGetSSL is used.
    if (need == NeedCredentials::Yes ||
        (need == NeedCredentials::IfUsed && config.usesGoGetSsl())) {
        checkFileDir(config.api.credentialsFile, "credentials directory");
        readCredentials(config, displayName(base, config.api.credentialsFile));
    }
    return config;
}

} // namespace certagent::config
