#pragma once

// JOSE for ACME (RFC 8555 §6.2, RFC 7515/7518/7638): base64url, the account key's JWK and
// thumbprint, ES256/ES384 flattened JWS, and the External Account Binding (§7.3.4).
// JSON through Poco::JSON, base64 through Poco, signatures and HMAC through OpenSSL.

#include "crypto/OpenSslTypes.h"
#include "util/Secret.h"

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <string_view>

namespace certagent::acme {

/// base64url without padding (RFC 7515 §2). Never throws.
std::string b64url(std::string_view bytes);

/// Decodes base64url (padding optional); with `alsoStandard`, standard base64 ("+/") too.
/// nullopt when `text` is empty or not such an encoding. Never throws.
std::optional<std::string> b64urlDecode(std::string_view text, bool alsoStandard = false);

/// RFC 7638 thumbprint: base64url(SHA-256(the members, keys sorted, no whitespace)). `members`
/// must hold exactly the key type's required members. Throws CryptoError.
std::string jwkThumbprint(const Poco::JSON::Object& members);

/// An ACME account key: EC P-256 (ES256) or P-384 (ES384), private half held.
class AccountKey {
  public:
    /// Takes the key. Throws CryptoError if it is not an EC P-256/P-384 private key.
    explicit AccountKey(crypto::EvpPkeyPtr key);
    /// Reads a PEM private key (crypto::privateKeyFromPem); `what` names it in errors.
    static AccountKey fromPem(const std::string& pem, const std::string& what);

    /// "ES256" or "ES384".
    const std::string& alg() const { return m_alg; }
    /// The public JWK {"crv","kty","x","y"} (a fresh copy the caller may change).
    Poco::JSON::Object::Ptr jwk() const;
    /// RFC 7638 thumbprint of jwk().
    const std::string& thumbprint() const { return m_thumbprint; }
    /// Raw R‖S signature (64 or 96 bytes, RFC 7518 §3.4) of `input`. Throws CryptoError.
    std::string sign(std::string_view input) const;
    const EVP_PKEY& pkey() const { return *m_key; }

  private:
    crypto::EvpPkeyPtr m_key;
    std::string m_alg;
    std::size_t m_coordinateBytes = 0;
    std::string m_x, m_y; ///< base64url public coordinates
    std::string m_thumbprint;
};

/// Who signs: the account URL ("kid") once known, else the JWK (newAccount, revokeCert by key).
struct Signer {
    const AccountKey& key;
    std::string kid; ///< "" = embed the JWK
};

/// A flattened JWS JSON text (RFC 7515 §7.2.2) with protected {alg, nonce, url, kid|jwk}.
/// `payload` nullptr = POST-as-GET (empty payload). Throws CryptoError.
std::string flattenedJws(const Signer& signer, const std::string& url, const std::string& nonce,
                         const Poco::JSON::Object* payload);

/// The externalAccountBinding member of a newAccount payload (RFC 8555 §7.3.4): a flattened JWS
/// with protected {"alg":"HS256","kid":eabKid,"url":newAccountUrl}, payload = the account JWK,
/// HMAC-SHA256 with the raw `hmacKey`. Throws CryptoError.
Poco::JSON::Object::Ptr eabBinding(const std::string& eabKid, const Secret& hmacKey,
                                   const AccountKey& key, const std::string& newAccountUrl);

/// The raw EAB HMAC key from the text a CA gives out: base64url, or standard base64 (CAs
/// differ). Throws ConfigError naming `what` (never the key) when it is neither or empty.
Secret decodeEabKey(const std::string& text, const std::string& what);

/// token "." thumbprint (RFC 8555 §8.1): the http-01 file content.
std::string keyAuthorization(const std::string& token, const AccountKey& key);

/// base64url(SHA-256(keyAuthorization)) (RFC 8555 §8.4): the dns-01 TXT value, 43 characters.
std::string dns01TxtValue(const std::string& keyAuthorization);

} // namespace certagent::acme
