#pragma once

#include <cstddef>
#include <string>

namespace certagent::crypto {

/// Drains the whole OpenSSL error queue of this thread into one line ("a; b; c"), or
/// "unknown OpenSSL error" when it is empty. Always leaves the queue empty.
std::string drainOpenSslErrors();

/// Throws CryptoError("<step>: <drained queue>").
[[noreturn]] void throwOpenSsl(const std::string& step);

/// Lower/upper-case hex of bytes.
std::string hexEncode(const unsigned char* data, std::size_t size, bool upper);

} // namespace certagent::crypto
