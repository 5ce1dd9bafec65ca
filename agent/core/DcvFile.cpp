#include "core/DcvFile.h"

#include "util/Error.h"
#include "util/FileIo.h"
#include "util/SafeDir.h"
#include "util/Text.h"

#include <Poco/String.h>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <regex>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent::core {

namespace {

/// Opens (creating if missing) directory `name` below `parent` without following a symlink,
/// and checks its owner.
UniqueFd openSubdir(int parent, const char* name, uid_t webrootOwner, const std::string& display) {
    if (::mkdirat(parent, name, 0755) == 0) {
        UniqueFd fd(::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!fd.valid())
            throw IoError(display + ": " + errnoText(errno));
        ::fchmod(fd.get(), 0755);
        return fd;
    }
    if (errno != EEXIST) {
        throw IoError(display + ": cannot create: " + errnoText(errno));
    }
    UniqueFd fd(::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) {
        int err = errno;
        if (err == ELOOP || err == ENOTDIR)
            throw RefusedError(display + ": is a symlink or not a directory; refusing to follow");
        throw IoError(display + ": " + errnoText(err));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        throw IoError(display + ": " + errnoText(errno));
    if (st.st_uid != 0 && st.st_uid != webrootOwner)
        throw RefusedError(display + ": owned by uid " + std::to_string(st.st_uid) +
                           ", not root or the web root's owner");
    return fd;
}

bool sameContent(int dir, const std::string& name, const std::string& content) {
    UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid())
        return false;
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size != static_cast<off_t>(content.size()))
        return false;
    std::string buf(content.size(), '\0');
    return ::read(fd.get(), buf.data(), buf.size()) == static_cast<ssize_t>(buf.size()) &&
           buf == content;
}

} // namespace

OpenedDir openWebroot(const std::string& webroot) {
    return openDirNoForeignLinks(webroot, "web root " + webroot);
}

const char* wellKnownName(WellKnownDir dir) {
    return dir == WellKnownDir::AcmeChallenge ? "acme-challenge" : "pki-validation";
}

bool validDcvFileName(WellKnownDir dir, const std::string& name) {
    static const std::regex pki("[A-Za-z0-9_-]{1,64}\\.txt");
    static const std::regex token("[A-Za-z0-9_-]{16,128}");
    return std::regex_match(name, dir == WellKnownDir::AcmeChallenge ? token : pki);
}

PlacedFile placeDcvFile(const std::string& webroot, const DcvFile& file) {
    if (!validDcvFileName(file.dir, file.fileName))
        throw RefusedError("dcv filename: not a plain validation file name");
    OpenedDir root = openWebroot(webroot);
    std::string wk = webroot + "/.well-known";
    auto wellKnown = openSubdir(root.fd.get(), ".well-known", root.st.st_uid, wk);
    const char* sub = wellKnownName(file.dir);
    auto pki = openSubdir(wellKnown.get(), sub, root.st.st_uid, wk + "/" + sub);
    PlacedFile placed;
    placed.path = wk + "/" + sub + "/" + file.fileName;
    UniqueFd fd(::openat(pki.get(), file.fileName.c_str(),
                         O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd.valid()) {
        int err = errno;
        if (err == EEXIST && sameContent(pki.get(), file.fileName, file.content))
            return placed;
        if (err == EEXIST)
            throw RefusedError(placed.path + ": exists with other content (or is a symlink)");
        throw IoError(placed.path + ": cannot create: " + errnoText(err));
    }
    placed.created = true;
    try {
        if (::fchmod(fd.get(), 0644) != 0)
            throw IoError(placed.path + ": chmod: " + errnoText(errno));
        writeAll(fd.get(), file.content, placed.path);
        fsyncFd(fd.get(), placed.path);
    } catch (...) {
        ::unlinkat(pki.get(), file.fileName.c_str(), 0);
        throw;
    }
    return placed;
}

bool removeDcvFile(const std::string& path) noexcept {
    for (WellKnownDir dir : {WellKnownDir::PkiValidation, WellKnownDir::AcmeChallenge}) {
        std::string prefix = std::string("/.well-known/") + wellKnownName(dir) + "/";
        auto pos = path.rfind(prefix);
        if (pos == std::string::npos)
            continue;
        std::string name = path.substr(pos + prefix.size());
        if (!validDcvFileName(dir, name))
            return false;
        OpenedDir root;
        try {
            root = openWebroot(path.substr(0, pos));
        } catch (const Error&) {
            return false; // gone, or swapped for a link: nothing of ours to remove there
        }
        UniqueFd wk(::openat(root.fd.get(), ".well-known",
                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!wk.valid())
            return errno == ENOENT;
        UniqueFd sub(::openat(wk.get(), wellKnownName(dir),
                              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!sub.valid())
            return errno == ENOENT;
        return ::unlinkat(sub.get(), name.c_str(), 0) == 0 || errno == ENOENT;
    }
    return false;
}

} // namespace certagent::core
