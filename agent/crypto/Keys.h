#pragma once

#include "crypto/OpenSslTypes.h"

#include <optional>
#include <string>

namespace certagent::crypto {

/// Key algorithms a certificate file may ask for (`key = ...`).
enum class KeyType { Rsa2048, Rsa3072, Rsa4096, EcP256, EcP384 };

/// "rsa-2048" | "rsa-3072" | "rsa-4096" | "ec-p256" | "ec-p384" (exact, lower-case).
/// Throws ConfigError naming the value otherwise.
KeyType parseKeyType(const std::string& text);

/// The config spelling of `type` ("ec-p256", ...).
std::string keyTypeName(KeyType type);

/// The KeyType of an existing key, or nullopt when it is none of them (e.g. RSA-1024, P-521).
/// Used by the renewal policy ("key type changed" → due). Never throws.
std::optional<KeyType> keyTypeOf(const EVP_PKEY& key);

/// A fresh key pair. Throws CryptoError (with the OpenSSL error queue) on failure.
EvpPkeyPtr generateKey(KeyType type);

/// PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), unencrypted. The caller writes it 0600 and must
/// never log it. Throws CryptoError.
std::string privateKeyToPem(const EVP_PKEY& key);

/// Reads one PEM private key (PKCS#8 or traditional RSA/EC). `what` names the input in errors
/// (e.g. "live/shop/privkey.pem"); the key text never appears in an error. Throws CryptoError.
EvpPkeyPtr privateKeyFromPem(const std::string& pem, const std::string& what);

/// True when the certificate's public key is `key`'s public half (EVP_PKEY_eq). Never throws.
bool keyMatches(const X509& cert, const EVP_PKEY& key);

} // namespace certagent::crypto
