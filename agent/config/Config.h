#pragma once

#include "config/ServerSettings.h"
#include "util/CertName.h"
#include "util/Duration.h"
#include "util/FileStamp.h"
#include "util/Secret.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certagent::config {

/// `[renewal] before`: a fraction of the lifetime ("1/3") or a fixed duration ("30d").
struct RenewBefore {
    long long numerator = 1;   ///< fraction form
    long long denominator = 3; ///< fraction form; 0 = duration form
    Seconds duration{0};       ///< duration form
    /// How long before notAfter a certificate with this lifetime becomes due.
    Seconds forLifetime(Seconds lifetime) const;
    /// "1/3" or "30d".
    std::string text() const;
};

/// [api] plus the credentials file.
struct ApiSettings {
    std::string url;
    std::string credentialsFile;
    std::string caFile; ///< extra trust anchor for the API's TLS; empty = system store only
    Seconds timeout{30};
    std::string user;
    /// `pass =` of the credentials file. Shared so Config stays copyable; never printed.
    std::shared_ptr<Secret> pass;
};

/// [log]: where log lines go and how many.
struct LogSettings {
    std::string target = "console";    ///< console | syslog | file
    std::string file;                  ///< for target file ("file /var/log/certagent.log")
    std::string level = "information"; ///< Poco level name: error|warning|notice|information|debug
};

/// [cluster]: the fleet of hosts this one shares its certificates with through etcd
/// (design-fleet §3.9). Off while `etcd` is empty.
struct ClusterSettings {
    std::vector<std::string> etcd;    ///< "https://host:port" endpoints, tried in this order
    std::string name;                 ///< the cluster's name: key prefix /certagent/v1/<name>/
    std::string host;                 ///< this host's name in the cluster (default: the host name)
    std::string caFile;               ///< etcd's server CA (required: verification is never off)
    std::string certFile;             ///< client certificate for mTLS (no CN when RBAC is on)
    std::string keyFile;              ///< its key (0600)
    std::string user;                 ///< etcd RBAC user; "" = none
    std::string passwordFile;         ///< its password (0600)
    std::string fleetKey;             ///< base64 of 32 random bytes, 0600, the same on every host
    std::string fleetKeyOld;          ///< decrypt-only during a key rotation; "" = none
    Seconds lease{60};                ///< ordering-lock TTL
    Seconds dcvWait{86400};           ///< longest wait for every active host's http DCV files
    Seconds memberTimeout{3 * 86400}; ///< hosts not seen this long do not count for DCV
    Seconds timeout{10};              ///< per etcd request and member

    bool enabled() const { return !etcd.empty(); }
};

/// Contact fields for orders: "admin_firstname" → "Ilze". Only the keys of contactKeys().
using Contact = std::map<std::string, std::string>;

/// How control of the names is proven (`dcv =`).
enum class DcvMethod { Http, Https, Dns, Email };
/// "http", "https", "dns", "email": the config word, also what GoGetSSL calls the method.
const char* dcvName(DcvMethod method);
/// Every method with its config word (the only text form).
const std::vector<std::pair<std::string, DcvMethod>>& dcvMethods();

/// Which web server plugin deploys the certificate (`installer =`).
enum class InstallerKind { None, Nginx, Apache };
/// "none", "nginx", "apache": the config word, also the plugin's name in the installer table.
const char* installerName(InstallerKind kind);
/// Every kind with its config word.
const std::vector<std::pair<std::string, InstallerKind>>& installerKinds();

