#include "util/FileIo.h"

#include "util/Error.h"
#include "util/FaultPoint.h"

#include <cerrno>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace certagent {

namespace {

[[noreturn]] void throwIo(const std::string& step, const std::string& path, int err) {
    throw IoError(step + " " + path + ": " + errnoText(err));
}

/// Throws an injected fault as the IoError the real failure would produce.
void checkFault(const char* name, const std::string& step, const std::string& path) {
    if (name == nullptr) {
        return;
    }
    if (int err = faultPoint(name)) {
        throwIo(step, path, err);
    }
}

/// Removes entry `name` in directory `parentFd`, recursing into directories without ever
/// following a symlink. Returns false if anything was left behind.
bool removeAt(int parentFd, const std::string& name) {
    struct stat st {};
    if (::fstatat(parentFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return errno == ENOENT;
    }
    if (!S_ISDIR(st.st_mode)) {
        return ::unlinkat(parentFd, name.c_str(), 0) == 0 || errno == ENOENT;
    }
    int fd = ::openat(parentFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
        ::close(fd);
        return false;
    }
    std::vector<std::string> children;
    while (dirent* e = ::readdir(d)) {
        const std::string child = e->d_name;
        if (child != "." && child != "..") {
            children.push_back(child);
        }
    }
    bool ok = true;
    for (const auto& child : children) {
        ok = removeAt(::dirfd(d), child) && ok;
    }
    ::closedir(d);
    return ::unlinkat(parentFd, name.c_str(), AT_REMOVEDIR) == 0 && ok;
}

} // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        reset(other.release());
    }
    return *this;
}

UniqueFd::~UniqueFd() {
    reset();
}

int UniqueFd::release() noexcept {
    int fd = m_fd;
    m_fd = -1;
    return fd;
}

void UniqueFd::reset(int fd) noexcept {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
    m_fd = fd;
}

void writeAll(int fd, const std::string& data, const std::string& path, const char* faultName) {
    const size_t half = data.size() / 2;
    size_t done = 0;
    bool faultChecked = false;
    while (done < data.size()) {
        if (!faultChecked && done >= half) {
            faultChecked = true;
            checkFault(faultName, "writing", path);
        }
        const size_t chunk = faultChecked ? data.size() - done : half - done;
        if (chunk == 0) {
            continue;
        }
        ssize_t n = ::write(fd, data.data() + done, chunk);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throwIo("writing", path, errno);
        }
        if (n == 0) {
            throwIo("writing", path, EIO);
        }
        done += static_cast<size_t>(n);
    }
    if (!faultChecked) {
        checkFault(faultName, "writing", path);
    }
}

void fsyncFd(int fd, const std::string& path) {
    while (::fsync(fd) != 0) {
        if (errno != EINTR) {
            throwIo("syncing", path, errno);
        }
    }
}

void fsyncDir(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) {
        throwIo("opening directory", dir, errno);
    }
    fsyncFd(fd.get(), dir);
}

UniqueFd createExclusive(const std::string& path, mode_t mode) {
    // The open mode is never wider than `mode` and umask only narrows it; fchmod then sets it
    // exactly before any byte exists, so there is no moment the content is more readable.
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd.valid()) {
        throwIo("creating", path, errno);
    }
    if (::fchmod(fd.get(), mode) != 0) {
        int err = errno;
        ::unlink(path.c_str());
        throwIo("setting mode of", path, err);
    }
    return fd;
}

std::optional<std::string> readFileCapped(const std::string& path, size_t maxBytes) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) {
        if (errno == ENOENT) {
            return std::nullopt;
        }
        throwIo("opening", path, errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        throwIo("reading", path, errno);
    }
    if (!S_ISREG(st.st_mode)) {
        throw IoError("reading " + path + ": not a regular file");
    }
    if (static_cast<unsigned long long>(st.st_size) > maxBytes) {
        throw IoError("reading " + path + ": larger than " + std::to_string(maxBytes) + " bytes");
    }
    std::string out;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throwIo("reading", path, errno);
        }
        if (n == 0) {
            break;
        }
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > maxBytes) {
            throw IoError("reading " + path + ": larger than " + std::to_string(maxBytes) +
                          " bytes");
        }
    }
    return out;
}

