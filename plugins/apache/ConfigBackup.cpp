#include "plugins/apache/ConfigBackup.h"

#include "util/Error.h"

#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Path.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent::plugins::apache {

namespace {

std::string dirOf(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

void writeAll(int fd, const std::string& content, const std::string& path) {
    size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw IoError("writing " + path + ": " + errnoText(errno));
        done += static_cast<size_t>(n);
    }
}

void fsyncDir(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

std::string timestamp() {
    char buf[32];
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

/// A fresh directory <base>/<timestamp>[-N], 0700.
std::string makeBackupDir(const std::string& base) {
    Poco::File(base).createDirectories();
    std::string stamp = timestamp();
    for (int i = 0; i < 100; ++i) {
        std::string dir = base + "/" + stamp + (i ? "-" + std::to_string(i) : "");
        if (::mkdir(dir.c_str(), 0700) == 0)
            return dir;
        if (errno != EEXIST)
            throw IoError("creating " + dir + ": " + errnoText(errno));
    }
    throw IoError("creating a backup directory below " + base + ": too many in one second");
}

} // namespace

std::string resolvedPath(const std::string& path) {
    char buf[PATH_MAX];
    return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

void replaceFileAtomically(const std::string& path, const std::string& content, mode_t mode,
                           uid_t uid, gid_t gid) {
    std::string dir = dirOf(path);
    std::string temp = dir + "/." + path.substr(path.rfind('/') + 1) + ".certagent-XXXXXX";
    int fd = ::mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0)
        throw IoError("creating a temp file next to " + path + ": " + errnoText(errno));
    try {
        writeAll(fd, content, temp);
        if (::fchown(fd, uid, gid) != 0 && ::geteuid() == 0)
            throw IoError("chown " + temp + ": " + errnoText(errno));
        if (::fchmod(fd, mode & 07777) != 0)
            throw IoError("chmod " + temp + ": " + errnoText(errno));
        if (::fsync(fd) != 0)
            throw IoError("fsync " + temp + ": " + errnoText(errno));
        if (::close(fd) != 0) {
            fd = -1;
            throw IoError("closing " + temp + ": " + errnoText(errno));
        }
        fd = -1;
        if (::rename(temp.c_str(), path.c_str()) != 0)
            throw IoError("renaming " + temp + " to " + path + ": " + errnoText(errno));
    } catch (...) {
        if (fd >= 0)
            ::close(fd);
        ::unlink(temp.c_str());
        throw;
    }
    fsyncDir(dir);
}

void ConfigBackup::save(const std::string& storeDir, const std::vector<std::string>& files) {
    m_files.clear();
    for (const std::string& file : files) {
        Saved saved;
        saved.path = resolvedPath(file);
        struct stat st;
        std::ifstream in(saved.path, std::ios::binary);
        if (::stat(saved.path.c_str(), &st) != 0 || !in)
            throw IoError("backing up " + file + ": cannot read it");
        std::ostringstream text;
        text << in.rdbuf();
        saved.content = text.str();
        saved.mode = st.st_mode & 07777;
        saved.uid = st.st_uid;
        saved.gid = st.st_gid;
        m_files.push_back(saved);
    }
    m_dir = makeBackupDir(storeDir + "/backup/apache");
    Poco::JSON::Array list;
    for (const Saved& saved : m_files) {
        std::string copy = m_dir + saved.path;
        Poco::File(Poco::Path(copy).parent()).createDirectories();
        replaceFileAtomically(copy, saved.content, saved.mode, saved.uid, saved.gid);
        Poco::JSON::Object entry;
        entry.set("path", saved.path);
        entry.set("backup", copy);
        entry.set("mode", static_cast<int>(saved.mode));
        entry.set("uid", static_cast<int>(saved.uid));
        entry.set("gid", static_cast<int>(saved.gid));
        list.add(entry);
    }
    Poco::JSON::Object manifest;
    manifest.set("plugin", "apache");
    manifest.set("files", list);
    std::ostringstream json;
    manifest.stringify(json, 2);
    replaceFileAtomically(m_dir + "/manifest.json", json.str() + "\n", 0600, ::geteuid(),
                          ::getegid());
}

void ConfigBackup::restore() const {
    for (const Saved& saved : m_files) {
        std::ifstream in(saved.path, std::ios::binary);
        std::ostringstream now;
        now << in.rdbuf();
        if (in && now.str() == saved.content)
            continue; // unchanged: leave its mtime alone
        replaceFileAtomically(saved.path, saved.content, saved.mode, saved.uid, saved.gid);
    }
}

const std::string* ConfigBackup::original(const std::string& path) const {
    for (const Saved& saved : m_files)
        if (saved.path == path)
            return &saved.content;
    return nullptr;
}

} // namespace certagent::plugins::apache
