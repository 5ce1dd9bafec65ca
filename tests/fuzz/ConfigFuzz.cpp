// Fuzz target config_files: certagent.conf, credentials.conf and certs.d files (input split at
// "%%" lines, in that order) written to a scratch directory, then read through the public entry
// points: IniFile, loadConfig (with and without credentials) and readCertFile. Every refusal is
// ConfigError.

#include "FuzzTargets.h"
#include "config/Config.h"
#include "config/ConfigFiles.h"
#include "config/IniFile.h"
#include "util/CertName.h"
#include "util/Error.h"

namespace certagent::fuzz {
namespace {

constexpr std::size_t kMaxParts = 5;

void checkConfig(const config::Config& c) {
    for (const config::CertConfig& cert : c.certs) {
        requireThat(isValidCertName(cert.name), "certificate name valid");
        requireThat(!cert.domains.empty(), "a certificate has domains");
        for (const std::string& d : cert.domains) {
            requireThat(config::isValidDomain(d), "configured domain valid");
        }
    }
}

void readIni(const std::string& path) {
    try {
        const config::IniFile ini(path, "certagent.conf");
        for (const config::IniEntry& e : ini.entries()) {
            requireThat(ini.find(e.section, e.key) == &e, "listed entry is found under its name");
        }
    } catch (const ConfigError&) {
    }
}

} // namespace

void configFiles(std::string_view input) {
    const std::vector<std::string> parts = splitParts(input, kMaxParts);
    clearScratch();
    const std::string main = writeScratch("certagent.conf", parts[0]);
    writeScratch("credentials.conf", parts.size() > 1 ? parts[1] : "", 0600);
    writeScratch("certs.d/.keep", "");
    std::vector<std::string> certFiles;
    for (std::size_t i = 2; i < parts.size(); ++i) {
        const std::string name = i == 2 ? "shop" : "site" + std::to_string(i);
        certFiles.push_back(writeScratch("certs.d/" + name + ".conf", parts[i]));
    }
    readIni(main);
    for (bool credentials : {false, true}) {
        try {
            checkConfig(config::loadConfig(main, credentials));
        } catch (const ConfigError&) {
        }
    }
    const config::Config defaults;
    for (const std::string& file : certFiles) {
        try {
            const config::CertConfig cert =
                config::readCertFile(file, "certs.d/shop.conf", "shop", defaults);
            requireThat(!cert.domains.empty(), "a certificate has domains");
        } catch (const ConfigError&) {
        }
    }
}

} // namespace certagent::fuzz
