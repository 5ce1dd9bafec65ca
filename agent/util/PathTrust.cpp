#include "util/PathTrust.h"

#include "util/Error.h"
#include "util/FileIo.h"

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <optional>
#include <unistd.h>

namespace certagent {

namespace {

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

} // namespace certagent
