#include "store/Store.h"

#include "store/StoreDetail.h"
#include "util/CertName.h"
#include "util/Error.h"
#include "util/FaultPoint.h"
#include "util/FileIo.h"
#include "util/IsoTime.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <set>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent::store {

namespace {

constexpr int kMaxVersion = 999999;
const char* const kMetaFile = "meta.json";

std::string formatVersion(int version) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d", version);
    return buf;
}

/// "0007" → 7; nullopt unless 4 to 6 digits and > 0.
std::optional<int> parseVersion(const std::string& text) {
    if (text.size() < 4 || text.size() > 6 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    int v = std::stoi(text);
    return v > 0 ? std::optional<int>(v) : std::nullopt;
}

void checkFault(const std::string& point, const std::string& step, const std::string& path) {
    if (int err = faultPoint(point.c_str())) {
        throw IoError(step + " " + path + ": " + errnoText(err));
    }
}

FileStamp stampOf(const struct stat& st) {
    FileStamp s;
    s.inode = static_cast<unsigned long long>(st.st_ino);
    s.size = static_cast<long long>(st.st_size);
    s.mtimeNs = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    s.mode = static_cast<unsigned>(st.st_mode & 07777);
    return s;
}

/// Creates `path` with `mode`, writes `data` fully, fsyncs, returns its stamp. `stem` names the
/// fault points "store.write.<stem>[.before-fsync|.after-fsync]".
FileStamp writeNewFile(const std::string& path, const std::string& data, mode_t mode,
                       const std::string& stem) {
    const std::string point = "store.write." + stem;
    UniqueFd fd = createExclusive(path, mode);
    writeAll(fd.get(), data, path, point.c_str());
    checkFault(point + ".before-fsync", "syncing", path);
    fsyncFd(fd.get(), path);
    checkFault(point + ".after-fsync", "syncing", path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        throw IoError("checking " + path + ": " + errnoText(errno));
    }
    if (::close(fd.release()) != 0) {
        throw IoError("closing " + path + ": " + errnoText(errno));
    }
    return stampOf(st);
}

/// rename(2) that refuses to replace an existing (even empty) directory where supported.
int renameNoReplace(const std::string& from, const std::string& to) {
#ifdef RENAME_NOREPLACE
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
        return 0;
    }
    if (errno != EINVAL && errno != ENOSYS) {
        return -1;
    }
#endif
    struct stat st {};
    if (::lstat(to.c_str(), &st) == 0) {
        errno = EEXIST;
        return -1;
    }
    return ::rename(from.c_str(), to.c_str());
}

bool isRegularNonEmpty(const std::string& path, bool mayBeEmpty) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (mayBeEmpty || st.st_size > 0);
}

} // namespace

const std::vector<std::string>& Store::versionFileNames() {
    static const std::vector<std::string> kNames = {"privkey.pem", "cert.pem", "chain.pem",
                                                    "fullchain.pem", kMetaFile};
    return kNames;
}

Store::Store(std::string dir, int keepVersions, WarningSink warn)
    : m_dir(std::move(dir)), m_keepVersions(std::max(keepVersions, 1)), m_warn(std::move(warn)) {
    while (m_dir.size() > 1 && m_dir.back() == '/') {
        m_dir.pop_back();
    }
}

std::string Store::lockPath() const {
    return m_dir + "/lock";
}
std::string Store::liveDir(const std::string& name) const {
    return m_dir + "/live/" + name;
}
std::string Store::archiveDir(const std::string& name) const {
    return m_dir + "/archive/" + name;
}

std::string Store::versionDir(const std::string& name, int version) const {
    return archiveDir(name) + "/" + formatVersion(version);
}

void Store::warn(const std::string& message) const {
    if (m_warn) {
        m_warn(detail::printable(message));
    }
}

void Store::checkName(const std::string& name) {
    if (!isValidCertName(name)) {
        throw ConfigError("invalid certificate name \"" + detail::printable(name) +
                          "\": use letters, digits, '.', '_' and '-'");
    }
}

void Store::ensureLayout() {
    detail::ensureRootDir(m_dir);
    for (const char* sub : {"live", "archive", "state", "pending", "backup"}) {
        struct stat st {};
        const std::string dir = m_dir + "/" + sub;
        if (::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
            detail::refuseOpenToOthers(dir, st);
        }
    }
    ensureDir(m_dir + "/live", 0755);
    ensureDir(m_dir + "/archive", 0700);
    ensureDir(m_dir + "/state", 0700);
    ensureDir(m_dir + "/pending", 0700);
}

