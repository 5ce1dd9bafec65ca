#include "util/TrustedFile.h"

#include "util/Error.h"
#include "util/FileIo.h"
#include "util/FileStamp.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent {

namespace {

std::string octal(unsigned mode) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
    return buf;
}

UniqueFd openFile(const std::string& path, const std::string& display, bool followLinks) {
    // O_NONBLOCK: a FIFO planted in the file's place must not hang the run (fstat refuses it).
    int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    if (!followLinks)
        flags |= O_NOFOLLOW;
    UniqueFd fd(::open(path.c_str(), flags));
    if (fd.valid())
        return fd;
    int err = errno;
    if (err == ENOENT)
        throw ConfigError(display + ": no such file");
    if (err == ELOOP && !followLinks)
        throw ConfigError(display + ": is a symbolic link, which certagent does not follow here "
                                    "(put the file itself in its place)");
    throw ConfigError(display + ": cannot read: " + errnoText(err));
}

struct stat checkSafety(int fd, const std::string& display, unsigned maxMode) {
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
    return st;
}

/// Reads at most maxBytes + 1 into a buffer that is wiped on every way out. The buffer starts at
/// the size fstat gave (plus one byte to see the end), not at maxBytes: zeroing and wiping a
/// 256 KiB buffer per file was a measurable part of an idle run (issue 13). A file that grew since
/// the fstat gets a bigger buffer (the old one wiped).
std::string readCapped(int fd, const std::string& display, std::size_t maxBytes,
                       std::size_t sizeHint) {
    std::string text(std::min(maxBytes, sizeHint) + 1, '\0');
    std::size_t used = 0;
    for (;;) {
        if (used == text.size()) {
            if (text.size() > maxBytes)
                break;
            std::string bigger(std::min(maxBytes + 1, text.size() * 2), '\0');
            bigger.replace(0, used, text, 0, used);
            wipe(text);
            text.swap(bigger);
        }
        ssize_t n = ::read(fd, &text[used], text.size() - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            wipe(text);
            throw ConfigError(display + ": cannot read: " + errnoText(err));
        }
        if (n == 0)
            break;
        used += static_cast<std::size_t>(n);
    }
    if (used > maxBytes) {
        wipe(text);
        throw ConfigError(display + ": larger than " + std::to_string(maxBytes / 1024) + " KiB");
    }
    text.resize(used); // shrinking keeps the buffer, so wipe() still covers every byte
    if (text.find('\0') != std::string::npos) {
        wipe(text);
        throw ConfigError(display + ": contains a NUL byte");
    }
    return text;
}

} // namespace

Secret readTrustedFile(const std::string& path, const std::string& display,
                       const TrustedFileRules& rules, FileStamp* stamp) {
    UniqueFd fd = openFile(path, display, rules.followLinks);
    const struct stat st = checkSafety(fd.get(), display, rules.maxMode);
    if (stamp)
        *stamp = stampOf(st);
    return Secret(readCapped(fd.get(), display, rules.maxBytes,
                             st.st_size > 0 ? static_cast<std::size_t>(st.st_size) : 0));
}

} // namespace certagent
