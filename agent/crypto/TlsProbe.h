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

/// How a probe talks to a listener.
struct ProbeOptions {
    std::chrono::milliseconds timeout{std::chrono::seconds(5)}; ///< connect + handshake
    /// Send a PROXY protocol v1 header first (a listener with `proxy_protocol` refuses a plain
    /// handshake).
    bool proxyProtocol = false;
    /// "ec-…" or "rsa-…": offer only that key type's signature algorithms, so a block with an
    /// RSA and an ECDSA certificate shows the one of that type. Empty: offer all.
    std::string keyType;
};

/// One TLS handshake with SNI to host:port (an IPv4/IPv6 literal or a name), without verifying
/// the peer (we compare the fingerprint instead, which is stricter). Never throws.
ProbeResult probeTls(const std::string& host, int port, const std::string& sni,
                     const ProbeOptions& options = {});

/// Repeats probeTls until the served leaf is `expectedSha256` or `within` has passed (reloads are
/// asynchronous). Returns the last result; the caller compares leafSha256.
ProbeResult probeUntil(const std::string& host, int port, const std::string& sni,
                       const std::string& expectedSha256, std::chrono::milliseconds within,
                       const ProbeOptions& options = {});

} // namespace certagent::crypto