/// `[acme]` (the default ACME certificate authority) or `[acme-NAME]` (one more).
struct AcmeSettings {
    std::string directory;              ///< https URL of the CA's directory ("" = not configured)
    std::string caFile;                 ///< extra TLS anchor for the directory's host ("" = none)
    std::string trustCaFile;            ///< anchors for issued chains ("" = [trust] ca_file)
    std::vector<std::string> contact;   ///< "mailto:" URLs (a bare address gets "mailto:")
    bool agreeTos = false;              ///< the user agrees to the directory's termsOfService
    std::string eabKid;                 ///< External Account Binding key id ("" = none)
    std::string eabHmacFile;            ///< 0600 file with the EAB HMAC key (read when registering)
    std::string accountKey = "ec-p256"; ///< ec-p256 | ec-p384 (a new account's key)
    bool ari = true;                    ///< ask the CA's renewalInfo (RFC 9773) when offered
    std::string preferredChain;         ///< issuer CN of the chain to try first ("" = default)
    Seconds timeout{30};                ///< one exchange with the CA
};

/// The backend kind of the GoGetSSL reseller API.
constexpr const char* kGoGetSslBackend = "gogetssl";
/// True for "acme" and "acme-NAME".
bool isAcmeBackend(const std::string& backend);

/// One certs.d/NAME.conf, merged with the defaults of certagent.conf.
struct CertConfig {
    std::string name;                       ///< file stem, isValidCertName (util/CertName.h)
    std::string file;                       ///< path of the file (for messages)
    std::string backend = kGoGetSslBackend; ///< gogetssl | acme | acme-NAME ([ca] backend default)
    std::vector<std::string> domains;       ///< lower-cased; first = common name
    long long orderId = 0;                  ///< existing order; 0 = none
    long long productId = 0;                ///< for new orders (required when orderId = 0)
    int period = 12;                        ///< months
    DcvMethod dcv = DcvMethod::Http;
    std::string webroot;             ///< absolute path or "auto" (http/https DCV)
    std::string approverEmail;       ///< email DCV (default admin@<first domain>)
    std::string keyType = "ec-p256"; ///< rsa-2048|rsa-3072|rsa-4096|ec-p256|ec-p384
    bool reuseKey = false;
    bool autoRenewOrder = false; ///< at subscription end place addSSLRenewOrder
    InstallerKind installer = InstallerKind::None;
    std::string deployHook;           ///< absolute path or empty
    std::optional<int> webserverType; ///< GoGetSSL webserver_type; unset = by the product's brand
    /// The contact for orders: [contact] overridden by this file, tech_* filled from admin_*.
    /// Certificates without contact keys of their own share certagent.conf's one map.
    std::shared_ptr<const Contact> contact;
    Contact ownContact; ///< this file's own contact keys (while reading; empty afterwards)
    FileStamp stamp;    ///< the file when it was read (util/FileStamp.h)
};

/// The whole configuration, read once at start.
struct Config {
    std::string path; ///< certagent.conf
    ApiSettings api;
    std::string storeDir = "/var/lib/certagent";
    int keepVersions = 5;
    std::string trustCaFile; ///< [trust] ca_file; empty = system store
    RenewBefore renewBefore;
    std::string hooksDir = "/etc/certagent/hooks";
    Seconds hooksTimeout{300};
    Seconds dnsWait{0}; ///< [hooks] dns_wait: pause after adding DNS records, before the CA looks
    std::string defaultBackend = kGoGetSslBackend; ///< [ca] backend
    std::map<std::string, AcmeSettings> acme;      ///< "" = [acme], "le" = [acme-le]
    std::string certsDir = "/etc/certagent/certs.d";
    Contact contact; ///< [contact] defaults
    /// `contact` with tech_* filled from admin_*: the CertConfig::contact of every certificate
    /// that sets no contact key itself.
    std::shared_ptr<const Contact> mergedContact;
    ServerSettings nginx{"/usr/sbin/nginx", "/etc/nginx/nginx.conf", "auto"};
    ServerSettings apache{"/usr/sbin/apache2", "/etc/apache2/apache2.conf", "auto"};
    LogSettings log;
    std::string metricsTextfile;   ///< [metrics] textfile; empty = off
    Seconds lockWait{60};          ///< [store] lock_wait
    ClusterSettings cluster;       ///< [cluster]
    std::vector<CertConfig> certs; ///< the certificate files read, sorted by name
    /// Certificate files not read at load because the caller vouched for them (loadConfig's
    /// `known`), sorted; loadCertFile() reads one when it is needed.
    std::vector<std::string> deferred;

