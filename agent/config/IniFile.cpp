#include "config/IniFile.h"

#include "util/Error.h"
#include "util/FileIo.h"
#include "util/Secret.h"
#include "util/Text.h"

#include <Poco/String.h>

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

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

UniqueFd openFile(const std::string& path, const std::string& display, IniFile::Links links) {
    int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK; // O_NONBLOCK: a planted FIFO must not hang us
    if (links == IniFile::Links::Refuse)
        flags |= O_NOFOLLOW;
    UniqueFd fd(::open(path.c_str(), flags));
    if (fd.valid())
        return fd;
    int err = errno;
    if (err == ENOENT)
        throw ConfigError(display + ": no such file");
    if (err == ELOOP && links == IniFile::Links::Refuse)
        throw ConfigError(display + ": is a symbolic link, which certagent does not follow here "
                                    "(put the file itself in its place)");
    throw ConfigError(display + ": cannot read: " + errnoText(err));
}

/// The file checks, made on the descriptor that is read (no race with a rename in between).
/// Returns the file's stamp.
FileStamp checkSafety(int fd, const std::string& display, unsigned maxMode) {
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        throw ConfigError(display + ": cannot stat: " + errnoText(errno));
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
    return stampOf(st);
}

std::string readAll(int fd, const std::string& display) {
    std::string text;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw ConfigError(display + ": cannot read: " + errnoText(errno));
        if (n == 0)
            break;
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > kMaxFileBytes) {
            wipe(text);
            throw ConfigError(display + ": larger than 256 KiB");
        }
    }
    if (text.find('\0') != std::string::npos) {
        wipe(text);
        throw ConfigError(display + ": contains a NUL byte");
    }
    return text;
}

} // namespace

std::string keyLabel(const std::string& section, const std::string& key) {
    std::string k = escapeForLog(key, 80);
    return section.empty() ? k : "[" + escapeForLog(section, 80) + "] " + k;
}

IniFile::IniFile(const std::string& path, const std::string& display, unsigned maxMode, Links links)
    : m_display(escapeForLog(display)) {
    UniqueFd fd = openFile(path, m_display, links);
    m_stamp = checkSafety(fd.get(), m_display, maxMode);
    std::string text = readAll(fd.get(), m_display);
    try {
        parse(text);
    } catch (...) {
        wipe(text);
        throw;
    }
    wipe(text);
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
