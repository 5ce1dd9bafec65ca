#pragma once

#include "crypto/OpenSslTypes.h"

#include <string>
#include <vector>

namespace certagent::crypto {

/// A PKCS#10 request signed with SHA-256 by `key`: subject CN = names[0], and every name (the
/// first included) in the subjectAltName extension as dNSName, in the given order.
/// Throws CryptoError if `names` is empty, a name is empty or not printable ASCII, or OpenSSL
/// fails.
X509ReqPtr makeCsr(const EVP_PKEY& key, const std::vector<std::string>& names);

/// PEM ("-----BEGIN CERTIFICATE REQUEST-----") as sent in `csr=`. Throws CryptoError.
std::string csrToPem(const X509_REQ& csr);

/// DER bytes of the request (input of the Sectigo DCV hashes). Throws CryptoError.
std::string csrToDer(const X509_REQ& csr);

/// Parses a PEM CSR (e.g. one kept in state). `what` names the input. Throws CryptoError.
X509ReqPtr csrFromPem(const std::string& pem, const std::string& what);

/// True when the PEM request `pem` (untrusted text, e.g. an order's csr_code) carries the same
/// public key as `ours`. Never throws: text that is not one parseable CSR is not ours.
bool requestHasKeyOf(const std::string& pem, const X509_REQ& ours);

} // namespace certagent::crypto
