#pragma once

#include <chrono>
#include <string>

namespace certagent::crypto {

/// What one TLS handshake saw.
struct ProbeResult {
    bool connected = false;
    std::string leafSha256; ///< lower-case hex SHA-256 of the served leaf's DER; empty if none
    std::string error;      ///< why the handshake failed, when it did
};

/// One TLS handshake with SNI to host:port (an IPv4/IPv6 literal or a name), without verifying
/// the peer (we compare the fingerprint instead, which is stricter). Never throws.
ProbeResult probeTls(const std::string& host, int port, const std::string& sni,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// Repeats probeTls until the served leaf is `expectedSha256` or `within` has passed (reloads are
/// asynchronous). Returns the last result; the caller compares leafSha256.
ProbeResult probeUntil(const std::string& host, int port, const std::string& sni,
                       const std::string& expectedSha256, std::chrono::milliseconds within);

} // namespace certagent::crypto
