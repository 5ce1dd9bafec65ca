#pragma once

#include "crypto/CertFacts.h"
#include "crypto/GateError.h"
#include "crypto/OpenSslTypes.h"

#include <chrono>
#include <string>
#include <vector>

namespace certagent::crypto {

/// How far in the future notBefore may be before the gate defers (clock skew of either side).
constexpr std::chrono::seconds kNotBeforeSkew{300};

/// Input of the verification gate for an issued order.
struct GateInput {
    std::string crtCode;                ///< API crt_code: exactly one certificate
    std::string caCode;                 ///< API ca_code: one or more certificates, any order
    const EVP_PKEY* localKey = nullptr; ///< the pending key of the order (required)
    std::vector<std::string> names;     ///< configured names; each must be a SAN (exact, no case)
    std::string trustCaFile;            ///< PEM anchors file; empty = the system store
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
    std::string context; ///< message prefix, e.g. "order 1840217"; may be empty
};

/// A certificate that passed the gate, re-encoded from parsed objects.
struct VerifiedCert {
    X509Ptr leaf;
    std::vector<X509Ptr> chain; ///< intermediates in path order (issuer of leaf first), no root
    CertFacts facts;
    std::string certPem;      ///< leaf
    std::string chainPem;     ///< chain, concatenated (empty if the leaf's issuer is the root)
    std::string fullchainPem; ///< certPem + chainPem
};

/// THE gate, used by every path that installs. Parses crt_code/ca_code strictly, then checks:
/// leaf key == localKey; leaf not CA; EKU present with serverAuth or anyExtendedKeyUsage (CA/B
/// BR 7.1.2.3: subscriber certificates carry an EKU, so absence is refused); every configured
/// name among the leaf's dNSName SANs (case-insensitive exact: "*.example.com" covers only a
/// configured "*.example.com"); leaf and intermediate keys RSA >= 2048 or EC P-256/P-384/P-521;
/// leaf and intermediate signatures SHA-256/384/512; then X509_verify_cert at `now` against the
/// anchors with ca_code as untrusted helpers (X509_V_FLAG_TRUSTED_FIRST, purpose sslserver).
/// Throws GateError with its GateFailure (NotYetValid → exit 3, all others exit 4), ConfigError
/// if trustCaFile cannot be loaded, CryptoError(4) if localKey is null.
VerifiedCert verifyIssued(const GateInput& input);

/// Whether the first of `certs` (a server's certificate file: the leaf, then its chain) chains to a
/// trust anchor (`trustCaFile`, the system store when empty) at `now` for TLS server use, with the
/// others as untrusted intermediates: the gate's path building alone, for certificates certagent
/// did not issue (`certagent discover`). Throws GateError (NoTrustedPath, Expired, NotYetValid,
/// ...) with the reason; ConfigError for an unreadable trustCaFile; CryptoError when `certs` is
/// empty.
void verifyServerChain(const std::vector<X509Ptr>& certs, const std::string& trustCaFile,
                       std::chrono::system_clock::time_point now);

/// Input of inspectLive: the contents of a live version directory.
struct LiveFiles {
    std::string certPem;  ///< cert.pem
    std::string chainPem; ///< chain.pem (may be empty)
    std::string keyPem;   ///< privkey.pem (secret: never in messages)
    std::vector<std::string> names;
    std::string trustCaFile;
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
    std::string context; ///< e.g. "live/shop"
};

/// Outcome of inspectLive; an expected result, not an exception.
struct LiveCheck {
    bool ok = false;
    GateFailure failure = GateFailure::BadPem; ///< meaningful when !ok
    std::string message;                       ///< one line, when !ok
    bool hasFacts = false;                     ///< cert.pem parsed (facts valid) even if !ok
    CertFacts facts;
};

/// Runs the same gate over live files (cert.pem as crt_code, chain.pem as ca_code, privkey.pem
/// as the local key): for `verify` and the renewal decision (live files failing → due).
/// Never throws GateError (returned in LiveCheck); throws ConfigError for an unreadable
/// trustCaFile.
LiveCheck inspectLive(const LiveFiles& files);

} // namespace certagent::crypto
