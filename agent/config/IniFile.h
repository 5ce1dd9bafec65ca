#pragma once

#include "util/FileStamp.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace certagent::config {

/// One `key = value` line of an INI file.
struct IniEntry {
    std::string section; ///< "" before any section header
    std::string key;
    std::string value; ///< trimmed, inline comment removed, no ${} expansion
    int line = 0;
};

/// One INI file read by its own line pass (Poco's INI reader has no line numbers, no duplicate
/// check and no inline comments): `;`/`#` comment lines and ` ; inline` / ` # inline` comments,
/// line numbers for messages, duplicate keys (case-insensitive) and lines without `=` refused,
/// and the file checks (regular file, mode, owner) made on the open descriptor. Every value is
/// wiped from memory when the IniFile goes (the credentials file is one).
class IniFile {
  public:
    /// Whether the last component of the path may be a symlink.
    enum class Links { Follow, Refuse };

    /// Reads `path`; `display` names it in messages (e.g. "certs.d/shop.conf"; escaped here).
    /// `maxMode` are the permission bits allowed (0644 → no group/other write; 0600 → owner only).
    /// Throws ConfigError: missing/unreadable file, a symlink when `links` is Refuse, not a
    /// regular file, unsafe mode or owner, too large, NUL byte, malformed line, duplicate key.
    IniFile(const std::string& path, const std::string& display, unsigned maxMode = 0755,
            Links links = Links::Follow);
    ~IniFile();
    IniFile(const IniFile&) = delete;
    IniFile& operator=(const IniFile&) = delete;

    /// The entry of `key` in `section` (exact spelling), or nullptr.
    const IniEntry* find(const std::string& section, const std::string& key) const;
    /// Every entry, in file order.
    const std::vector<IniEntry>& entries() const { return m_entries; }
    /// Every section header present (also empty sections), in file order.
    const std::vector<std::string>& sections() const { return m_sections; }

    /// "display:LINE" of a key ("display" if it is not in the file).
    std::string where(const std::string& section, const std::string& key) const;
    /// Throws ConfigError "display:LINE: [section] key: message" ("display:LINE: key: message"
    /// for keys outside a section); section and key are escaped, `message` is used as given.
    [[noreturn]] void fail(const std::string& section, const std::string& key,
                           const std::string& message) const;
    /// The display name, escaped for messages.
    const std::string& display() const { return m_display; }
    /// The file's stamp, taken on the open descriptor before it was read (a later write always
    /// shows as a different stamp).
    const FileStamp& stamp() const { return m_stamp; }

  private:
    void parse(const std::string& text);

    std::string m_display;
    FileStamp m_stamp;
    std::vector<IniEntry> m_entries;
    std::vector<std::string> m_sections;
    std::map<std::pair<std::string, std::string>, std::size_t> m_index; ///< (section, key) → entry
};

/// "[section] key" or "key" (outside a section), escaped for a message.
std::string keyLabel(const std::string& section, const std::string& key);

} // namespace certagent::config