void ensureDir(const std::string& dir, mode_t mode) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT) {
            throwIo("checking", dir, errno);
        }
        if (::mkdir(dir.c_str(), mode) != 0) {
            if (errno != EEXIST) {
                throwIo("creating directory", dir, errno);
            }
        } else {
            fsyncDir(parentDir(dir)); // the new entry survives a crash before first use
        }
        if (::lstat(dir.c_str(), &st) != 0) {
            throwIo("checking", dir, errno);
        }
    }
    if (!S_ISDIR(st.st_mode)) {
        throw IoError("checking " + dir + ": not a directory (or a symlink)");
    }
    if (st.st_uid != ::geteuid()) {
        throw IoError("checking " + dir + ": owned by uid " + std::to_string(st.st_uid) +
                      ", expected " + std::to_string(::geteuid()));
    }
    if ((st.st_mode & 07777) != mode && ::chmod(dir.c_str(), mode) != 0) {
        throwIo("setting mode of", dir, errno);
    }
}

bool removeTree(const std::string& path) noexcept {
    try {
        const std::string dir = parentDir(path);
        const size_t slash = path.find_last_of('/');
        const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
        UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!fd.valid()) {
            return errno == ENOENT;
        }
        return removeAt(fd.get(), base);
    } catch (...) {
        return false;
    }
}

AtomicFile::AtomicFile(std::string path, mode_t mode, std::string faultPrefix)
    : AtomicFile(std::move(path), mode,
                 Options{std::move(faultPrefix), false, std::nullopt, true}) {}

AtomicFile::AtomicFile(std::string path, mode_t mode, const Options& options)
    : m_path(std::move(path)), m_faultPrefix(options.faultPrefix), m_durable(options.durable) {
    std::string tmpl = m_path + ".tmp-XXXXXX";
    if (options.hiddenTemp) {
        const size_t slash = m_path.find_last_of('/');
        const size_t cut = slash == std::string::npos ? 0 : slash + 1;
        tmpl = m_path.substr(0, cut) + "." + m_path.substr(cut) + ".certagent-XXXXXX";
    }
    int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd < 0) {
        throwIo("creating temporary file for", m_path, errno);
    }
    m_fd.reset(fd);
    m_tmpPath = tmpl;
    int err = 0;
    // Only root can give a file away; anyone else (tests) keeps their own.
    if (options.owner && ::fchown(fd, options.owner->first, options.owner->second) != 0 &&
        ::geteuid() == 0) {
        err = errno;
    }
    if (err == 0 && ::fchmod(fd, mode) != 0) {
        err = errno;
    }
    if (err != 0) {
        ::unlink(m_tmpPath.c_str()); // the destructor does not run for a throwing constructor
        throwIo("setting owner and mode of", m_tmpPath, err);
    }
}

AtomicFile::~AtomicFile() {
    if (!m_committed && !m_tmpPath.empty()) {
        ::unlink(m_tmpPath.c_str());
    }
}

void AtomicFile::write(const std::string& data) {
    const std::string point = m_faultPrefix.empty() ? std::string() : m_faultPrefix + ".write";
    writeAll(m_fd.get(), data, m_path, point.empty() ? nullptr : point.c_str());
}

void AtomicFile::commit() {
    if (m_durable)
        fsyncFd(m_fd.get(), m_path);
    if (::close(m_fd.release()) != 0) {
        throwIo("closing", m_path, errno);
    }
    if (!m_faultPrefix.empty()) {
        checkFault((m_faultPrefix + ".before-rename").c_str(), "renaming", m_path);
    }
    if (::rename(m_tmpPath.c_str(), m_path.c_str()) != 0) {
        throwIo("renaming into", m_path, errno);
    }
    m_committed = true;
    if (!m_faultPrefix.empty()) {
        checkFault((m_faultPrefix + ".after-rename").c_str(), "renaming", m_path);
    }
    if (m_durable)
        fsyncDir(parentDir(m_path));
}

void writeFileAtomic(const std::string& path, const std::string& data, mode_t mode,
                     const std::string& faultPrefix) {
    AtomicFile file(path, mode, faultPrefix);
    file.write(data);
    file.commit();
}

std::string parentDir(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) {
        return ".";
    }
    if (slash == 0) {
        return "/";
    }
    return path.substr(0, slash);
}

} // namespace certagent
