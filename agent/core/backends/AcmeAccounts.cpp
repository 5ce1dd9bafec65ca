#include "core/backends/AcmeAccounts.h"

#include "crypto/Digest.h"
#include "crypto/OpenSslError.h"
#include "util/Error.h"
#include "util/FileIo.h"
#include "util/Text.h"
#include "util/TrustedFile.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <sstream>
#include <unistd.h>

namespace certagent::core {

namespace {

constexpr std::size_t kMaxKeyBytes = 16 * 1024;
constexpr std::size_t kMaxRecordBytes = 1024 * 1024;

/// "<host>[_<port>]" with anything but [a-z0-9.-] turned into "_" (an IPv6 literal, say).
std::string hostPart(const std::string& directoryUrl) {
    Poco::URI uri;
    try {
        uri = Poco::URI(directoryUrl);
    } catch (const Poco::Exception&) {
        throw ConfigError("acme directory: not a URL: \"" + escapeForLog(directoryUrl, 200) + "\"");
    }
    std::string host;
    for (char c : uri.getHost()) {
        char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        host += (std::isalnum(static_cast<unsigned char>(l)) || l == '.' || l == '-') ? l : '_';
    }
    if (host.empty() || host[0] == '.')
        host = "_" + host;
    if (uri.getPort() != 443)
        host += "_" + std::to_string(uri.getPort());
    return host;
}

std::string stringAt(const Poco::JSON::Object& o, const std::string& key) {
    return o.has(key) && o.get(key).isString() ? o.getValue<std::string>(key) : std::string();
}

} // namespace

AcmeAccountFiles::AcmeAccountFiles(std::string storeDir) : m_storeDir(std::move(storeDir)) {}

std::string AcmeAccountFiles::where(const std::string& directoryUrl) const {
    const std::string hash = crypto::sha256(directoryUrl, "acme directory URL");
    const auto* bytes = reinterpret_cast<const unsigned char*>(hash.data());
    return m_storeDir + "/acme/" + hostPart(directoryUrl) + "/" +
           crypto::hexEncode(bytes, hash.size(), false).substr(0, 12);
}

void AcmeAccountFiles::ensureDirs(const std::string& directoryUrl) const {
    const std::string dir = where(directoryUrl);
    ensureDir(m_storeDir + "/acme", 0700);
    ensureDir(parentDir(dir), 0700);
    ensureDir(dir, 0700);
}

std::optional<Secret> AcmeAccountFiles::key(const std::string& directoryUrl) {
    const std::string path = where(directoryUrl) + "/account.key";
    if (::access(path.c_str(), F_OK) != 0)
        return std::nullopt;
    // Our own file: refused when someone made it readable to others or swapped in a symlink.
    return readTrustedFile(path, escapeForLog(path), TrustedFileRules{0600, false, kMaxKeyBytes});
}

void AcmeAccountFiles::addKey(const std::string& directoryUrl, const std::string& pem) {
    ensureDirs(directoryUrl);
    const std::string path = where(directoryUrl) + "/account.key";
    if (::access(path.c_str(), F_OK) == 0)
        throw IoError(path + ": an account key is already there (not replaced)");
    writeFileAtomic(path, pem, 0600);
}

void AcmeAccountFiles::replaceKey(const std::string& directoryUrl, const std::string& pem) {
    ensureDirs(directoryUrl);
    writeFileAtomic(where(directoryUrl) + "/account.key", pem, 0600);
}

std::optional<AcmeAccountRecord> AcmeAccountFiles::record(const std::string& directoryUrl) {
    auto text = readFileCapped(where(directoryUrl) + "/account.json", kMaxRecordBytes);
    if (!text)
        return std::nullopt;
    try {
        Poco::JSON::Parser parser;
        auto o = parser.parse(*text).extract<Poco::JSON::Object::Ptr>();
        AcmeAccountRecord r;
        r.directoryUrl = stringAt(*o, "directory");
        r.accountUrl = stringAt(*o, "accountUrl");
        r.ordersUrl = stringAt(*o, "ordersUrl");
        r.eabKid = stringAt(*o, "eabKid");
        r.createdAt = stringAt(*o, "createdAt");
        r.directoryBody = stringAt(*o, "directoryBody");
        if (auto contact = o->getArray("contact"))
            for (std::size_t i = 0; i < contact->size(); ++i)
                r.contact.push_back(contact->getElement<std::string>(i));
        // A record of another directory (a hash collision, a copied store) is no record of ours.
        if (r.directoryUrl != directoryUrl || r.accountUrl.empty())
            return std::nullopt;
        return r;
    } catch (const Poco::Exception&) {
        return std::nullopt; // unreadable: the account is looked up by its key
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

void AcmeAccountFiles::saveRecord(const AcmeAccountRecord& r) {
    ensureDirs(r.directoryUrl);
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("directory", r.directoryUrl);
    o.set("accountUrl", r.accountUrl);
    o.set("ordersUrl", r.ordersUrl);
    Poco::JSON::Array contact;
    for (const auto& c : r.contact)
        contact.add(c);
    o.set("contact", contact);
    o.set("eabKid", r.eabKid);
    o.set("createdAt", r.createdAt);
    o.set("directoryBody", r.directoryBody);
    std::ostringstream out;
    o.stringify(out, 2);
    writeFileAtomic(where(r.directoryUrl) + "/account.json", out.str() + "\n", 0600);
}

} // namespace certagent::core
