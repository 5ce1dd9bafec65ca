#pragma once

// Envelope v1: how key material and other private data travel through etcd.
//   0x01 ‖ keyId (8 = SHA-256(fleet key)[0..8]) ‖ nonce (12, RAND_bytes) ‖ ciphertext ‖ tag (16)
// AES-256-GCM, with "certagent/v1|<cluster>|<etcd key path>" as AAD, so a blob cannot be
// replayed under another cluster, name or version.

#include "cluster/FleetKey.h"
#include "util/Error.h"
#include "util/Secret.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace certagent::cluster {

constexpr unsigned char kEnvelopeVersion = 0x01;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr std::size_t kEnvelopeOverhead = 1 + kKeyIdBytes + kNonceBytes + kTagBytes;
constexpr std::size_t kMaxSealedBytes = 1024 * 1024; ///< etcd's request limit is 1.5 MiB

/// Why a sealed blob was refused.
enum class EnvelopeFailure {
    Truncated,      ///< shorter than the envelope's fixed parts
    TooLarge,       ///< over kMaxSealedBytes
    UnknownVersion, ///< first byte is not 0x01
    UnknownKey,     ///< key id is neither fleet_key's nor fleet_key_old's
    Authentication, ///< GCM tag mismatch: wrong key, another key path, or altered bytes
};

/// A sealed blob that cannot be opened (exit 4). The message is one line naming the blob's
/// place and the reason, never key bytes: "sealed data at <where>: <reason>".
class EnvelopeError : public CryptoError {
  public:
    EnvelopeError(EnvelopeFailure failure, const std::string& what)
        : CryptoError(what), m_failure(failure) {}
    EnvelopeFailure failure() const { return m_failure; }

  private:
    EnvelopeFailure m_failure;
};

/// The AAD of a blob stored at `keyPath`: "certagent/v1|<cluster>|<keyPath>".
std::string envelopeAad(const std::string& cluster, const std::string& keyPath);

/// Seals `plaintext` (at most kMaxSealedBytes - kEnvelopeOverhead) under `key` with a fresh
/// random nonce. Throws CryptoError when OpenSSL fails or the plaintext is too large.
std::string sealEnvelope(const FleetKey& key, std::string_view plaintext, std::string_view aad);

/// The key id a blob names ("" when it is no v1 envelope: too short or another version byte).
/// Says which key sealed it without opening it (rekey, re-sealing on read).
std::string_view envelopeKeyId(std::string_view blob);

/// Opens a blob sealed by sealEnvelope under keys.current or keys.old (chosen by key id).
/// `where` names the blob in errors (its etcd key path). Throws EnvelopeError.
Secret openEnvelope(const FleetKeyRing& keys, std::string_view blob, std::string_view aad,
                    const std::string& where);

} // namespace certagent::cluster
