#pragma once

#include "crypto/OpenSslTypes.h"

#include <chrono>
#include <string>
#include <vector>

namespace certagent::crypto {

/// What status, meta.json, hooks and the renewal decision need to know about a certificate.
struct CertFacts {
    std::string serialHex;          ///< upper-case hex, no separators (as `openssl x509 -serial`)
    std::string sha256;             ///< lower-case hex SHA-256 of the DER (== probeTls leafSha256)
    std::vector<std::string> names; ///< dNSName SANs in certificate order, as written
    std::chrono::system_clock::time_point notBefore;
    std::chrono::system_clock::time_point notAfter;
    std::string subject; ///< one line, `openssl x509 -subject -nameopt oneline` style, escaped
    std::string issuer;  ///< same format
};

/// Extracts the facts. Throws CryptoError if a field cannot be read (e.g. unparsable time).
CertFacts certFacts(const X509& cert);

/// Lower-case hex SHA-256 of the certificate's DER. Throws CryptoError.
std::string sha256Fingerprint(const X509& cert);

/// The dNSName SANs of the certificate, in order (empty when none). Never throws.
std::vector<std::string> dnsNames(const X509& cert);

/// ASN.1 time → time_point, saturating at 1900/2200 (timePointOf: "99991231235959Z" is
/// RFC 5280's "no expiry"). Throws CryptoError naming `what` if it cannot be converted.
std::chrono::system_clock::time_point asn1TimeToTimePoint(const ASN1_TIME& t,
                                                          const std::string& what);

} // namespace certagent::crypto
