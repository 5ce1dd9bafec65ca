#include "crypto/OpenSslError.h"

#include "util/Error.h"

#include <openssl/err.h>

namespace certagent::crypto {

std::string drainOpenSslErrors() {
    std::string text;
    const char* file = nullptr;
    int line = 0;
    unsigned long code = 0;
    while ((code = ERR_get_error_all(&file, &line, nullptr, nullptr, nullptr)) != 0) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        if (!text.empty())
            text += "; ";
        text += buf;
    }
    return text.empty() ? "unknown OpenSSL error" : text;
}

void throwOpenSsl(const std::string& step) {
    throw CryptoError(step + ": " + drainOpenSslErrors());
}

std::string hexEncode(const unsigned char* data, std::size_t size, bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 0x0f];
    }
    return out;
}

} // namespace certagent::crypto
