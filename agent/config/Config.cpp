#include "config/Config.h"

#include "config/IniFile.h"
#include "util/Error.h"

#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <regex>
#include <set>
#include <unistd.h>

namespace certagent::config {

namespace {

const std::map<std::string, std::set<std::string>>& mainSchema() {
    static const std::map<std::string, std::set<std::string>> schema = {
        {"api", {"url", "credentials", "ca_file", "timeout"}},
        {"store", {"dir", "keep_versions", "lock_wait"}},
        {"trust", {"ca_file"}},
        {"renewal", {"before"}},
        {"hooks", {"dir", "timeout"}},
        {"certs", {"dir"}},
        {"contact", {}},
        {"nginx", {"binary", "config", "reload"}},
        {"apache", {"binary", "config", "reload", "defines", "unit"}},
        {"log", {"target", "level"}},
        {"metrics", {"textfile"}},
    };
    return schema;
}

bool isContactKey(const std::string& key) {
    const auto& keys = contactKeys();
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::string dirOf(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

/// Relative paths in certagent.conf are relative to its directory.
std::string resolve(const std::string& base, const std::string& value) {
    if (value.empty() || value[0] == '/')
        return value;
    return base + "/" + value;
}

/// How a file is named in messages: relative to the config directory when inside it.
std::string displayName(const std::string& base, const std::string& path) {
    std::string prefix = base == "/" ? "/" : base + "/";
    if (path.compare(0, prefix.size(), prefix) == 0)
        return path.substr(prefix.size());
    return path;
}

long long parseInt(const IniFile& ini, const std::string& section, const std::string& key,
                   const std::string& value, long long min, long long max) {
    static const std::regex digits("[0-9]{1,12}");
    if (!std::regex_match(value, digits))
        ini.fail(section, key, "not a whole number: \"" + value + "\"");
    long long n = std::stoll(value);
    if (n < min || n > max)
        ini.fail(section, key,
                 "out of range " + std::to_string(min) + ".." + std::to_string(max) + ": " + value);
    return n;
}

std::string oneOf(const IniFile& ini, const std::string& section, const std::string& key,
                  const std::string& value, const std::vector<std::string>& allowed) {
    if (std::find(allowed.begin(), allowed.end(), value) != allowed.end())
        return value;
    std::string list;
    for (const auto& a : allowed)
        list += (list.empty() ? "" : " | ") + a;
    ini.fail(section, key, "expected " + list + ", not \"" + value + "\"");
}

Seconds duration(const IniFile& ini, const std::string& section, const std::string& key,
                 const std::string& value) {
    return parseDuration(value, ini.where(section, key) + ": [" + section + "] " + key);
}

void checkPrintable(const IniFile& ini, const std::string& section, const std::string& key,
                    const std::string& value) {
    for (unsigned char c : value)
        if (c < 0x20 || c == 0x7f)
            ini.fail(section, key, "contains a control character");
}

void checkAbsolute(const IniFile& ini, const std::string& section, const std::string& key,
                   const std::string& value) {
    if (value.empty() || value[0] != '/' || value.find("/../") != std::string::npos)
        ini.fail(section, key, "must be an absolute path: \"" + value + "\"");
}

void readSection(const IniFile& ini, const std::string& section, Contact& contact) {
    for (const auto& [sec, key] : ini.entries()) {
        if (sec != section)
            continue;
        if (!isContactKey(key))
            ini.fail(sec, key, "unknown contact field");
        std::string value = *ini.get(sec, key);
        checkPrintable(ini, sec, key, value);
        contact[key] = value;
    }
}

void checkUnknownMain(const IniFile& ini) {
    const auto& schema = mainSchema();
    for (const auto& section : ini.sections())
        if (!schema.count(section))
            throw ConfigError(ini.display() + ": unknown section [" + section + "]");
    for (const auto& [section, key] : ini.entries()) {
        if (section.empty())
            throw ConfigError(ini.where(section, key) + ": key \"" + key + "\" outside a section");
        if (section != "contact" && !schema.at(section).count(key))
            throw ConfigError(ini.where(section, key) + ": unknown key \"" + key + "\" in [" +
                              section + "]");
    }
}

/// [apache] defines and unit: names that reach apache2's and systemctl's argv.
void readApacheExtras(const IniFile& ini, ServerSettings& s) {
    static const std::regex define("[A-Za-z_][A-Za-z0-9_]{0,63}");
    static const std::regex unit("[A-Za-z0-9][A-Za-z0-9:_.@-]{0,127}");
    if (auto v = ini.get("apache", "defines")) {
        Poco::StringTokenizer tok(*v, ",", Poco::StringTokenizer::TOK_TRIM);
        for (const auto& name : tok) {
            if (!std::regex_match(name, define))
                ini.fail("apache", "defines", "not a define name: \"" + name + "\"");
            s.defines.push_back(name);
        }
    }
    if (auto v = ini.get("apache", "unit")) {
        if (!std::regex_match(*v, unit))
            ini.fail("apache", "unit", "not a systemd unit name: \"" + *v + "\"");
        s.unit = *v;
    }
}

void readServer(const IniFile& ini, const std::string& section, ServerSettings& s) {
    if (auto v = ini.get(section, "binary")) {
        checkAbsolute(ini, section, "binary", *v);
        s.binary = *v;
    }
    if (auto v = ini.get(section, "config")) {
        checkAbsolute(ini, section, "config", *v);
        s.config = *v;
    }
    if (auto v = ini.get(section, "reload"))
        s.reload = oneOf(ini, section, "reload", *v, {"auto", "systemd", "signal"});
    if (section == "apache")
        readApacheExtras(ini, s);
}

void readLog(const IniFile& ini, LogSettings& log) {
    if (auto v = ini.get("log", "target")) {
        if (*v == "console" || *v == "syslog") {
            log.target = *v;
        } else if (v->compare(0, 5, "file ") == 0) {
            log.target = "file";
            log.file = Poco::trim(v->substr(5));
            checkAbsolute(ini, "log", "target", log.file);
        } else {
            ini.fail("log", "target", "expected console | syslog | file PATH, not \"" + *v + "\"");
        }
    }
    if (auto v = ini.get("log", "level"))
        log.level =
            oneOf(ini, "log", "level", *v, {"error", "warning", "notice", "information", "debug"});
}

void readCredentials(Config& config, const std::string& base) {
    std::string display = displayName(base, config.api.credentialsFile);
    IniFile ini(config.api.credentialsFile, display, 0600);
    for (const auto& [section, key] : ini.entries())
        if (!section.empty() || (key != "user" && key != "pass"))
            throw ConfigError(ini.where(section, key) + ": unknown key \"" + key + "\"");
    auto user = ini.get("", "user");
    auto pass = ini.get("", "pass");
    if (!user || user->empty())
        throw ConfigError(display + ": user: missing");
    if (!pass || pass->empty())
        throw ConfigError(display + ": pass: missing");
    config.api.user = *user;
    config.api.pass = std::make_shared<Secret>(std::move(*pass));
}

void readMain(const IniFile& ini, Config& config, const std::string& base) {
    checkUnknownMain(ini);
    auto& api = config.api;
    if (auto v = ini.get("api", "url"))
        api.url = *v;
    if (api.url.compare(0, 8, "https://") != 0)
        ini.fail("api", "url", "must start with https://");
    if (auto v = ini.get("api", "credentials"))
        api.credentialsFile = resolve(base, *v);
    if (auto v = ini.get("api", "ca_file"))
        api.caFile = resolve(base, *v);
    if (auto v = ini.get("api", "timeout"))
        api.timeout = duration(ini, "api", "timeout", *v);
    if (auto v = ini.get("store", "dir"))
        config.storeDir = resolve(base, *v);
    if (auto v = ini.get("store", "keep_versions"))
        config.keepVersions = int(parseInt(ini, "store", "keep_versions", *v, 2, 1000));
    if (auto v = ini.get("store", "lock_wait"))
        config.lockWait = duration(ini, "store", "lock_wait", *v);
    if (auto v = ini.get("trust", "ca_file"))
        config.trustCaFile = resolve(base, *v);
    if (auto v = ini.get("renewal", "before"))
        config.renewBefore =
            parseRenewBefore(*v, ini.where("renewal", "before") + ": [renewal] before");
    if (auto v = ini.get("hooks", "dir"))
        config.hooksDir = resolve(base, *v);
    if (auto v = ini.get("hooks", "timeout"))
        config.hooksTimeout = duration(ini, "hooks", "timeout", *v);
    if (auto v = ini.get("certs", "dir"))
        config.certsDir = resolve(base, *v);
    if (auto v = ini.get("metrics", "textfile"); v && !v->empty())
        config.metricsTextfile = resolve(base, *v);
    readSection(ini, "contact", config.contact);
    readServer(ini, "nginx", config.nginx);
    readServer(ini, "apache", config.apache);
    readLog(ini, config.log);
}

} // namespace

const std::vector<std::string>& contactKeys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> k;
        for (const char* f : {"firstname", "lastname", "organization", "title", "email", "phone",
                              "fax", "addressline1", "addressline2", "addressline3", "city",
                              "country", "postalcode", "region"}) {
            k.push_back(std::string("admin_") + f);
            k.push_back(std::string("tech_") + f);
        }
        for (const char* f :
             {"name", "division", "duns", "addressline1", "addressline2", "addressline3", "city",
              "country", "fax", "phone", "postalcode", "region", "lei"})
            k.push_back(std::string("org_") + f);
        return k;
    }();
    return keys;
}

const CertConfig& Config::cert(const std::string& name) const {
    for (const auto& c : certs)
        if (c.name == name)
            return c;
    throw ConfigError("unknown certificate \"" + name + "\" (no " + certsDir + "/" + name +
                      ".conf)");
}

Config loadConfig(const std::string& path, bool requireCredentials) {
    Config config;
    config.path = path;
    std::string base = dirOf(path);
    config.api.url = "https://my.gogetssl.com/api";
    config.api.credentialsFile = base + "/credentials.conf";
    config.certsDir = base + "/certs.d";
    config.hooksDir = base + "/hooks";
    // The main file is named as given: it is the one file the user did not reach through it.
    if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT)
        throw ConfigError(path + ": no such file (use --config FILE)");
    IniFile ini(path, displayName(base, path), 0755);
    readMain(ini, config, base);
    if (requireCredentials)
        readCredentials(config, base);

    std::string certsDisplay = displayName(base, config.certsDir);
    DIR* dir = ::opendir(config.certsDir.c_str());
    if (!dir)
        throw ConfigError(certsDisplay + ": cannot open directory: " + errnoText(errno));
    std::vector<std::string> files;
    while (dirent* entry = ::readdir(dir)) {
        std::string file = entry->d_name;
        if (file.size() > 5 && file[0] != '.' && file.compare(file.size() - 5, 5, ".conf") == 0)
            files.push_back(file);
    }
    ::closedir(dir);
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        std::string full = config.certsDir + "/" + file;
        std::string name = file.substr(0, file.size() - 5);
        std::string display = displayName(base, full);
        if (!isValidCertName(name))
            throw ConfigError(display + ": bad certificate name \"" + name +
                              "\" (letters, digits, . _ -, at most 64)");
        config.certs.push_back(readCertFile(full, display, name, config));
    }
    return config;
}

} // namespace certagent::config
