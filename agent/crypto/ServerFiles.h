#pragma once

// Reading the certificate and key files a web server is pointed at (Apache's
// SSLCertificateFile/KeyFile, nginx's ssl_certificate/_key), which are looser than what the
// intake gate accepts: a leaf followed by its chain, sometimes the private key in the same file.

#include "crypto/OpenSslTypes.h"

#include <string>
#include <vector>

namespace certagent::crypto {

/// The first certificate of a server's certificate file (the leaf; a chain or a private key may
/// follow it). Throws GateError(BadPem) naming `what` when there is none or it does not parse.
X509Ptr leadingCertFromPem(const std::string& pem, const std::string& what);

/// Every certificate of a server's certificate file in file order (the leaf, then its chain;
/// other blocks such as a private key are skipped), for `certagent discover`. Throws
/// GateError(BadPem) naming `what` when there is none, one does not parse, or there are more than
/// kMaxBundleCerts.
std::vector<X509Ptr> certsFromServerPem(const std::string& pem, const std::string& what);

/// The key of `cert` in the spelling of `key =` ("ec-p256", "rsa-2048", ...) when it is one of
/// those, else what it is ("rsa-1024", "ec-secp521r1", "ED25519"). Never throws.
std::string keyTypeOfCert(const X509& cert);

/// "rsa" or "ec": the family that key type names ("rsa-2048", "ec-p256") start with; "" for a
/// key of another kind. Never throws.
std::string keyFamily(const EVP_PKEY& key);

/// keyFamily() of the certificate's public key.
std::string keyFamilyOfCert(const X509& cert);

/// "rsa" for "rsa-…", "ec" for "ec-…", "" otherwise (the family part of a key type name).
std::string keyFamilyOfType(const std::string& keyType);

/// Whether `pem` holds a passphrase-protected private key (PKCS#8 "ENCRYPTED PRIVATE KEY" or a
/// traditional key with "Proc-Type: 4,ENCRYPTED"), which only the server's own dialog can open.
bool isEncryptedKeyPem(const std::string& pem);

} // namespace certagent::crypto
