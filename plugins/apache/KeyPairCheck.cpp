#include "plugins/apache/KeyPairCheck.h"

#include "crypto/Keys.h"
#include "crypto/ServerFiles.h"
#include "util/Error.h"
#include "util/FileBackup.h"

namespace certagent::plugins::apache {

namespace {

/// The file's bytes, symlinks followed as Apache follows them. Throws CryptoError.
std::string readServerFile(const std::string& path) {
    try {
        return snapshotFile(path).content;
    } catch (const Error& e) {
        throw CryptoError("apache: cannot read " + path + ": " + e.what());
    }
}

} // namespace

bool checkKeyPair(const std::string& certPath, const std::string& keyPath, bool allowEncryptedKey) {
    crypto::X509Ptr cert;
    try {
        cert = crypto::leadingCertFromPem(readServerFile(certPath), certPath);
    } catch (const CryptoError& e) {
        throw CryptoError(std::string("apache: ") + e.what());
    }
    const std::string& keyFile = keyPath.empty() ? certPath : keyPath;
    std::string keyPem = readServerFile(keyFile);
    if (allowEncryptedKey && crypto::isEncryptedKeyPem(keyPem))
        return false;
    crypto::EvpPkeyPtr key;
    try {
        key = crypto::privateKeyFromPem(keyPem, keyFile);
    } catch (const CryptoError& e) {
        throw CryptoError(std::string("apache: ") + e.what());
    }
    if (!crypto::keyMatches(*cert, *key))
        throw CryptoError("apache: the key in " + keyFile + " does not match the certificate in " +
                          certPath);
    return true;
}

std::string keyFamilyOfCertFile(const std::string& certPath) {
    try {
        return crypto::keyFamilyOfCert(
            *crypto::leadingCertFromPem(readServerFile(certPath), certPath));
    } catch (const CryptoError&) {
        return "";
    }
}

} // namespace certagent::plugins::apache
