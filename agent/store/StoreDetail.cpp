#include "store/StoreDetail.h"

#include "util/Error.h"
#include "util/PathTrust.h"

#include <cerrno>
#include <dirent.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent::store::detail {

std::string printable(const std::string& text) {
    std::string out = text;
    for (char& c : out) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f) {
            c = '?';
        }
    }
    return out;
}

std::vector<std::string> listDir(const std::string& dir) {
    std::vector<std::string> out;
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d) {
        if (errno == ENOENT) {
            return out;
        }
        throw IoError("listing " + dir + ": " + errnoText(errno));
    }
    while (dirent* e = ::readdir(d.get())) {
        const std::string name = e->d_name;
        if (name != "." && name != "..") {
            out.push_back(name);
        }
    }
    return out;
}

void ensureRootDir(const std::string& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT) {
            throw IoError("checking " + dir + ": " + errnoText(errno));
        }
        for (size_t pos = 1; pos != std::string::npos;) {
            pos = dir.find('/', pos + 1);
            const std::string part = dir.substr(0, pos);
            if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) {
                throw IoError("creating directory " + part + ": " + errnoText(errno));
            }
        }
        if (::stat(dir.c_str(), &st) != 0) {
            throw IoError("checking " + dir + ": " + errnoText(errno));
        }
    }
    if (!S_ISDIR(st.st_mode)) {
        throw IoError("checking " + dir + ": not a directory");
    }
    if (st.st_uid != ::geteuid()) {
        throw IoError("checking " + dir + ": owned by uid " + std::to_string(st.st_uid) +
                      ", expected " + std::to_string(::geteuid()));
    }
    refuseOpenToOthers(dir, st);
    // A directory on the way that others can change could swap the store for one of theirs.
    const std::string problem = entriesDirProblem(dir);
    if (!problem.empty()) {
        throw IoError("store directory " + dir + ": " + problem);
    }
}

void refuseOpenToOthers(const std::string& dir, const struct stat& st) {
    // Never "repaired" and used: whatever another user planted meanwhile (a backup/ link, a
    // state file) would then be trusted. The admin looks first.
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        throw IoError("store directory " + dir +
                      " is writable by group or others, so anything in it may have been planted; "
                      "check what is in it, then: chmod go-w " +
                      dir);
    }
}

} // namespace certagent::store::detail
