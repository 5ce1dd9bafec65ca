#include "crypto/Dcv.h"

#include "crypto/Csr.h"
#include "crypto/OpenSslError.h"

#include <Poco/String.h>
#include <openssl/evp.h>

namespace certagent::crypto {

namespace {

std::string digestHex(const std::string& data, const EVP_MD* md, const char* what, bool upper) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1)
        throwOpenSsl(std::string("computing ") + what + " of the CSR");
    return hexEncode(out, len, upper);
}

} // namespace

std::string SectigoDcv::dnsName(const std::string& domain) const {
    const std::string base = domain.rfind("*.", 0) == 0 ? domain.substr(2) : domain;
    return "_" + md5Upper + "." + base;
}

std::string SectigoDcv::dnsTargetPrefix() const {
    return sha256Lower.substr(0, 32) + "." + sha256Lower.substr(32);
}

SectigoDcv sectigoDcvFromDer(const std::string& der) {
    SectigoDcv dcv;
    dcv.md5Upper = digestHex(der, EVP_md5(), "MD5", true);
    dcv.sha256Upper = digestHex(der, EVP_sha256(), "SHA-256", true);
    dcv.sha256Lower = Poco::toLower(dcv.sha256Upper);
    dcv.fileName = dcv.md5Upper + ".txt";
    dcv.fileFirstLine = dcv.sha256Upper;
    return dcv;
}

SectigoDcv sectigoDcv(const X509_REQ& csr) {
    return sectigoDcvFromDer(csrToDer(csr));
}

} // namespace certagent::crypto
