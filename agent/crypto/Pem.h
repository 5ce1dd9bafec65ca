#pragma once

#include "crypto/GateError.h"
#include "crypto/OpenSslTypes.h"

#include <cstddef>
#include <string>
#include <vector>

namespace certagent::crypto {

/// Largest PEM text accepted for one field (crt_code, ca_code, chain.pem ...).
constexpr std::size_t kMaxPemBytes = 128 * 1024;
/// Most certificates accepted in one bundle.
constexpr std::size_t kMaxBundleCerts = 16;

/// Strict intake of exactly one certificate (crt_code, cert.pem). CRLF/LF, blank lines and
/// spaces/tabs around lines are tolerated; anything else outside the BEGIN/END CERTIFICATE block
/// is refused. Throws GateError(BadPem) with a one-line message naming `field`:
/// "crt_code: contains a private key block", "crt_code: empty", "crt_code: expected exactly one
/// certificate, found 2", "crt_code: larger than 131072 bytes", "crt_code: text outside PEM
/// blocks at line 7", "crt_code: certificate 1: not a valid DER certificate: ...".
X509Ptr parseSingleCert(const std::string& pem, const std::string& field);

/// Same rules for one or more certificates (ca_code), in input order, duplicates kept.
/// Throws GateError(BadPem) naming `field` (also when empty).
std::vector<X509Ptr> parseCertBundle(const std::string& pem, const std::string& field);

/// Like parseCertBundle but zero certificates (empty or whitespace-only text) is allowed —
/// for a chain.pem of a leaf issued directly by a root.
std::vector<X509Ptr> parseCertBundleAllowEmpty(const std::string& pem, const std::string& field);

/// Fresh PEM re-encoded from the parsed object (never the server's text). Throws CryptoError.
std::string certToPem(const X509& cert);

/// DER bytes of the certificate. Throws CryptoError.
std::string certToDer(const X509& cert);

} // namespace certagent::crypto