std::vector<int> Store::allVersionDirs(const std::string& name) const {
    checkName(name);
    std::vector<int> out;
    for (const auto& entry : detail::listDir(archiveDir(name))) {
        auto v = parseVersion(entry);
        struct stat st {};
        if (v && ::lstat((archiveDir(name) + "/" + entry).c_str(), &st) == 0 &&
            S_ISDIR(st.st_mode)) {
            out.push_back(*v);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool Store::isComplete(const std::string& name, int version) const {
    checkName(name);
    const std::string dir = versionDir(name, version);
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return false;
    }
    for (const auto& file : versionFileNames()) {
        if (!isRegularNonEmpty(dir + "/" + file, file == "chain.pem")) {
            return false;
        }
    }
    return true;
}

std::vector<int> Store::versions(const std::string& name) const {
    std::vector<int> out;
    for (int v : allVersionDirs(name)) {
        if (isComplete(name, v)) {
            out.push_back(v);
        }
    }
    return out;
}

void Store::cleanTempDirs(const std::string& name) const {
    for (const auto& entry : detail::listDir(archiveDir(name))) {
        if (entry.compare(0, 5, ".tmp-") == 0 && !removeTree(archiveDir(name) + "/" + entry)) {
            warn("could not remove leftover " + archiveDir(name) + "/" + entry);
        }
    }
}

int Store::writeVersion(const std::string& name, const VersionFiles& files) {
    checkName(name);
    ensureDir(archiveDir(name), 0700);
    cleanTempDirs(name);
    const std::vector<int> existing = allVersionDirs(name);
    const int next = existing.empty() ? 1 : existing.back() + 1;
    if (next > kMaxVersion) {
        throw IoError("writing " + archiveDir(name) + ": version numbers exhausted");
    }
    std::string tmp = archiveDir(name) + "/.tmp-XXXXXX";
    if (::mkdtemp(tmp.data()) == nullptr) {
        throw IoError("creating temporary directory in " + archiveDir(name) + ": " +
                      errnoText(errno));
    }
    const std::string final = versionDir(name, next);
    try {
        if (::chmod(tmp.c_str(), 0700) != 0) {
            throw IoError("setting mode of " + tmp + ": " + errnoText(errno));
        }
        checkFault("store.write.begin", "writing", final);
        VersionMeta meta = files.meta;
        meta.files.clear();
        if (meta.createdAt.empty()) {
            meta.createdAt = formatIsoUtc(std::time(nullptr));
        }
        const std::pair<const char*, const std::string*> pems[] = {
            {"privkey", &files.privkeyPem},
            {"cert", &files.certPem},
            {"chain", &files.chainPem},
            {"fullchain", &files.fullchainPem}};
        for (const auto& [stem, data] : pems) {
            const std::string file = std::string(stem) + ".pem";
            const mode_t mode = file == "privkey.pem" ? 0600 : 0644;
            meta.files[file] = writeNewFile(tmp + "/" + file, *data, mode, stem);
        }
        writeNewFile(tmp + "/" + kMetaFile, meta.toJson(), 0644, "meta");
        checkFault("store.write.before-dir-fsync", "syncing", tmp);
        fsyncDir(tmp);
        checkFault("store.write.before-rename", "renaming", final);
        if (renameNoReplace(tmp, final) != 0) {
            throw IoError("renaming " + tmp + " to " + final + ": " + errnoText(errno));
        }
    } catch (...) {
        removeTree(tmp);
        throw;
    }
    checkFault("store.write.after-rename", "syncing", archiveDir(name));
    fsyncDir(archiveDir(name));
    return next;
}

void Store::switchLive(const std::string& name, int version) {
    checkName(name);
    if (!isComplete(name, version)) {
        throw IoError("switching " + liveDir(name) + " to " + versionDir(name, version) +
                      ": that version is incomplete or missing");
    }
    const std::string liveParent = m_dir + "/live";
    ensureDir(liveParent, 0755);
    const std::string prefix = "." + name + ".tmp-";
    for (const auto& entry : detail::listDir(liveParent)) {
        if (entry.compare(0, prefix.size(), prefix) == 0) {
            ::unlink((liveParent + "/" + entry).c_str());
        }
    }
    const std::string target = "../archive/" + name + "/" + formatVersion(version);
    const std::string tmp = liveParent + "/" + prefix + std::to_string(::getpid());
    if (::symlink(target.c_str(), tmp.c_str()) != 0) {
        throw IoError("creating symlink " + tmp + ": " + errnoText(errno));
    }
    try {
        checkFault("store.switch.before-rename", "switching", liveDir(name));
        if (::rename(tmp.c_str(), liveDir(name).c_str()) != 0) {
            throw IoError("switching " + liveDir(name) + ": " + errnoText(errno));
        }
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    checkFault("store.switch.after-rename", "syncing", liveParent);
    fsyncDir(liveParent);
    checkFault("store.switch.after-dir-fsync", "syncing", liveParent);
}

LiveLink Store::liveLink(const std::string& name) const {
    checkName(name);
    LiveLink link;
    char buf[PATH_MAX];
    ssize_t n = ::readlink(liveDir(name).c_str(), buf, sizeof buf - 1);
    if (n < 0) {
        link.present = errno != ENOENT;
        return link;
    }
    link.present = true;
    link.target.assign(buf, static_cast<size_t>(n));
    const std::string prefix = "../archive/" + name + "/";
    if (link.target.compare(0, prefix.size(), prefix) == 0) {
        link.version = parseVersion(link.target.substr(prefix.size()));
    }
    return link;
}

std::optional<int> Store::liveVersion(const std::string& name) const {
    LiveLink link = liveLink(name);
    if (link.present && link.target.empty()) {
        warn(liveDir(name) + " is not a symlink; ignoring it");
    } else if (link.present && !link.version) {
        warn(liveDir(name) + " points at unexpected target \"" + link.target + "\"");
    }
    return link.version;
}

std::optional<int> Store::previousVersion(const std::string& name) const {
    auto live = liveVersion(name);
    if (!live) {
        return std::nullopt;
    }
    std::optional<int> prev;
    for (int v : versions(name)) {
        if (v < *live) {
            prev = v;
        }
    }
    return prev;
}

int Store::rollback(const std::string& name) {
    auto prev = previousVersion(name);
    if (!prev) {
        throw RefusedError("rollback of " + name + ": no complete previous version in " +
                           archiveDir(name));
    }
    switchLive(name, *prev);
    return *prev;
}

std::vector<int> Store::prune(const std::string& name) {
    checkName(name);
    cleanTempDirs(name);
    const std::vector<int> all = allVersionDirs(name);
    std::set<int> keep;
    for (size_t i = 0; i < all.size() && i < static_cast<size_t>(m_keepVersions); ++i) {
        keep.insert(all[all.size() - 1 - i]);
    }
    if (auto live = liveVersion(name)) {
        keep.insert(*live);
        if (auto prev = previousVersion(name)) {
            keep.insert(*prev);
        }
    }
    std::vector<int> removed;
    for (int v : all) {
        if (keep.count(v) != 0) {
            continue;
        }
        if (removeTree(versionDir(name, v))) {
            removed.push_back(v);
        } else {
            warn("could not remove old version " + versionDir(name, v));
        }
    }
    return removed;
}

std::optional<VersionMeta> Store::readMeta(const std::string& path) const {
    try {
        auto text = readFileCapped(path, detail::kMaxJsonBytes);
        if (!text) {
            return std::nullopt;
        }
        return VersionMeta::fromJson(*text);
    } catch (const Error& e) {
        warn(path + " is unreadable or corrupt (" + e.what() + "); ignoring it");
        return std::nullopt;
    }
}

std::optional<VersionMeta> Store::versionMeta(const std::string& name, int version) const {
    checkName(name);
    return readMeta(versionDir(name, version) + "/" + kMetaFile);
}

std::optional<VersionMeta> Store::liveMeta(const std::string& name) const {
    auto live = liveVersion(name);
    return live ? versionMeta(name, *live) : std::nullopt;
}

bool Store::liveFilesUnchanged(const std::string& name) const {
    auto meta = liveMeta(name);
    if (!meta) {
        return false;
    }
    for (const auto& file : versionFileNames()) {
        if (file == kMetaFile) {
            continue;
        }
        auto it = meta->files.find(file);
        struct stat st {};
        if (it == meta->files.end() || ::lstat((liveDir(name) + "/" + file).c_str(), &st) != 0 ||
            !S_ISREG(st.st_mode) || stampOf(st) != it->second) {
            return false;
        }
    }
    return true;
}

} // namespace certagent::store
