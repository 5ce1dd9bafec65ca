#include "plugins/apache/KeyPairCheck.h"

#include "crypto/OpenSslTypes.h"
#include "util/Error.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <fstream>

namespace certagent::plugins::apache {

namespace {

std::string opensslErrors() {
    std::string text;
    while (unsigned long code = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        text += (text.empty() ? "" : "; ") + std::string(buf);
    }
    return text.empty() ? "no PEM data" : text;
}

crypto::BioPtr openFile(const std::string& path) {
    crypto::BioPtr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) {
        ERR_clear_error();
        throw CryptoError("apache: cannot read " + path);
    }
    return bio;
}

bool isEncrypted(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
        if (line.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") == 0 ||
            line.find("Proc-Type: 4,ENCRYPTED") == 0)
            return true;
    return false;
}

} // namespace

bool checkKeyPair(const std::string& certPath, const std::string& keyPath, bool allowEncryptedKey) {
    ERR_clear_error();
    crypto::BioPtr certBio = openFile(certPath);
    crypto::X509Ptr cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
    if (!cert)
        throw CryptoError("apache: " + certPath + " holds no certificate: " + opensslErrors());
    const std::string& keyFile = keyPath.empty() ? certPath : keyPath;
    crypto::BioPtr keyBio = openFile(keyFile);
    // An empty passphrase callback result: an encrypted key fails here instead of prompting.
    crypto::EvpPkeyPtr key(PEM_read_bio_PrivateKey(
        keyBio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr));
    if (!key && allowEncryptedKey && isEncrypted(keyFile)) {
        ERR_clear_error();
        return false;
    }
    if (!key)
        throw CryptoError("apache: " + keyFile +
                          " holds no usable private key: " + opensslErrors());
    const EVP_PKEY* certKey = X509_get0_pubkey(cert.get());
    if (!certKey || EVP_PKEY_eq(certKey, key.get()) != 1) {
        ERR_clear_error();
        throw CryptoError("apache: the key in " + keyFile + " does not match the certificate in " +
                          certPath);
    }
    return true;
}

} // namespace certagent::plugins::apache
