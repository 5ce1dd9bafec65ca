#pragma once

#include <string>
#include <string_view>

namespace certagent {

/// Overwrites the whole buffer of `s` (up to its capacity) with zeros and empties it.
void wipe(std::string& s) noexcept;

/// Holds a secret (API password, auth key). Not copyable; moving wipes the source; the buffer is
/// cleansed with OPENSSL_cleanse on destruction. Never print reveal() anywhere.
class Secret {
  public:
    Secret() = default;
    /// Takes the value and wipes the caller's string.
    explicit Secret(std::string&& value);
    explicit Secret(std::string_view value);
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;
    Secret(Secret&& other) noexcept;
    Secret& operator=(Secret&& other) noexcept;
    ~Secret();

    const std::string& reveal() const { return m_value; }
    bool empty() const { return m_value.empty(); }
    void clear() noexcept { wipe(m_value); }

  private:
    std::string m_value;
};

} // namespace certagent