    /// The certificate NAME; throws ConfigError `unknown certificate "NAME"` if there is none
    /// (also for a deferred one: read it with loadCertFile()).
    const CertConfig& cert(const std::string& name) const;
    /// The settings of ACME backend `backend` ("acme", "acme-le"); nullptr when it has none.
    const AcmeSettings* acmeFor(const std::string& backend) const;
    /// The anchors issued chains of `cert` are verified against: its ACME CA's trust_ca_file,
    /// else [trust] ca_file ("" = the system store).
    const std::string& trustCaFileFor(const CertConfig& cert) const;
    /// True when some certificate read uses the GoGetSSL backend (so credentials.conf is needed).
    bool usesGoGetSsl() const;
    /// Every certificate's name, read or deferred, sorted.
    std::vector<std::string> certNames() const;
};

/// Which commands need credentials.conf.
enum class NeedCredentials {
    No,     ///< never read (status, csr, verify)
    IfUsed, ///< read when some certificate uses the GoGetSSL backend (run, issue, install)
    Yes,    ///< always read (`certagent api`)
};

/// For loadConfig: the configured names of certificate file NAME, comma-joined, if the caller
/// read it before with exactly this `stamp` (then it was valid and is unchanged); else nullptr.
/// `config` is what is loaded so far (certagent.conf read).
using KnownCertFile = std::function<const std::string*(
    const Config& config, const std::string& name, const FileStamp& stamp)>;

/// Reads certagent.conf, its credentials file and every certs.d/*.conf (a relative `path` is made
/// absolute first). Throws ConfigError (exit 2) naming the file and key, with config text escaped:
/// unknown keys, bad values, missing files, files writable by group or others, a credentials file
/// not 0600 or stricter, a config directory, certs.d or credentials directory that others could
/// write to (util/PathTrust.h), a symlink in certs.d, a bad certificate name, and two certificate
/// files sharing a name, a certificate naming a backend that is not configured, GoGetSSL-only
/// keys in an ACME certificate's file. `need` says when the credentials file is read (IfUsed: a
/// read certificate uses GoGetSSL, or some are deferred and the file exists). A certificate file
/// that `known` vouches for (the stamp it read it with before) is not read: its name goes to
/// `deferred`, and its names still take part in the check that no two files share a name.
Config loadConfig(const std::string& path, NeedCredentials need = NeedCredentials::IfUsed,
                  const KnownCertFile& known = {});
/// loadConfig with `requireCredentials` = IfUsed (true) or No (false).
Config loadConfig(const std::string& path, bool requireCredentials,
                  const KnownCertFile& known = {});

/// Reads certs.d/NAME.conf of `config` now, with the checks of loadConfig. Throws ConfigError.
CertConfig loadCertFile(const Config& config, const std::string& name);

/// Reads `draft` as <certs dir>/NAME.conf would be read into `config` (its defaults and rules, a
/// valid NAME, no name in `domains` shared with config's certificates), for a file about to join
/// certs.d (`certagent discover --write`). Messages name the file as the loader would. Throws
/// ConfigError.
CertConfig checkNewCertFile(const Config& config, const std::string& draft,
                            const std::string& name);

/// Parses `[renewal] before`; throws ConfigError naming `what`.
RenewBefore parseRenewBefore(const std::string& text, const std::string& what);

/// True for a DNS name of LDH labels (optionally "*." first), lower case, ≤ 253 chars.
bool isValidDomain(const std::string& name);

/// True for an IPv4 or IPv6 address literal (also "[::1]" and all-numeric dotted forms like
/// "127.1"), which is never a name certagent orders a certificate for.
bool isIpAddress(const std::string& text);

/// Every contact key a config may set (admin_*, tech_*, org_*).
const std::vector<std::string>& contactKeys();

} // namespace certagent::config
