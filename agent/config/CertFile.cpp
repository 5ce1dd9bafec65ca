#include "config/Config.h"
#include "config/IniFile.h"
#include "util/Error.h"

#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <algorithm>
#include <regex>
#include <set>

namespace certagent::config {

namespace {

const std::set<std::string>& certKeys() {
    static const std::set<std::string> keys = {
        "domains", "order_id",  "product_id",       "period",    "dcv",         "webroot",
        "key",     "reuse_key", "auto_renew_order", "installer", "deploy_hook", "approver_email"};
    return keys;
}

const std::vector<std::string> kRequiredContact = {"admin_firstname", "admin_lastname",
                                                   "admin_email", "admin_phone", "admin_title"};

std::string value(const IniFile& ini, const std::string& key) {
    auto v = ini.get("", key);
    return v ? *v : std::string();
}

void checkKeys(const IniFile& ini) {
    for (const auto& section : ini.sections())
        throw ConfigError(ini.display() + ": unexpected section [" + section +
                          "] (certificate files have no sections)");
    const auto& contact = contactKeys();
    for (const auto& [section, key] : ini.entries())
        if (!certKeys().count(key) &&
            std::find(contact.begin(), contact.end(), key) == contact.end())
            throw ConfigError(ini.where(section, key) + ": unknown key \"" + key + "\"");
}

std::vector<std::string> readDomains(const IniFile& ini, const std::string& dcv) {
    std::string text = value(ini, "domains");
    if (Poco::trim(text).empty())
        ini.fail("", "domains", "missing");
    std::vector<std::string> domains;
    Poco::StringTokenizer tok(text, ",", Poco::StringTokenizer::TOK_TRIM);
    for (const auto& raw : tok) {
        std::string d = Poco::toLower(raw);
        if (d.empty())
            ini.fail("", "domains", "empty name in list");
        if (!isValidDomain(d))
            ini.fail("", "domains", "not a valid domain name: \"" + raw + "\"");
        if (std::find(domains.begin(), domains.end(), d) != domains.end())
            ini.fail("", "domains", "listed twice: " + d);
        if (d[0] == '*' && (dcv == "http" || dcv == "https"))
            ini.fail("", "domains",
                     "wildcard " + d + " cannot use " + dcv +
                         " validation (use dcv = dns or email)");
        domains.push_back(d);
    }
    if (domains.size() > 250)
        ini.fail("", "domains", "more than 250 names");
    return domains;
}

long long intValue(const IniFile& ini, const std::string& key, long long min, long long max) {
    std::string v = value(ini, key);
    static const std::regex digits("[0-9]{1,12}");
    if (!std::regex_match(v, digits))
        ini.fail("", key, "not a whole number: \"" + v + "\"");
    long long n = std::stoll(v);
    if (n < min || n > max)
        ini.fail("", key, "out of range " + std::to_string(min) + ".." + std::to_string(max));
    return n;
}

std::string choice(const IniFile& ini, const std::string& key, const std::string& fallback,
                   const std::vector<std::string>& allowed) {
    auto v = ini.get("", key);
    if (!v || v->empty())
        return fallback;
    if (std::find(allowed.begin(), allowed.end(), *v) != allowed.end())
        return *v;
    std::string list;
    for (const auto& a : allowed)
        list += (list.empty() ? "" : " | ") + a;
    ini.fail("", key, "expected " + list + ", not \"" + *v + "\"");
}

bool flag(const IniFile& ini, const std::string& key) {
    std::string v = Poco::toLower(value(ini, key));
    if (v.empty() || v == "no" || v == "false" || v == "0" || v == "off")
        return false;
    if (v == "yes" || v == "true" || v == "1" || v == "on")
        return true;
    ini.fail("", key, "expected yes or no, not \"" + value(ini, key) + "\"");
}

void readContact(const IniFile& ini, CertConfig& cert, const Config& config) {
    cert.contact = config.contact;
    for (const auto& key : contactKeys())
        if (auto v = ini.get("", key)) {
            for (unsigned char c : *v)
                if (c < 0x20 || c == 0x7f)
                    ini.fail("", key, "contains a control character");
            cert.contact[key] = *v;
        }
    // tech_* defaults to the admin_* values (design.md §3).
    for (const auto& key : contactKeys())
        if (key.compare(0, 6, "admin_") == 0) {
            std::string tech = "tech_" + key.substr(6);
            if (!cert.contact.count(tech) && cert.contact.count(key))
                cert.contact[tech] = cert.contact[key];
        }
}

void readOrder(const IniFile& ini, CertConfig& cert) {
    if (!value(ini, "order_id").empty())
        cert.orderId = intValue(ini, "order_id", 1, 999999999999LL);
    if (!value(ini, "product_id").empty())
        cert.productId = intValue(ini, "product_id", 1, 999999999LL);
    if (!value(ini, "period").empty())
        cert.period = int(intValue(ini, "period", 1, 120));
    if (cert.orderId == 0 && cert.productId == 0)
        throw ConfigError(ini.display() + ": order_id or product_id: one of them must be set");
    if (cert.autoRenewOrder && cert.productId == 0)
        ini.fail("", "auto_renew_order", "needs product_id for the renew order");
}

} // namespace

CertConfig readCertFile(const std::string& path, const std::string& display,
                        const std::string& name, const Config& config) {
    IniFile ini(path, display, 0755);
    checkKeys(ini);
    CertConfig cert;
    cert.name = name;
    cert.file = display;
    cert.dcv = choice(ini, "dcv", "http", {"http", "https", "dns", "email"});
    cert.domains = readDomains(ini, cert.dcv);
    cert.keyType =
        choice(ini, "key", "ec-p256", {"rsa-2048", "rsa-3072", "rsa-4096", "ec-p256", "ec-p384"});
    cert.reuseKey = flag(ini, "reuse_key");
    cert.autoRenewOrder = flag(ini, "auto_renew_order");
    cert.installer = choice(ini, "installer", "none", {"nginx", "apache", "none"});
    readOrder(ini, cert);
    cert.webroot = value(ini, "webroot");
    if (cert.dcv == "http" || cert.dcv == "https") {
        if (cert.webroot.empty())
            ini.fail("", "webroot", "required for dcv = " + cert.dcv);
        if (cert.webroot == "auto" && cert.installer == "none")
            ini.fail("", "webroot", "auto needs installer = nginx or apache");
        if (cert.webroot != "auto" &&
            (cert.webroot[0] != '/' || cert.webroot.find("..") != std::string::npos))
            ini.fail("", "webroot", "must be an absolute path or auto");
    }
    cert.approverEmail = value(ini, "approver_email");
    if (cert.dcv == "email" && cert.approverEmail.empty())
        cert.approverEmail =
            "admin@" + (cert.domains[0][0] == '*' ? cert.domains[0].substr(2) : cert.domains[0]);
    static const std::regex email("[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}");
    if (!cert.approverEmail.empty() && !std::regex_match(cert.approverEmail, email))
        ini.fail("", "approver_email", "not an e-mail address");
    cert.deployHook = value(ini, "deploy_hook");
    if (!cert.deployHook.empty() && cert.deployHook[0] != '/')
        ini.fail("", "deploy_hook", "must be an absolute path");
    readContact(ini, cert, config);
    if (cert.orderId == 0 || cert.autoRenewOrder)
        for (const auto& key : kRequiredContact)
            if (cert.contact[key].empty())
                throw ConfigError(display + ": " + key +
                                  ": missing (needed for new orders; set it here or in "
                                  "[contact])");
    return cert;
}

RenewBefore parseRenewBefore(const std::string& text, const std::string& what) {
    static const std::regex fraction("([0-9]{1,3})/([0-9]{1,3})");
    std::smatch m;
    RenewBefore r;
    if (std::regex_match(text, m, fraction)) {
        r.numerator = std::stoll(m[1]);
        r.denominator = std::stoll(m[2]);
        if (r.numerator <= 0 || r.denominator <= 0 || r.numerator >= r.denominator)
            throw ConfigError(what + ": fraction must be between 0 and 1: \"" + text + "\"");
        return r;
    }
    if (!text.empty() && text.back() >= '0' && text.back() <= '9')
        throw ConfigError(what + ": expected a fraction like 1/3 or a duration like 30d, not \"" +
                          text + "\"");
    r.denominator = 0;
    r.duration = parseDuration(text, what);
    if (r.duration.count() <= 0)
        throw ConfigError(what + ": must be more than 0");
    return r;
}

Seconds RenewBefore::forLifetime(Seconds lifetime) const {
    if (denominator == 0)
        return duration;
    return Seconds(lifetime.count() * numerator / denominator);
}

std::string RenewBefore::text() const {
    if (denominator == 0)
        return formatDuration(duration);
    return std::to_string(numerator) + "/" + std::to_string(denominator);
}

bool isValidDomain(const std::string& name) {
    static const std::regex label("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    if (name.empty() || name.size() > 253)
        return false;
    std::string rest = name.compare(0, 2, "*.") == 0 ? name.substr(2) : name;
    Poco::StringTokenizer parts(rest, ".");
    if (parts.count() < 2 || rest.back() == '.')
        return false;
    for (const auto& part : parts)
        if (!std::regex_match(part, label))
            return false;
    return true;
}

bool isValidCertName(const std::string& name) {
    static const std::regex re("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    return std::regex_match(name, re);
}

} // namespace certagent::config
