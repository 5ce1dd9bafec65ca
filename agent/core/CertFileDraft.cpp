#include "core/CertFileDraft.h"

#include "core/Discovery.h"
#include "util/CertName.h"
#include "util/Error.h"
#include "util/FileIo.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <Poco/String.h>

#include <algorithm>
#include <cerrno>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent::core {

namespace {

std::string quoted(const std::string& text) {
    return "\"" + escapeForLog(text, 80) + "\"";
}

/// An order or product id: digits only (it goes into the file as a line of its own).
std::string checkedId(const std::string& option, const std::string& value) {
    if (value.empty() ||
        (value.size() <= 12 && value.find_first_not_of("0123456789") == std::string::npos &&
         value[0] != '0'))
        return value;
    throw ConfigError("discover: " + option + ": expected a number, not " + quoted(value));
}

std::vector<std::string> checkedDomains(const std::vector<std::string>& given) {
    std::vector<std::string> out;
    for (const std::string& raw : given) {
        std::string name = Poco::toLower(Poco::trim(raw));
        if (!config::isValidDomain(name) || config::isIpAddress(name))
            throw ConfigError("discover: --domains: " + quoted(raw) + " is not a DNS name");
        if (std::find(out.begin(), out.end(), name) != out.end())
            throw ConfigError("discover: --domains: " + name + " is given twice");
        out.push_back(name);
    }
    if (out.empty())
        throw ConfigError("discover: --domains: no names given");
    return out;
}

bool hasWildcard(const std::vector<std::string>& domains) {
    return std::any_of(domains.begin(), domains.end(),
                       [](const std::string& d) { return d.rfind("*.", 0) == 0; });
}

void describeServing(std::ostringstream& out, const std::vector<ServedName>& placements) {
    out << "; What serves these names today (the server's own selection rules):\n";
    for (const ServedName& p : placements)
        out << ";   " << escapeForLog(p.name, 256) << " on " << escapeForLog(p.address, 80) << ": "
            << escapeForLog(p.block, 300) << " (" << escapeForLog(p.why, 200) << "), certificate "
            << (p.certFile.empty() ? "none" : escapeForLog(p.certFile, 300)) << "\n";
}

void describeOrder(std::ostringstream& out, const CertFileDraft& draft) {
    out << "\n; An existing order (e.g. a multi-year subscription): renewals reissue it with a "
           "new\n"
           "; key. Or leave it out and place a new order with product_id and period.\n"
        << (draft.orderId.empty() ? "; order_id =\n" : "order_id = " + draft.orderId + "\n")
        << (draft.productId.empty() ? "; product_id =\n; period = 12\n"
                                    : "product_id = " + draft.productId + "\nperiod = 12\n");
}

void describeValidation(std::ostringstream& out, const CertFileDraft& draft) {
    if (draft.cert.dcv == config::DcvMethod::Dns) {
        out << "\n; A wildcard cannot be validated with a file on the web server: DNS validation\n"
               "; through hooks/dns.d (see README, Hooks).\ndcv = dns\n";
        return;
    }
    out << "\n; Domain control validation: a file in the document root of the plain-HTTP block\n"
           "; that serves each name (auto), or an absolute path.\ndcv = http\nwebroot = auto\n";
}

} // namespace

CertFileDraft checkedDraft(const config::Config& config, const CertFileRequest& request) {
    if (!isValidCertName(request.name))
        throw ConfigError("discover: --write: bad certificate name " + quoted(request.name) +
                          " (letters, digits, . _ -, at most 64, starting with a letter or "
                          "digit, no \"..\")");
    CertFileDraft draft;
    draft.orderId = checkedId("--order-id", request.orderId);
    draft.productId = checkedId("--product-id", request.productId);
    draft.cert.name = request.name;
    draft.cert.domains = checkedDomains(request.domains);
    std::string path = config.certsDir + "/" + request.name + ".conf";
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0)
        throw ConfigError("discover: " + escapeForLog(path) + " exists; not replacing it");
    std::vector<config::InstallerKind> kinds = serversToDiscover(config, request.installer);
    if (kinds.size() > 1)
        throw ConfigError("discover: nginx and apache are both installed; name the one that "
                          "serves these names with --installer nginx|apache");
    draft.cert.installer = kinds.front();
    draft.cert.dcv =
        hasWildcard(draft.cert.domains) ? config::DcvMethod::Dns : config::DcvMethod::Http;
    return draft;
}

