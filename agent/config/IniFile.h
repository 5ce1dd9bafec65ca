#pragma once

#include <Poco/AutoPtr.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace Poco::Util {
class IniFileConfiguration;
}

namespace certagent::config {

/// One INI file read through Poco::Util::IniFileConfiguration, with what Poco does not do:
/// `;`/`#` comment lines and ` ; inline` / ` # inline` comments, line numbers for messages,
/// duplicate keys and lines without `=` refused, and the file-mode check (not writable by group or
/// others).
class IniFile {
  public:
    /// Reads `path`; `display` names it in messages (e.g. "certs.d/shop.conf"). `maxMode` are the
    /// permission bits allowed (0644 → no group/other write; 0600 → owner only). Throws
    /// ConfigError: missing/unreadable file, unsafe mode or owner, malformed line, duplicate key.
    IniFile(const std::string& path, const std::string& display, unsigned maxMode = 0755);
    ~IniFile();
    IniFile(IniFile&&) noexcept;

    /// Raw value (no ${} expansion) of `key` in `section` ("" = before any section header).
    std::optional<std::string> get(const std::string& section, const std::string& key) const;
    /// Every (section, key) present, in file order.
    const std::vector<std::pair<std::string, std::string>>& entries() const { return m_entries; }
    /// Every section header present (also empty sections), in file order.
    const std::vector<std::string>& sections() const { return m_sections; }

    /// "display:LINE" of a key ("display" if unknown).
    std::string where(const std::string& section, const std::string& key) const;
    /// Throws ConfigError "display:LINE: [section] key: message" ("display:LINE: key: message"
    /// for keys outside a section).
    [[noreturn]] void fail(const std::string& section, const std::string& key,
                           const std::string& message) const;
    const std::string& display() const { return m_display; }

  private:
    std::string m_display;
    Poco::AutoPtr<Poco::Util::IniFileConfiguration> m_ini;
    std::vector<std::pair<std::string, std::string>> m_entries;
    std::vector<std::string> m_sections;
    std::map<std::string, int> m_lines; ///< "section.key" → line number
};

/// Throws ConfigError "display: writable by group or others (mode 0664)" (or "must be mode 0600
/// or stricter" when `maxMode` is 0600), or "owned by uid N" unless owned by root or the
/// effective uid. `st` follows symlinks. Used for config, credentials and certs.d.
void checkFileSafety(const std::string& path, const std::string& display, unsigned maxMode);

struct Config;
struct CertConfig;
/// Reads one certs.d file into a CertConfig merged with `config`'s defaults (CertFile.cpp).
/// Throws ConfigError naming `display` and the key.
CertConfig readCertFile(const std::string& path, const std::string& display,
                        const std::string& name, const Config& config);

} // namespace certagent::config
