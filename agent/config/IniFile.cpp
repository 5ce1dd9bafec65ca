#include "config/IniFile.h"

#include "util/Error.h"
#include "util/Secret.h"
#include "util/Text.h"
#include "util/TrustedFile.h"

#include <Poco/String.h>

#include <set>
#include <sstream>
#include <utility>

namespace certagent::config {

namespace {

constexpr std::size_t kMaxFileBytes = 256 * 1024;

/// Removes a trailing "; comment" or "# comment" (only when it follows whitespace, so "a;b"
/// and "a#b" stay).
std::string stripInlineComment(const std::string& line) {
    for (std::size_t i = 1; i < line.size(); ++i) {
        if ((line[i] == ';' || line[i] == '#') && (line[i - 1] == ' ' || line[i - 1] == '\t'))
            return line.substr(0, i);
    }
    return line;
}

} // namespace

std::string keyLabel(const std::string& section, const std::string& key) {
    std::string k = escapeForLog(key, 80);
    return section.empty() ? k : "[" + escapeForLog(section, 80) + "] " + k;
}

IniFile::IniFile(const std::string& path, const std::string& display, unsigned maxMode, Links links)
    : m_display(escapeForLog(display)) {
    Secret text =
        readTrustedFile(path, m_display,
                        TrustedFileRules{maxMode, links == Links::Follow, kMaxFileBytes}, &m_stamp);
    parse(text.reveal());
}

IniFile::~IniFile() {
    for (auto& entry : m_entries)
        wipe(entry.value);
}

void IniFile::parse(const std::string& text) {
    std::istringstream lines(text);
    std::set<std::pair<std::string, std::string>> seen; // lower-cased (section, key)
    std::string line;
    std::string section;
    for (int number = 1; std::getline(lines, line); ++number) {
        std::string at = m_display + ":" + std::to_string(number);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        std::string content = Poco::trim(stripInlineComment(line));
        if (content.empty() || content[0] == ';' || content[0] == '#')
            continue;
        if (content[0] == '[') {
            if (content.back() != ']' || content.size() < 3)
                throw ConfigError(at + ": malformed section header");
            section = Poco::trim(content.substr(1, content.size() - 2));
            m_sections.push_back(section);
            continue;
        }
        auto eq = content.find('=');
        if (eq == std::string::npos)
            throw ConfigError(at + ": expected key = value");
        std::string key = Poco::trim(content.substr(0, eq));
        if (key.empty())
            throw ConfigError(at + ": empty key");
        if (!seen.emplace(Poco::toLower(section), Poco::toLower(key)).second)
            throw ConfigError(at + ": duplicate key \"" + escapeForLog(key, 80) + "\"");
        m_index.emplace(std::make_pair(section, key), m_entries.size());
        m_entries.push_back({section, key, Poco::trim(content.substr(eq + 1)), number});
    }
}

const IniEntry* IniFile::find(const std::string& section, const std::string& key) const {
    auto it = m_index.find(std::make_pair(section, key));
    return it == m_index.end() ? nullptr : &m_entries[it->second];
}

std::string IniFile::where(const std::string& section, const std::string& key) const {
    const IniEntry* entry = find(section, key);
    return entry ? m_display + ":" + std::to_string(entry->line) : m_display;
}

void IniFile::fail(const std::string& section, const std::string& key,
                   const std::string& message) const {
    throw ConfigError(where(section, key) + ": " + keyLabel(section, key) + ": " + message);
}

} // namespace certagent::config
