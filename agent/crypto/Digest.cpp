#include "crypto/Digest.h"

#include "crypto/OpenSslError.h"

namespace certagent::crypto {

std::string digest(const EVP_MD* md, std::string_view data, const std::string& what) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) {
        throwOpenSsl("hashing " + what);
    }
    return std::string(reinterpret_cast<const char*>(out), len);
}

std::string sha256(std::string_view data, const std::string& what) {
    return digest(EVP_sha256(), data, what);
}

} // namespace certagent::crypto
