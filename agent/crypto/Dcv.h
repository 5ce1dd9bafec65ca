#pragma once

#include "crypto/OpenSslTypes.h"

#include <string>

namespace certagent::crypto {

/// The DCV values Sectigo-family CAs derive from a CSR; the agent recomputes them and refuses an
/// API answer that disagrees.
struct SectigoDcv {
    std::string md5Upper;      ///< upper-case hex MD5 of the DER CSR (32 chars)
    std::string sha256Upper;   ///< upper-case hex SHA-256 of the DER CSR (64 chars)
    std::string sha256Lower;   ///< the same, lower-case
    std::string fileName;      ///< md5Upper + ".txt"
    std::string fileFirstLine; ///< sha256Upper (line 1 of the HTTP/HTTPS DCV file)

    /// "_<md5Upper>.<domain>" with a leading "*." of a wildcard domain removed.
    std::string dnsName(const std::string& domain) const;
    /// "<sha256Lower first 32>.<sha256Lower last 32>"; the API appends ".<unique>.sectigo.com"
    /// (or ".comodoca.com").
    std::string dnsTargetPrefix() const;
};

/// Computes the values from the request's DER encoding. Throws CryptoError.
SectigoDcv sectigoDcv(const X509_REQ& csr);

/// Same, from DER bytes already at hand (csrToDer). Throws CryptoError.
SectigoDcv sectigoDcvFromDer(const std::string& der);

} // namespace certagent::crypto
