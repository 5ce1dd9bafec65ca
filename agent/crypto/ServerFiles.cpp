#include "crypto/ServerFiles.h"

#include "crypto/GateError.h"
#include "crypto/Keys.h"
#include "crypto/Pem.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace certagent::crypto {

namespace {

const std::string kBegin = "-----BEGIN CERTIFICATE-----";
const std::string kEnd = "-----END CERTIFICATE-----";

/// The certificate block starting at or after `from`, or npos; `next` is set past its end.
std::string::size_type nextBlock(const std::string& pem, std::string::size_type from,
                                 std::string::size_type& next) {
    std::string::size_type begin = pem.find(kBegin, from);
    std::string::size_type end = begin == std::string::npos ? begin : pem.find(kEnd, begin);
    if (end == std::string::npos)
        return std::string::npos;
    next = end + kEnd.size();
    return begin;
}

} // namespace

X509Ptr leadingCertFromPem(const std::string& pem, const std::string& what) {
    std::string::size_type next = 0;
    std::string::size_type begin = nextBlock(pem, 0, next);
    if (begin == std::string::npos)
        throw GateError(GateFailure::BadPem, what + ": no certificate");
    return parseSingleCert(pem.substr(begin, next - begin) + "\n", what);
}

std::vector<X509Ptr> certsFromServerPem(const std::string& pem, const std::string& what) {
    std::string blocks; // the certificate blocks alone, for the strict bundle parser
    std::string::size_type next = 0;
    for (auto begin = nextBlock(pem, 0, next); begin != std::string::npos;
         begin = nextBlock(pem, next, next))
        blocks += pem.substr(begin, next - begin) + "\n";
    if (blocks.empty())
        throw GateError(GateFailure::BadPem, what + ": no certificate");
    return parseCertBundle(blocks, what);
}

std::string keyTypeOfCert(const X509& cert) {
    const EVP_PKEY* key = X509_get0_pubkey(&cert);
    if (!key) {
        ERR_clear_error();
        return "unreadable key";
    }
    if (auto type = keyTypeOf(*key))
        return keyTypeName(*type);
    const std::string family = keyFamily(*key);
    if (family == "rsa")
        return "rsa-" + std::to_string(EVP_PKEY_get_bits(key));
    if (family == "ec") {
        char group[64] = {0};
        size_t len = 0;
        EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len);
        ERR_clear_error();
        return "ec-" + (len ? std::string(group, len) : std::string("unnamed"));
    }
    return OBJ_nid2sn(EVP_PKEY_get_base_id(key));
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
