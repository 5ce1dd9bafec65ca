#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>

namespace certagent::crypto {

/// The raw digest bytes of `data` (EVP_Digest). `what` names the input in the CryptoError thrown
/// when OpenSSL fails.
std::string digest(const EVP_MD* md, std::string_view data, const std::string& what);

/// digest(EVP_sha256(), ...): 32 raw bytes.
std::string sha256(std::string_view data, const std::string& what);

} // namespace certagent::crypto
