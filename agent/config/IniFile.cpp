#include "config/IniFile.h"

#include "util/Error.h"

#include <Poco/String.h>
#include <Poco/Util/IniFileConfiguration.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent::config {

namespace {

constexpr std::size_t kMaxFileBytes = 256 * 1024;

std::string octal(unsigned mode) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
    return buf;
}

/// Removes a trailing "; comment" or "# comment" (only when it follows whitespace, so "a;b"
/// and "a#b" stay).
std::string stripInlineComment(const std::string& line) {
    for (std::size_t i = 1; i < line.size(); ++i) {
        if ((line[i] == ';' || line[i] == '#') && (line[i - 1] == ' ' || line[i - 1] == '\t'))
            return line.substr(0, i);
    }
    return line;
}

std::string readAll(const std::string& path, const std::string& display) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ConfigError(display + ": cannot read: " + errnoText(errno));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.size() > kMaxFileBytes)
        throw ConfigError(display + ": larger than 256 KiB");
    if (text.find('\0') != std::string::npos)
        throw ConfigError(display + ": contains a NUL byte");
    return text;
}

} // namespace

void checkFileSafety(const std::string& path, const std::string& display, unsigned maxMode) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        int err = errno;
        if (err == ENOENT)
            throw ConfigError(display + ": no such file");
        throw ConfigError(display + ": cannot stat: " + errnoText(err));
    }
    if (!S_ISREG(st.st_mode))
        throw ConfigError(display + ": not a regular file");
    unsigned mode = st.st_mode & 07777;
    if ((mode & ~maxMode & 0777) != 0) {
        if (maxMode == 0600)
            throw ConfigError(display + ": must be mode 0600 or stricter (is " + octal(mode) + ")");
        throw ConfigError(display + ": writable by group or others (mode " + octal(mode) + ")");
    }
    if (st.st_uid != 0 && st.st_uid != ::geteuid())
        throw ConfigError(display + ": owned by uid " + std::to_string(st.st_uid) +
                          ", not root or the running user");
}

IniFile::IniFile(const std::string& path, const std::string& display, unsigned maxMode)
    : m_display(display) {
    checkFileSafety(path, display, maxMode);
    std::istringstream lines(readAll(path, display));
    std::ostringstream cleaned;
    std::string line;
    std::string section;
    for (int number = 1; std::getline(lines, line); ++number) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        std::string text = Poco::trim(stripInlineComment(line));
        if (text.empty() || text[0] == ';' || text[0] == '#') {
            cleaned << '\n';
            continue;
        }
        if (text[0] == '[') {
            // Poco ends the name at the first ']': a name holding brackets would be read as
            // another section than the one checked here.
            if (text.back() != ']' || text.size() < 3 ||
                text.find_first_of("[]", 1) != text.size() - 1)
                throw ConfigError(display + ":" + std::to_string(number) +
                                  ": malformed section header");
            section = Poco::trim(text.substr(1, text.size() - 2));
            m_sections.push_back(section);
            cleaned << '[' << section << "]\n";
            continue;
        }
        auto eq = text.find('=');
        if (eq == std::string::npos)
            throw ConfigError(display + ":" + std::to_string(number) + ": expected key = value");
        std::string key = Poco::trim(text.substr(0, eq));
        if (key.empty())
            throw ConfigError(display + ":" + std::to_string(number) + ": empty key");
        std::string full = section.empty() ? key : section + "." + key;
        if (!m_lines.emplace(Poco::toLower(full), number).second)
            throw ConfigError(display + ":" + std::to_string(number) + ": duplicate key \"" + key +
                              "\"");
        m_entries.emplace_back(section, key);
        cleaned << key << " = " << Poco::trim(text.substr(eq + 1)) << '\n';
    }
    std::istringstream in(cleaned.str());
    m_ini = new Poco::Util::IniFileConfiguration(in);
}

IniFile::~IniFile() = default;
IniFile::IniFile(IniFile&&) noexcept = default;

std::optional<std::string> IniFile::get(const std::string& section, const std::string& key) const {
    std::string full = section.empty() ? key : section + "." + key;
    if (!m_ini->hasProperty(full))
        return std::nullopt;
    return m_ini->getRawString(full);
}

std::string IniFile::where(const std::string& section, const std::string& key) const {
    std::string full = section.empty() ? key : section + "." + key;
    auto it = m_lines.find(Poco::toLower(full));
    return it == m_lines.end() ? m_display : m_display + ":" + std::to_string(it->second);
}

void IniFile::fail(const std::string& section, const std::string& key,
                   const std::string& message) const {
    std::string label = section.empty() ? key : "[" + section + "] " + key;
    throw ConfigError(where(section, key) + ": " + label + ": " + message);
}

} // namespace certagent::config
