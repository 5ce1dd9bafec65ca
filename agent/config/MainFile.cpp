#include "config/ConfigFiles.h"
#include "config/KeyTable.h"
#include "util/FileIo.h"
#include "util/Text.h"

#include <Poco/Environment.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <regex>

namespace certagent::config {

namespace {

using Row = KeyRow<Config>;

/// `[log] target`: console | syslog | file PATH.
void readLogTarget(Config& config, const Field& f) {
    if (f.value == "console" || f.value == "syslog") {
        config.log.target = f.value;
    } else if (f.value.compare(0, 5, "file ") == 0) {
        std::string file = Poco::trim(f.value.substr(5));
        config.log.target = "file";
        config.log.file = absolutePathValue(Field{f.file, f.place, file, f.fromFile});
    } else {
        f.fail("expected console | syslog | file PATH, not " + f.quoted());
    }
}

/// `[apache] defines = SSL, PHP`: names given as -D to every apache2 run.
void readApacheDefines(Config& config, const Field& f) {
    static const std::regex define("[A-Za-z_][A-Za-z0-9_]{0,63}");
    config.apache.defines.clear();
    Poco::StringTokenizer tok(f.value, ",", Poco::StringTokenizer::TOK_TRIM);
    for (const auto& name : tok) {
        if (!std::regex_match(name, define))
            f.fail("not a define name: \"" + escapeForLog(name, 80) + "\"");
        config.apache.defines.push_back(name);
    }
}

/// `[apache] unit = httpd`: the systemd unit (empty: detected by the plugin).
void readApacheUnit(Config& config, const Field& f) {
    static const std::regex unit("[A-Za-z0-9][A-Za-z0-9:_.@-]{0,127}");
    if (!std::regex_match(f.value, unit))
        f.fail("not a systemd unit name: " + f.quoted());
    config.apache.unit = f.value;
}

/// `[cluster] etcd = https://a:2379, https://b:2379`: the members, tried in this order.
void readEtcdEndpoints(Config& config, const Field& f) {
    config.cluster.etcd.clear();
    Poco::StringTokenizer tok(f.value, ",", Poco::StringTokenizer::TOK_TRIM);
    for (const auto& endpoint : tok) {
        if (endpoint.compare(0, 8, "https://") != 0)
            f.fail("not an https:// URL: \"" + escapeForLog(endpoint, 200) + "\"");
        config.cluster.etcd.push_back(endpoint);
    }
}

/// A name that is one etcd key segment (the certificate-name rule): [cluster] name and host.
template <class Acc> auto segment(Acc acc) {
    return [acc](Config& config, const Field& f) {
        if (!isValidCertName(f.value))
            f.fail("not a name of letters, digits, . _ - (at most 64): " + f.quoted());
        acc(config, f) = f.value;
    };
}

/// `[cluster] lease`: long enough for one CA call, short enough that a dead holder is noticed.
void readLease(Config& config, const Field& f) {
    Seconds lease = durationValue(f);
    if (lease < Seconds(5) || lease > Seconds(3600))
        f.fail("must be from 5s to 1h");
    config.cluster.lease = lease;
}

/// Holds when [cluster] etcd is set (its text: the first endpoint, for "required for etcd = …").
Condition<Config> clusterOn() {
    return keyIs<Config>("etcd", {}, [](const Config& c) {
        return c.cluster.etcd.empty() ? std::string() : c.cluster.etcd.front();
    });
}

std::vector<Row> clusterRows() {
    auto at = [](auto member) { return config::at(&Config::cluster, member); };
    return {
        Row("cluster", "etcd", readEtcdEndpoints).emptyMeansUnset(),
        Row("cluster", "name", segment(at(&ClusterSettings::name))).requiredFor(clusterOn()),
        Row("cluster", "host", segment(at(&ClusterSettings::host))).emptyMeansUnset(),
        Row("cluster", "ca_file", path(at(&ClusterSettings::caFile))).requiredFor(clusterOn()),
        Row("cluster", "cert_file", path(at(&ClusterSettings::certFile))).emptyMeansUnset(),
        Row("cluster", "key_file", path(at(&ClusterSettings::keyFile)))
            .emptyMeansUnset()
            .requiredFor(
                keyIs<Config>("cert_file", {}, [](const Config& c) { return c.cluster.certFile; })),
        Row("cluster", "user", segment(at(&ClusterSettings::user))).emptyMeansUnset(),
        Row("cluster", "password_file", path(at(&ClusterSettings::passwordFile)))
            .emptyMeansUnset()
            .requiredFor(keyIs<Config>("user", {}, [](const Config& c) { return c.cluster.user; })),
        Row("cluster", "fleet_key", path(at(&ClusterSettings::fleetKey))).requiredFor(clusterOn()),
        Row("cluster", "fleet_key_old", path(at(&ClusterSettings::fleetKeyOld))).emptyMeansUnset(),
        Row("cluster", "lease", readLease).byDefault("60s"),
        Row("cluster", "dcv_wait", duration(at(&ClusterSettings::dcvWait))).byDefault("24h"),
        Row("cluster", "member_timeout", duration(at(&ClusterSettings::memberTimeout)))
            .byDefault("3d"),
        Row("cluster", "timeout", duration(at(&ClusterSettings::timeout))).byDefault("10s"),
    };
}

void readRenewBefore(Config& config, const Field& f) {
    config.renewBefore = parseRenewBefore(f.value, f.what());
}

/// `[ca] backend = gogetssl | acme | acme-NAME` (the section is checked once all are read).
void readDefaultBackend(Config& config, const Field& f) {
    if (f.value != kGoGetSslBackend && !isAcmeBackend(f.value))
        f.fail("expected gogetssl | acme | acme-NAME, not " + f.quoted());
    config.defaultBackend = f.value;
}

/// `contact = ops@example.com, mailto:security@example.com`: mailto: URLs for the CA.
void readAcmeContact(Config& config, const Field& f) {
    static const std::regex email("[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}");
    auto& list = config.acme[f.place.instance].contact;
    list.clear();
    Poco::StringTokenizer tok(f.value, ",", Poco::StringTokenizer::TOK_TRIM);
    for (const auto& item : tok) {
        std::string address = item.compare(0, 7, "mailto:") == 0 ? item.substr(7) : item;
        if (!std::regex_match(address, email))
            f.fail("not an e-mail address: \"" + escapeForLog(item, 80) + "\"");
        list.push_back("mailto:" + address);
    }
}

/// The rows of one ACME section (`[acme]` or the family `[acme-*]`); pairs are checked in
/// checkAcme().
std::vector<Row> acmeRows(const std::string& section) {
    const auto acme = &Config::acme;
    return {
        Row(section, "directory", httpsUrl(inFamily(acme, &AcmeSettings::directory)))
            .emptyMeansUnset(),
        Row(section, "ca_file", path(inFamily(acme, &AcmeSettings::caFile))).emptyMeansUnset(),
        Row(section, "trust_ca_file", path(inFamily(acme, &AcmeSettings::trustCaFile)))
            .emptyMeansUnset(),
        Row(section, "contact", readAcmeContact).emptyMeansUnset(),
        Row(section, "agree_tos", flag(inFamily(acme, &AcmeSettings::agreeTos))),
        Row(section, "eab_kid", printable(inFamily(acme, &AcmeSettings::eabKid))).emptyMeansUnset(),
        Row(section, "eab_hmac_file", path(inFamily(acme, &AcmeSettings::eabHmacFile)))
            .emptyMeansUnset(),
        Row(section, "account_key",
            oneOf({"ec-p256", "ec-p384"}, inFamily(acme, &AcmeSettings::accountKey)))
            .byDefault("ec-p256")
            .emptyMeansUnset(),
        Row(section, "ari", flag(inFamily(acme, &AcmeSettings::ari))).byDefault("yes"),
        Row(section, "preferred_chain", printable(inFamily(acme, &AcmeSettings::preferredChain)))
            .emptyMeansUnset(),
        Row(section, "timeout", duration(inFamily(acme, &AcmeSettings::timeout))).byDefault("30s"),
    };
}

std::vector<Row> serverRows(const std::string& section, ServerSettings Config::*server,
                            const ServerSettings& defaults) {
    std::vector<Row> rows;
    rows.push_back(Row(section, "binary", absolutePath(at(server, &ServerSettings::binary)))
                       .byDefault(defaults.binary));
    rows.push_back(Row(section, "config", absolutePath(at(server, &ServerSettings::config)))
                       .byDefault(defaults.config));
    rows.push_back(Row(section, "reload",
                       oneOf({"auto", "systemd", "signal"}, at(server, &ServerSettings::reload)))
                       .byDefault(defaults.reload));
    return rows;
}

std::vector<Row> mainRows() {
    std::vector<Row> rows = {
        Row("api", "url", httpsUrl(at(&Config::api, &ApiSettings::url)))
            .byDefault("https://my.gogetssl.com/api"),
        Row("api", "credentials", path(at(&Config::api, &ApiSettings::credentialsFile)))
            .byDefault("credentials.conf"),
        Row("api", "ca_file", path(at(&Config::api, &ApiSettings::caFile))),
        Row("api", "timeout", duration(at(&Config::api, &ApiSettings::timeout))).byDefault("30s"),
        Row("store", "dir", path(at(&Config::storeDir))).byDefault("/var/lib/certagent"),
        Row("store", "keep_versions", intRange(2, 1000, at(&Config::keepVersions))).byDefault("5"),
        Row("store", "lock_wait", duration(at(&Config::lockWait))).byDefault("60s"),
        Row("trust", "ca_file", path(at(&Config::trustCaFile))),
        Row("renewal", "before", readRenewBefore).byDefault("1/3"),
        Row("hooks", "dir", path(at(&Config::hooksDir))).byDefault("hooks"),
        Row("hooks", "timeout", duration(at(&Config::hooksTimeout))).byDefault("300s"),
        Row("hooks", "dns_wait", duration(at(&Config::dnsWait))).byDefault("0s"),
        Row("certs", "dir", path(at(&Config::certsDir))).byDefault("certs.d"),
        Row("metrics", "textfile", path(at(&Config::metricsTextfile))).emptyMeansUnset(),
        Row("contact", "*", contactField(at(&Config::contact))),
    };
    const Config defaults;
    for (auto& row : serverRows("nginx", &Config::nginx, defaults.nginx))
        rows.push_back(std::move(row));
    for (auto& row : serverRows("apache", &Config::apache, defaults.apache))
        rows.push_back(std::move(row));
    rows.push_back(Row("apache", "defines", readApacheDefines).emptyMeansUnset());
    rows.push_back(Row("apache", "unit", readApacheUnit).emptyMeansUnset());
    for (auto& row : clusterRows())
        rows.push_back(std::move(row));
    for (const char* section : {"acme", "acme-*"})
        for (auto& row : acmeRows(section))
            rows.push_back(std::move(row));
    rows.push_back(Row("ca", "backend", readDefaultBackend).byDefault(kGoGetSslBackend));
    rows.push_back(Row("log", "target", readLogTarget).byDefault("console"));
    rows.push_back(Row("log", "level",
                       oneOf({"error", "warning", "notice", "information", "debug"},
                             at(&Config::log, &LogSettings::level)))
                       .byDefault("information"));
    return rows;
}

/// What ties the ACME keys together: a section present has a directory, EAB comes as a pair, the
/// default backend is configured.
void checkAcme(const IniFile& ini, Config& config) {
    bool plainPresent = false;
    for (const auto& section : ini.sections())
        plainPresent = plainPresent || section == "acme";
    if (!plainPresent && config.acme[""].directory.empty())
        config.acme.erase(""); // only the defaults of an absent [acme]
    for (const auto& [instance, acme] : config.acme) {
        std::string section = instance.empty() ? "acme" : "acme-" + instance;
        if (acme.directory.empty())
            throw ConfigError(ini.display() + ": " + keyLabel(section, "directory") + ": missing");
        if (acme.eabKid.empty() != acme.eabHmacFile.empty())
            ini.fail(section, acme.eabKid.empty() ? "eab_hmac_file" : "eab_kid",
                     "eab_kid and eab_hmac_file go together");
    }
    if (isAcmeBackend(config.defaultBackend) && !config.acmeFor(config.defaultBackend))
        ini.fail("ca", "backend",
                 config.defaultBackend + ": no [" + config.defaultBackend + "] section");
}

const KeyTable<Config>& mainTable() {
    static const KeyTable<Config> table{Headers::Sections, "", mainRows()};
    return table;
}

const KeyTable<Config>& credentialsTable() {
    static const KeyTable<Config> table{
        Headers::Ignored,
        "credentials files",
        {
            Row("", "user", text(at(&Config::api, &ApiSettings::user)))
                .emptyMeansUnset()
                .isRequired(),
            Row("", "pass", secret(at(&Config::api, &ApiSettings::pass)))
                .emptyMeansUnset()
                .isRequired(),
        }};
    return table;
}

} // namespace

void readMainFile(const IniFile& ini, Config& config, const std::string& base) {
    readKeys(ini, mainTable(), config, base);
    auto& cluster = config.cluster;
    if (cluster.enabled() && cluster.host.empty()) {
        cluster.host = Poco::Environment::nodeName();
        cluster.host = cluster.host.substr(0, cluster.host.find('.'));
        if (!isValidCertName(cluster.host))
            throw ConfigError(ini.display() + ": [cluster] host: the host name \"" +
                              escapeForLog(cluster.host, 80) +
                              "\" is not a name of letters, digits, . _ -; set host =");
    }
    checkAcme(ini, config);
}

void readCredentials(Config& config, const std::string& display) {
    IniFile ini(config.api.credentialsFile, display, 0600);
    readKeys(ini, credentialsTable(), config, parentDir(config.api.credentialsFile));
}

} // namespace certagent::config
