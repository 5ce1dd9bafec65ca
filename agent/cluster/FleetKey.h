#pragma once

#include "util/Secret.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace certagent::cluster {

constexpr std::size_t kFleetKeyBytes = 32;
constexpr std::size_t kKeyIdBytes = 8;

/// The fleet key ([cluster] fleet_key): 32 random bytes shared by every host, held in a wiped
/// Secret. Not copyable. Its id is SHA-256(key)[0..8], so a blob names the key that sealed it
/// without revealing anything about it. No text this class produces contains key bytes.
class FleetKey {
  public:
    /// Parses the base64 text of exactly 32 bytes (surrounding whitespace ignored). Throws
    /// ConfigError "<what>: not the base64 text of 32 bytes" (never quoting the text).
    static FleetKey fromBase64(std::string_view text, const std::string& what);
    /// Reads a key file like credentials.conf: a regular file (no symlink), mode 0600 or
    /// stricter, owned by root or the running user, at most 4 KiB, holding fromBase64 text.
    /// Throws ConfigError "<display>: <reason>".
    static FleetKey load(const std::string& path, const std::string& display);
    /// A new key as the text `certagent cluster keygen` prints: base64 of 32 bytes from
    /// RAND_bytes, then "\n". Throws CryptoError when the generator fails.
    static Secret generateText();

    FleetKey(FleetKey&&) noexcept = default;
    FleetKey& operator=(FleetKey&&) noexcept = default;
    FleetKey(const FleetKey&) = delete;
    FleetKey& operator=(const FleetKey&) = delete;

    /// The 8-byte key id (raw bytes).
    const std::string& id() const { return m_id; }
    /// The key id as 16 lower-case hex digits, for messages.
    std::string idHex() const;
    /// The 32 key bytes (for the envelope only).
    const unsigned char* bytes() const;

  private:
    explicit FleetKey(Secret raw);

    Secret m_key;
    std::string m_id;
};

/// The keys a host opens blobs with: `current` seals and opens, `old` ([cluster]
/// fleet_key_old, during a rotation) only opens.
struct FleetKeyRing {
    FleetKey current;
    std::optional<FleetKey> old;
};

} // namespace certagent::cluster
