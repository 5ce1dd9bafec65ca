#include "crypto/ServerFiles.h"

#include "crypto/GateError.h"
#include "crypto/Pem.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace certagent::crypto {

X509Ptr leadingCertFromPem(const std::string& pem, const std::string& what) {
    static const std::string kBegin = "-----BEGIN CERTIFICATE-----";
    static const std::string kEnd = "-----END CERTIFICATE-----";
    size_t begin = pem.find(kBegin);
    size_t end = begin == std::string::npos ? begin : pem.find(kEnd, begin);
    if (end == std::string::npos)
        throw GateError(GateFailure::BadPem, what + ": no certificate");
    return parseSingleCert(pem.substr(begin, end + kEnd.size() - begin) + "\n", what);
}

std::string keyFamily(const EVP_PKEY& key) {
    switch (EVP_PKEY_get_base_id(&key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
        return "rsa";
    case EVP_PKEY_EC:
        return "ec";
    default:
        return "";
    }
}

std::string keyFamilyOfCert(const X509& cert) {
    const EVP_PKEY* key = X509_get0_pubkey(&cert);
    return key ? keyFamily(*key) : "";
}

std::string keyFamilyOfType(const std::string& keyType) {
    if (keyType.rfind("rsa-", 0) == 0)
        return "rsa";
    if (keyType.rfind("ec-", 0) == 0)
        return "ec";
    return "";
}

bool isEncryptedKeyPem(const std::string& pem) {
    return pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string::npos ||
           pem.find("Proc-Type: 4,ENCRYPTED") != std::string::npos;
}

} // namespace certagent::crypto
