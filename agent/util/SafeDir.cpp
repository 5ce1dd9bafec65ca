#include "util/SafeDir.h"

#include "util/Error.h"
#include "util/PathTrust.h"

#include <cerrno>
#include <climits>
#include <deque>
#include <fcntl.h>
#include <sstream>
#include <unistd.h>
#include <vector>

namespace certagent {

namespace {

constexpr int kMaxLinks = 40; // as the kernel's own limit (ELOOP)

/// One directory reached on the way: an O_PATH descriptor, its status and its real path.
struct Step {
    UniqueFd fd;
    struct stat st {};
    std::string path;
};

std::deque<std::string> components(const std::string& path) {
    std::deque<std::string> out;
    std::istringstream parts(path);
    for (std::string part; std::getline(parts, part, '/');)
        if (!part.empty() && part != ".")
            out.push_back(part);
    return out;
}

std::string below(const std::string& dir, const std::string& name) {
    return dir == "/" ? "/" + name : dir + "/" + name;
}

/// Whether a symlink with status `link` in directory `dir` can only have been made by root or us.
bool linkTrusted(const struct stat& dir, const struct stat& link) {
    if (!trustedOwner(dir))
        return false;
    if (!(dir.st_mode & (S_IWGRP | S_IWOTH)))
        return true;
    return (dir.st_mode & S_ISVTX) && dir.st_uid == 0 && trustedOwner(link);
}

Step openRoot() {
    Step root;
    root.fd.reset(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root.fd.valid() || ::fstat(root.fd.get(), &root.st) != 0)
        throw IoError("opening /: " + errnoText(errno));
    root.path = "/";
    return root;
}

std::string readLinkAt(int dir, const std::string& name, const std::string& shown) {
    char buf[PATH_MAX];
    ssize_t n = ::readlinkat(dir, name.c_str(), buf, sizeof buf - 1);
    if (n < 0)
        throw IoError("reading symlink " + shown + ": " + errnoText(errno));
    return std::string(buf, static_cast<size_t>(n));
}

/// Every directory above the last one must belong to root, us or the last one's owner.
void checkOwners(const std::vector<Step>& steps, const std::string& what) {
    const uid_t owner = steps.back().st.st_uid;
    for (size_t i = 0; i + 1 < steps.size(); ++i) {
        const struct stat& st = steps[i].st;
        if (!trustedOwner(st) && st.st_uid != owner)
            throw RefusedError(what + ": " + steps[i].path + " is owned by uid " +
                               std::to_string(st.st_uid) + ", neither root nor the owner of " +
                               steps.back().path + " (uid " + std::to_string(owner) +
                               "); refusing to write below it");
    }
}

} // namespace

OpenedDir openDirNoForeignLinks(const std::string& path, const std::string& what) {
    if (path.empty() || path[0] != '/')
        throw IoError(what + ": not an absolute path");
    std::vector<Step> steps;
    steps.push_back(openRoot());
    std::deque<std::string> todo = components(path);
    int links = 0;
    while (!todo.empty()) {
        std::string name = todo.front();
        todo.pop_front();
        if (name == "..") {
            if (steps.size() > 1)
                steps.pop_back();
            continue;
        }
        const Step& dir = steps.back();
        const std::string shown = below(dir.path, name);
        Step next;
        next.fd.reset(::openat(dir.fd.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (!next.fd.valid() || ::fstat(next.fd.get(), &next.st) != 0)
            throw IoError(what + ": " + shown + ": " + errnoText(errno));
        if (S_ISLNK(next.st.st_mode)) {
            if (!linkTrusted(dir.st, next.st))
                throw RefusedError(what + ": " + shown + " is a symlink in " + dir.path +
                                   ", which others than root can change; not following it");
            if (++links > kMaxLinks)
                throw IoError(what + ": " + shown + ": " + errnoText(ELOOP));
            std::string target = readLinkAt(dir.fd.get(), name, shown);
            std::deque<std::string> rest = components(target);
            rest.insert(rest.end(), todo.begin(), todo.end());
            todo = std::move(rest);
            if (!target.empty() && target[0] == '/')
                steps.resize(1);
            continue;
        }
        if (!S_ISDIR(next.st.st_mode))
            throw IoError(what + ": " + shown + " is not a directory");
        next.path = shown;
        steps.push_back(std::move(next));
    }
    checkOwners(steps, what);
    OpenedDir out;
    out.fd.reset(::openat(steps.back().fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!out.fd.valid() || ::fstat(out.fd.get(), &out.st) != 0)
        throw IoError(what + ": " + steps.back().path + ": " + errnoText(errno));
    return out;
}

} // namespace certagent