std::string draftText(const CertFileDraft& draft, const std::vector<ServedName>& placements,
                      const std::string& liveDir, std::time_t now) {
    std::ostringstream out;
    out << "; certs.d/" << draft.cert.name << ".conf, written by `certagent discover --write` at "
        << formatIsoUtc(now) << ".\n";
    describeServing(out, placements);
    out << "; certagent orders (or reissues) a certificate for them and points these blocks at\n; "
        << escapeForLog(liveDir, 300) << "/. Try it first: certagent run --dry-run --cert "
        << draft.cert.name << "\n";
    for (const std::string& note : draft.notes)
        out << "; NOTE: " << escapeForLog(note, 600) << "\n";
    out << "\n; Names on the certificate; the first is the common name.\ndomains = ";
    for (size_t i = 0; i < draft.cert.domains.size(); ++i)
        out << (i ? ", " : "") << draft.cert.domains[i];
    out << "\n";
    describeOrder(out, draft);
    describeValidation(out, draft);
    out << "\n; The key type of the certificate served now (rsa-2048 | rsa-3072 | rsa-4096 |\n"
           "; ec-p256 | ec-p384); a new key is made for every renewal.\nkey = "
        << draft.cert.keyType << "\n"
        << "\n; The web server whose blocks serve these names.\ninstaller = "
        << config::installerName(draft.cert.installer) << "\n";
    return out.str();
}

namespace {

/// The hidden draft in the certs directory; removed when this goes, whatever happened.
class DraftFile {
  public:
    DraftFile(const std::string& dir, const std::string& name, const std::string& text) {
        // A dot name that does not end in .conf: the loader never reads it as a certificate.
        std::string pattern = dir + "/." + name + ".conf.draft-XXXXXX";
        std::vector<char> buf(pattern.begin(), pattern.end());
        buf.push_back('\0');
        UniqueFd fd(::mkstemp(buf.data()));
        if (!fd.valid())
            throw IoError("creating a file in " + dir + ": " + errnoText(errno));
        m_path = buf.data();
        try { // a constructor that throws gets no destructor call
            if (::fchmod(fd.get(), 0644) != 0)
                throw IoError("setting mode of " + m_path + ": " + errnoText(errno));
            writeAll(fd.get(), text, m_path);
            fsyncFd(fd.get(), m_path);
        } catch (...) {
            ::unlink(m_path.c_str());
            throw;
        }
    }
    DraftFile(const DraftFile&) = delete;
    DraftFile& operator=(const DraftFile&) = delete;
    ~DraftFile() {
        if (!m_path.empty())
            ::unlink(m_path.c_str());
    }
    const std::string& path() const { return m_path; }

  private:
    std::string m_path;
};

} // namespace

config::CertConfig publishDraft(const config::Config& config, const std::string& name,
                                const std::string& text) {
    const std::string path = config.certsDir + "/" + name + ".conf";
    DraftFile draft(config.certsDir, name, text);
    config::CertConfig cert;
    try {
        cert = config::checkNewCertFile(config, draft.path(), name);
    } catch (const ConfigError& e) {
        throw ConfigError(std::string("discover: the file would not load, not written: ") +
                          e.what());
    }
    if (::link(draft.path().c_str(), path.c_str()) != 0) {
        int err = errno;
        if (err == EEXIST)
            throw ConfigError("discover: " + escapeForLog(path) + " exists; not replacing it");
        throw IoError("creating " + path + ": " + errnoText(err));
    }
    fsyncDir(config.certsDir);
    return cert;
}

} // namespace certagent::core
