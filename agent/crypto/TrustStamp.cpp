#include "crypto/TrustStamp.h"

#include "util/FileStamp.h"

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <cstdlib>

namespace certagent::crypto {

namespace {

/// Bump when the gate accepts or refuses differently (crypto/Gate.cpp).
constexpr int kGateRevision = 1;

/// `variable` from the environment if set, else OpenSSL's compiled-in default.
std::string fromEnv(const char* variable, const char* fallback) {
    const char* value = std::getenv(variable);
    return value && *value ? value : fallback;
}

/// Appends the stamp of `path`; false when it is too recent to prove anything.
bool add(std::string& out, const std::string& path, std::time_t now) {
    FileStamp stamp = stampOf(path);
    if (recordable(stamp, now) != stamp && !stamp.missing())
        return false;
    out += " " + stamp.text();
    return true;
}

} // namespace

std::string trustStamp(const std::string& trustCaFile, std::time_t now) {
    std::string out = trustCaFile.empty() ? "system" : "file";
    if (!trustCaFile.empty())
        return add(out, trustCaFile, now) ? out : std::string();
    std::string file = fromEnv(X509_get_default_cert_file_env(), X509_get_default_cert_file());
    std::string dir = fromEnv(X509_get_default_cert_dir_env(), X509_get_default_cert_dir());
    // SSL_CERT_DIR may list several directories (':'), as X509_LOOKUP_hash_dir reads it.
    if (!add(out, file, now))
        return {};
    std::size_t start = 0;
    for (;;) {
        std::size_t colon = dir.find(':', start);
        if (!add(out, dir.substr(start, colon - start), now))
            return {};
        if (colon == std::string::npos)
            break;
        start = colon + 1;
    }
    return out;
}

std::string gateRevision() {
    return "gate " + std::to_string(kGateRevision) + "; " + OpenSSL_version(OPENSSL_VERSION);
}

} // namespace certagent::crypto
