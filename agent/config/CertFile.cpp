#include "config/ConfigFiles.h"
#include "config/KeyTable.h"
#include "util/FileIo.h"

#include <regex>

namespace certagent::config {

namespace {

using Row = KeyRow<CertConfig>;

const std::vector<std::string> kRequiredContact = {"admin_firstname", "admin_lastname",
                                                   "admin_email", "admin_phone", "admin_title"};
constexpr std::size_t kMaxDomains = 250;

bool httpDcv(const CertConfig& cert) {
    return cert.dcv == DcvMethod::Http || cert.dcv == DcvMethod::Https;
}

/// Per name of `domains`: a wildcard cannot be proven by a file on a web server.
void checkWildcard(const CertConfig& cert, const Field& f, const std::string& name) {
    if (name[0] == '*' && httpDcv(cert))
        f.fail("wildcard " + name + " cannot use " + dcvName(cert.dcv) +
               " validation (use dcv = dns or email)");
}

void readWebroot(CertConfig& cert, const Field& f) {
    cert.webroot = f.value;
    if (!httpDcv(cert))
        return;
    if (f.value == "auto" && cert.installer == InstallerKind::None)
        f.fail("auto needs installer = nginx or apache");
    if (f.value != "auto" && (f.value[0] != '/' || f.value.find("..") != std::string::npos))
        f.fail("must be an absolute path or auto");
}

void readApproverEmail(CertConfig& cert, const Field& f) {
    static const std::regex email("[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}");
    if (!std::regex_match(f.value, email))
        f.fail("not an e-mail address");
    cert.approverEmail = f.value;
}

void readDeployHook(CertConfig& cert, const Field& f) {
    if (f.value[0] != '/')
        f.fail("must be an absolute path");
    cert.deployHook = f.value;
}

/// order_id as text for the "order_id or product_id" rule; "-" for a backend that wants neither.
std::string orderIdText(const CertConfig& cert) {
    if (cert.backend != kGoGetSslBackend)
        return "-";
    return cert.orderId == 0 ? std::string() : std::to_string(cert.orderId);
}

/// `backend = gogetssl | acme | acme-NAME` (default: [ca] backend; finish() checks the section).
void readBackend(CertConfig& cert, const Field& f) {
    if (f.value != kGoGetSslBackend && !isAcmeBackend(f.value))
        f.fail("expected gogetssl | acme | acme-NAME, not " + f.quoted());
    cert.backend = f.value;
}

/// The rule of the keys only the GoGetSSL reseller API understands.
Condition<CertConfig> goGetSslOnly() {
    return keyIs<CertConfig>("backend", {kGoGetSslBackend},
                             [](const CertConfig& c) { return c.backend; });
}

/// `webserver_type = 18`: what GoGetSSL is told about the server (-1, or 1..99); unset: chosen
/// by the product's brand.
void readWebserverType(CertConfig& cert, const Field& f) {
    cert.webserverType = f.value == "-1" ? -1 : static_cast<int>(intValue(f, 1, 99));
}

std::vector<Row> certRows() {
    return {
        Row("", "backend", readBackend).emptyMeansUnset(),
        Row("", "dcv", enumOf(dcvMethods(), at(&CertConfig::dcv)))
            .byDefault("http")
            .emptyMeansUnset(),
        Row("", "domains", names(kMaxDomains, at(&CertConfig::domains), checkWildcard))
            .isRequired(),
        Row("", "key",
            oneOf({"rsa-2048", "rsa-3072", "rsa-4096", "ec-p256", "ec-p384"},
                  at(&CertConfig::keyType)))
            .byDefault("ec-p256")
            .emptyMeansUnset(),
        Row("", "reuse_key", flag(at(&CertConfig::reuseKey))),
        Row("", "auto_renew_order", flag(at(&CertConfig::autoRenewOrder))).onlyFor(goGetSslOnly()),
        Row("", "installer", enumOf(installerKinds(), at(&CertConfig::installer)))
            .byDefault("none")
            .emptyMeansUnset(),
        Row("", "order_id", intRange(1, 999999999999LL, at(&CertConfig::orderId)))
            .emptyMeansUnset()
            .onlyFor(goGetSslOnly()),
        Row("", "product_id", intRange(1, 999999999LL, at(&CertConfig::productId)))
            .emptyMeansUnset()
            .unless(keyIs<CertConfig>("order_id", {}, orderIdText))
            .onlyFor(goGetSslOnly()),
        Row("", "period", intRange(1, 120, at(&CertConfig::period)))
            .emptyMeansUnset()
            .onlyFor(goGetSslOnly()),
        Row("", "webroot", readWebroot)
            .emptyMeansUnset()
            .requiredFor(keyIs<CertConfig>("dcv", {"http", "https"},
                                           [](const CertConfig& c) { return dcvName(c.dcv); })),
        Row("", "approver_email", readApproverEmail).emptyMeansUnset().onlyFor(goGetSslOnly()),
        Row("", "webserver_type", readWebserverType).emptyMeansUnset().onlyFor(goGetSslOnly()),
        Row("", "deploy_hook", readDeployHook).emptyMeansUnset(),
        Row("", contactKeys(), contactField(at(&CertConfig::contact))).onlyFor(goGetSslOnly()),
    };
}

const KeyTable<CertConfig>& certTable() {
    static const KeyTable<CertConfig> table{Headers::Refused, "certificate files", certRows()};
    return table;
}

/// An ACME certificate: its CA is configured, its names are proven by http-01 or dns-01.
void finishAcme(const IniFile& ini, CertConfig& cert, const Config& config) {
    if (!config.acmeFor(cert.backend))
        ini.fail("", "backend",
                 cert.backend + ": no [" + cert.backend + "] section in certagent.conf");
    if (cert.dcv != DcvMethod::Http && cert.dcv != DcvMethod::Dns)
        ini.fail("", "dcv", std::string(dcvName(cert.dcv)) + ": only for backend = gogetssl");
    cert.contact.clear(); // [contact] is for GoGetSSL orders
}

/// What ties keys together beyond one row's rule.
void finish(const IniFile& ini, CertConfig& cert, const Config& config) {
    if (isAcmeBackend(cert.backend))
        return finishAcme(ini, cert, config);
    if (cert.autoRenewOrder && cert.productId == 0)
        ini.fail("", "auto_renew_order", "needs product_id for the renew order");
    if (cert.dcv == DcvMethod::Email && cert.approverEmail.empty())
        cert.approverEmail =
            "admin@" + (cert.domains[0][0] == '*' ? cert.domains[0].substr(2) : cert.domains[0]);
    // tech_* defaults to the admin_* values (README, [contact]).
    for (const auto& key : contactKeys())
        if (key.compare(0, 6, "admin_") == 0) {
            std::string tech = "tech_" + key.substr(6);
            if (!cert.contact.count(tech) && cert.contact.count(key))
                cert.contact[tech] = cert.contact[key];
        }
    if (cert.orderId == 0 || cert.autoRenewOrder)
        for (const auto& key : kRequiredContact)
            if (cert.contact[key].empty())
                throw ConfigError(ini.display() + ": " + key +
                                  ": missing (needed for new orders; set it here or in "
                                  "[contact])");
}

} // namespace

CertConfig readCertFile(const std::string& path, const std::string& display,
                        const std::string& name, const Config& config) {
    IniFile ini(path, display, 0755, IniFile::Links::Refuse);
    CertConfig cert;
    cert.name = name;
    cert.file = display;
    cert.contact = config.contact;
    cert.backend = config.defaultBackend;
    readKeys(ini, certTable(), cert, parentDir(path));
    finish(ini, cert, config);
    return cert;
}

} // namespace certagent::config
