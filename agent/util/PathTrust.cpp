#include "util/PathTrust.h"

#include "util/Error.h"
#include "util/FileIo.h"
#include "util/FileStamp.h"
#include "util/Secret.h"

#include <openssl/crypto.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <unistd.h>

namespace certagent {

namespace {

std::string octal(unsigned mode) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
    return buf;
}

UniqueFd openTrusted(const std::string& path, const std::string& display, bool followLink) {
    int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK; // O_NONBLOCK: a planted FIFO must not hang us
    if (!followLink)
        flags |= O_NOFOLLOW;
    UniqueFd fd(::open(path.c_str(), flags));
    if (fd.valid())
        return fd;
    int err = errno;
    if (err == ENOENT)
        throw ConfigError(display + ": no such file");
    if (err == ELOOP && !followLink)
        throw ConfigError(display + ": is a symbolic link, which certagent does not follow here "
                                    "(put the file itself in its place)");
    throw ConfigError(display + ": cannot read: " + errnoText(err));
}

/// The file checks, made on the descriptor that is read (no race with a rename in between).
struct stat checkTrusted(int fd, const std::string& display, unsigned maxMode) {
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        throw ConfigError(display + ": cannot stat: " + errnoText(errno));
    if (!S_ISREG(st.st_mode))
        throw ConfigError(display + ": not a regular file");
    unsigned mode = st.st_mode & 07777;
    if ((mode & ~maxMode & 0777) != 0) {
        if ((maxMode & 077) == 0)
            throw ConfigError(display + ": must be mode 0600 or stricter (is " + octal(mode) + ")");
        throw ConfigError(display + ": writable by group or others (mode " + octal(mode) + ")");
    }
    if (!trustedOwner(st))
        throw ConfigError(display + ": owned by uid " + std::to_string(st.st_uid) +
                          ", not root or the running user");
    return st;
}

/// A directory that failed a check, with what is needed to say how to fix it.
struct BadDir {
    std::string path;
    std::string problem; ///< dirProblem's text, or the errno text when it could not be examined
    struct stat st {};
    bool statFailed = false;

    std::string text() const { return path + (statFailed ? ": " : " ") + problem; }
    /// text() and, where one command fixes it, "(fix: COMMAND)".
    std::string withFix() const {
        if (statFailed || !S_ISDIR(st.st_mode))
            return text();
        if (!trustedOwner(st))
            return text() + " (fix: chown root " + path + ")";
        return text() + " (fix: chmod go-w " + path + ")";
    }
};

std::optional<BadDir> firstBadAncestor(const std::string& path) {
    std::size_t pos = 0;
    while ((pos = path.find('/', pos + 1)) != std::string::npos) {
        std::string dir = path.substr(0, pos);
        struct stat st {};
        if (::lstat(dir.c_str(), &st) != 0)
            return BadDir{dir, errnoText(errno), st, true};
        if (S_ISLNK(st.st_mode))
            continue; // its target is checked through the resolved path
        std::string problem = dirProblem(st, DirUse::Ancestor);
        if (!problem.empty())
            return BadDir{dir, problem, st, false};
    }
    struct stat root {};
    if (::stat("/", &root) == 0 && !dirProblem(root, DirUse::Ancestor).empty())
        return BadDir{"/", dirProblem(root, DirUse::Ancestor), root, false};
    return std::nullopt;
}

std::string resolvedPath(const std::string& path, std::string& error) {
    std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
    if (!real) {
        error = path + ": " + errnoText(errno);
        return {};
    }
    return real.get();
}

} // namespace

bool trustedOwner(const struct stat& st) {
    return st.st_uid == 0 || st.st_uid == ::geteuid();
}

std::string dirProblem(const struct stat& st, DirUse use) {
    if (!S_ISDIR(st.st_mode))
        return "is not a directory";
    if (!trustedOwner(st))
        return "is owned by uid " + std::to_string(st.st_uid) + " (not root or us)";
    if (!(st.st_mode & (S_IWGRP | S_IWOTH)))
        return {};
    bool sticky = (st.st_mode & S_ISVTX) != 0;
    if (use == DirUse::Ancestor && sticky && st.st_uid == 0)
        return {};
    if (sticky)
        return "is group- or world-writable (sticky is enough only for a directory above, like "
               "/tmp: anyone could add an entry here)";
    return "is group- or world-writable";
}

std::string ancestorsProblem(const std::string& path) {
    auto bad = firstBadAncestor(path);
    return bad ? bad->text() : std::string();
}

std::string entriesDirProblem(const std::string& dir) {
    if (auto bad = firstBadAncestor(dir))
        return bad->withFix();
    std::string error;
    std::string resolved = resolvedPath(dir, error);
    if (resolved.empty())
        return error;
    if (resolved != dir)
        if (auto bad = firstBadAncestor(resolved))
            return bad->withFix();
    struct stat st {};
    if (::stat(resolved.c_str(), &st) != 0)
        return resolved + ": " + errnoText(errno);
    std::string problem = dirProblem(st, DirUse::Entries);
    if (problem.empty())
        return {};
    return BadDir{resolved, problem, st, false}.withFix();
}

std::string readTrustedFile(const std::string& path, const std::string& display, unsigned maxMode,
                            bool followLink, std::size_t maxBytes, FileStamp* stamp) {
    UniqueFd fd = openTrusted(path, display, followLink);
    const struct stat st = checkTrusted(fd.get(), display, maxMode);
    if (stamp)
        *stamp = stampOf(st);
    std::string text;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw ConfigError(display + ": cannot read: " + errnoText(errno));
        if (n == 0)
            break;
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > maxBytes) {
            wipe(text);
            throw ConfigError(display + ": larger than " + std::to_string(maxBytes / 1024) +
                              " KiB");
        }
    }
    OPENSSL_cleanse(buf, sizeof buf);
    if (text.find('\0') != std::string::npos) {
        wipe(text);
        throw ConfigError(display + ": contains a NUL byte");
    }
    return text;
}

} // namespace certagent
