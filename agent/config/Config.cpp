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
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

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

/// One certificate file's names, for the overlap check.
struct NamedFile {
    std::string file; ///< display name
    std::vector<std::string_view> domains;
};

/// Two files for the same name would fight over one server block: refuse at load.
void checkOverlaps(const std::vector<NamedFile>& files) {
    std::unordered_map<std::string_view, const NamedFile*> owner;
    for (const auto& cert : files) {
        const NamedFile* other = nullptr;
        std::string shared;
        for (const auto& name : cert.domains) {
            auto it = owner.find(name);
            if (it == owner.end() || (other && it->second != other))
                continue;
            other = it->second;
            shared += (shared.empty() ? "" : ", ") + std::string(name);
        }
        if (other)
            throw ConfigError(escapeForLog(cert.file) + ": shares " + shared + " with " +
                              escapeForLog(other->file) +
                              " (each name may belong to one certificate file only)");
        for (const auto& name : cert.domains)
            owner.emplace(name, &cert);
    }
}

std::vector<std::string_view> splitCommas(const std::string& text) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t comma = text.find(',', start);
        out.emplace_back(text.data() + start,
                         (comma == std::string::npos ? text.size() : comma) - start);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return out;
}

void readCerts(Config& config, const std::string& base, const KnownCertFile& known) {
    std::string display = escapeForLog(displayName(base, config.certsDir));
    std::vector<std::string> files = certFiles(config.certsDir, display);
    checkTrustedDir(config.certsDir, displayName(base, config.certsDir));
    // Names of the files not read, in file order; checked only if a file was read (unchanged
    // files were free of overlaps among themselves when they were read).
    std::vector<std::pair<std::string, const std::string*>> vouched;
    for (const auto& file : files) {
        std::string full = config.certsDir + "/" + file;
        std::string name = file.substr(0, file.size() - 5);
        checkCertName(name, displayName(base, full));
        const std::string* domains = known ? known(config, name, stampOf(full, false)) : nullptr;
        if (domains) {
            config.deferred.push_back(name);
            vouched.emplace_back(name, domains);
        } else {
            config.certs.push_back(readCertFile(full, displayName(base, full), name, config));
        }
    }
    if (config.certs.empty())
        return;
    std::vector<NamedFile> all;
    auto parsed = config.certs.begin();
    auto deferred = vouched.begin();
    while (parsed != config.certs.end() || deferred != vouched.end()) {
        if (deferred == vouched.end() ||
            (parsed != config.certs.end() && parsed->name < deferred->first)) {
            all.push_back({parsed->file, {parsed->domains.begin(), parsed->domains.end()}});
            ++parsed;
        } else {
            all.push_back({displayName(base, config.certsDir + "/" + deferred->first + ".conf"),
                           splitCommas(*deferred->second)});
            ++deferred;
        }
    }
    checkOverlaps(all);
}

} // namespace

CertConfig checkNewCertFile(const Config& config, const std::string& draft,
                            const std::string& name) {
    std::string display =
        displayName(parentDir(config.path), config.certsDir + "/" + name + ".conf");
    checkCertName(name, display);
    // A configuration loaded without the index (discover): every file was read, none deferred.
    CertConfig cert = readCertFile(draft, display, name, config);
    std::vector<NamedFile> all;
    for (const auto& c : config.certs)
        all.push_back({c.file, {c.domains.begin(), c.domains.end()}});
    all.push_back({cert.file, {cert.domains.begin(), cert.domains.end()}}); // last: named first
    checkOverlaps(all);
    return cert;
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

std::vector<std::string> Config::certNames() const {
    std::vector<std::string> out = deferred;
    for (const auto& c : certs)
        out.push_back(c.name);
    std::sort(out.begin(), out.end());
    return out;
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

Config loadConfig(const std::string& path, bool requireCredentials, const KnownCertFile& known) {
    return loadConfig(path, requireCredentials ? NeedCredentials::IfUsed : NeedCredentials::No,
                      known);
}

Config loadConfig(const std::string& path, NeedCredentials need, const KnownCertFile& known) {
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
    config.mergedContact = std::make_shared<const Contact>(withTechDefaults(config.contact));
    readCerts(config, base, known);
    // ACME certificates need no reseller account: its credentials only when GoGetSSL is used. A
    // deferred (unread, unchanged) file may use it: read the credentials when they are there.
    const bool maybeUsed =
        config.usesGoGetSsl() ||
        (!config.deferred.empty() && ::access(config.api.credentialsFile.c_str(), F_OK) == 0);
    if (need == NeedCredentials::Yes || (need == NeedCredentials::IfUsed && maybeUsed)) {
        checkFileDir(config.api.credentialsFile, "credentials directory");
        readCredentials(config, displayName(base, config.api.credentialsFile));
    }
    return config;
}

CertConfig loadCertFile(const Config& config, const std::string& name) {
    std::string base = parentDir(config.path);
    std::string full = config.certsDir + "/" + name + ".conf";
    checkCertName(name, displayName(base, full));
    return readCertFile(full, displayName(base, full), name, config);
}

} // namespace certagent::config
