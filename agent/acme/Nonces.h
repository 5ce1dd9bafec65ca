#pragma once

#include "api/Transport.h"

#include <optional>
#include <string>
#include <vector>

namespace certagent::acme {

/// Anti-replay nonces (RFC 8555 §6.5) taken from every reply, success or error, and handed out
/// last-in first-out (the freshest first, like lego). Not thread-safe.
class NoncePool {
  public:
    /// Most nonces kept; older ones are dropped (a server sends one per reply).
    static constexpr std::size_t kMaxKept = 16;
    /// Longest nonce accepted (design-acme.md §3.10).
    static constexpr std::size_t kMaxLength = 256;

    /// Keeps the reply's Replay-Nonce when it is valid(); ignores it otherwise. Never throws.
    void take(const api::HttpResponse& reply);
    /// The most recent nonce, removed from the pool; nullopt when empty.
    std::optional<std::string> pop();
    std::size_t size() const { return m_nonces.size(); }

    /// 1..kMaxLength characters of the base64url alphabet, no padding.
    static bool valid(const std::string& nonce);

  private:
    std::vector<std::string> m_nonces;
};

} // namespace certagent::acme
