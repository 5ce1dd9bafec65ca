#include "util/FileBackup.h"

#include "util/Error.h"
#include "util/FileIo.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent {

namespace {

constexpr size_t kMaxConfigBytes = 4 * 1024 * 1024;

[[noreturn]] void ioFail(const std::string& what, const std::string& path, int err) {
    throw IoError(what + " " + path + ": " + errnoText(err));
}

std::string utcStamp() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    return stamp;
}

/// Opens (creating with `mode` when missing) directory `name` below the open directory `parent`.
UniqueFd openOwnDir(int parent, const std::string& name, mode_t mode, const std::string& shown) {
    if (::mkdirat(parent, name.c_str(), mode) == 0) {
        ::fsync(parent);
    } else if (errno != EEXIST) {
        ioFail("creating", shown, errno);
    }
    UniqueFd fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid())
        ioFail("opening", shown + " (a symlink or not a directory?)", errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        ioFail("checking", shown, errno);
    if (st.st_uid != ::geteuid())
        throw IoError(shown + ": owned by uid " + std::to_string(st.st_uid) + ", not by us");
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        throw IoError(shown + ": writable by group or others");
    return fd;
}

/// A fresh <dir>/<stamp>[-N] (0700); returns its name.
std::string makeStampDir(const std::string& dir) {
    std::string stamp = utcStamp();
    for (int n = 1; n < 1000; ++n) {
        std::string path = dir + "/" + stamp + (n > 1 ? "-" + std::to_string(n) : "");
        if (::mkdir(path.c_str(), 0700) == 0)
            return path;
        if (errno != EEXIST)
            ioFail("creating", path, errno);
    }
    throw IoError("creating a backup directory below " + dir + ": too many in one second");
}

Poco::JSON::Object::Ptr manifestEntry(const FileSnapshot& f, const std::string& copy) {
    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
    entry->set("path", f.path);
    entry->set("real_path", f.realPath);
    entry->set("backup", copy);
    entry->set("mode", static_cast<int>(f.mode));
    entry->set("uid", static_cast<int>(f.uid));
    entry->set("gid", static_cast<int>(f.gid));
    entry->set("size", static_cast<Poco::UInt64>(f.content.size()));
    return entry;
}

} // namespace

FileSnapshot snapshotFile(const std::string& path) {
    FileSnapshot snap;
    snap.path = path;
    char resolved[PATH_MAX];
    if (!::realpath(path.c_str(), resolved))
        ioFail("resolving", path, errno);
    snap.realPath = resolved;
    auto content = readFileCapped(snap.realPath, kMaxConfigBytes);
    if (!content)
        ioFail("reading", snap.realPath, ENOENT);
    struct stat st {};
    if (::lstat(snap.realPath.c_str(), &st) != 0)
        ioFail("checking", snap.realPath, errno);
    snap.content = std::move(*content);
    snap.mode = st.st_mode & 07777;
    snap.uid = st.st_uid;
    snap.gid = st.st_gid;
    return snap;
}

void replaceFile(const FileSnapshot& like, const std::string& content) {
    AtomicFile::Options options;
    options.hiddenTemp = true;
    options.owner = std::make_pair(like.uid, like.gid);
    AtomicFile file(like.realPath, like.mode, options);
    file.write(content);
    file.commit();
}

std::string ensureDirBelow(const std::string& base, const std::string& relative, mode_t mode) {
    UniqueFd dir(::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid())
        ioFail("opening", base, errno);
    std::string path = base;
    std::istringstream parts(relative);
    for (std::string part; std::getline(parts, part, '/');) {
        if (part.empty() || part == ".")
            continue;
        if (part == "..")
            throw IoError(base + "/" + relative + ": \"..\" is not allowed");
        path += "/" + part;
        dir = openOwnDir(dir.get(), part, mode, path);
    }
    return path;
}

std::string writeBackup(const std::string& storeDir, const std::string& label,
                        const std::vector<FileSnapshot>& files) {
    std::string dir = makeStampDir(ensureDirBelow(storeDir, "backup/" + label));
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const FileSnapshot& f : files) {
        std::string copy = dir + f.realPath;
        ensureDirBelow(dir, parentDir(f.realPath));
        FileSnapshot target = f;
        target.realPath = copy;
        replaceFile(target, f.content);
        list->add(manifestEntry(f, copy));
    }
    Poco::JSON::Object manifest;
    manifest.set("plugin", label);
    manifest.set("created", utcStamp());
    manifest.set("files", list);
    std::ostringstream json;
    manifest.stringify(json, 2);
    writeFileAtomic(dir + "/manifest.json", json.str() + "\n", 0600);
    return dir;
}

} // namespace certagent
