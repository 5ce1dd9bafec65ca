#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>

namespace certagent {

/// Owns a file descriptor; closes it on destruction. Non-copyable, movable.
class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : m_fd(fd) {}
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    UniqueFd(UniqueFd&& other) noexcept : m_fd(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    ~UniqueFd();
    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }
    int release() noexcept;
    void reset(int fd = -1) noexcept;

  private:
    int m_fd = -1;
};

/// Writes all of `data` to `fd`, retrying short writes and EINTR. `faultName` (may be null) is a
/// fault point checked halfway through (test builds). Throws IoError naming `path` (ENOSPC etc.).
void writeAll(int fd, const std::string& data, const std::string& path,
              const char* faultName = nullptr);

/// fsync(fd); throws IoError naming `path`.
void fsyncFd(int fd, const std::string& path);

/// Opens directory `dir` and fsyncs it, so renames/creates inside it are durable. Throws IoError.
void fsyncDir(const std::string& dir);

/// Creates a new file `path` with exactly `mode` (O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, then
/// fchmod on the fd before any byte is written, so umask cannot widen or narrow it).
/// Throws IoError (also when the file already exists).
UniqueFd createExclusive(const std::string& path, mode_t mode);

/// Reads a regular file without following a final symlink, at most `maxBytes`.
/// Returns nullopt if it does not exist. Throws IoError if unreadable, not a regular file, or
/// larger than `maxBytes`.
std::optional<std::string> readFileCapped(const std::string& path, size_t maxBytes);

/// Ensures `dir` is a directory (not a symlink) owned by the effective uid with exactly `mode`
/// (creating it with `mode` if missing, tightening the mode if it differs). Throws IoError if it
/// is something else or owned by another user.
void ensureDir(const std::string& dir, mode_t mode);

/// Removes `path` and everything below it, never following symlinks (a symlink is unlinked, not
/// its target). Missing path is fine. Returns false (never throws) if something could not be
/// removed.
bool removeTree(const std::string& path) noexcept;

/// Writes a file atomically (ccache's AtomicFile): a temp file "<path>.tmp-XXXXXX" in the same
/// directory created with `mode` (see createExclusive), written with write(), then commit()
/// fsyncs, renames over `path` and fsyncs the directory. The destructor removes the temp file
/// if commit() was not reached; it never commits.
class AtomicFile {
  public:
    /// How the temp file is made.
    struct Options {
        /// Names the fault points "<prefix>.write", "<prefix>.before-rename",
        /// "<prefix>.after-rename" (empty: none).
        std::string faultPrefix;
        /// Temp file ".<name>.certagent-XXXXXX": a dot name that no include glob of a web server
        /// (`sites-enabled/*`, `*.conf`) ever loads.
        bool hiddenTemp = false;
        /// fchown the temp file to this owner before any byte is written (configs keep theirs).
        std::optional<std::pair<uid_t, gid_t>> owner;
        /// commit() fsyncs the file and the directory. Off only for a cache that is checked
        /// when read and rebuilt when damaged (the store's index): a crash may then leave the
        /// old or no content, never half of it presented as whole.
        bool durable = true;
    };
    /// Throws IoError if the temp file cannot be created. `faultPrefix` (may be empty) names the
    /// fault points "<prefix>.write", "<prefix>.before-rename", "<prefix>.after-rename".
    AtomicFile(std::string path, mode_t mode, std::string faultPrefix = {});
    /// The same with every option. Throws IoError.
    AtomicFile(std::string path, mode_t mode, const Options& options);
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile();
    /// Appends data. Throws IoError naming the final path.
    void write(const std::string& data);
    /// fsync, rename into place, fsync the directory (without fsyncs unless durable). Throws
    /// IoError (the old file stays).
    void commit();

  private:
    std::string m_path;
    std::string m_tmpPath;
    std::string m_faultPrefix;
    UniqueFd m_fd;
    bool m_durable = true;
    bool m_committed = false;
};

/// Writes `data` to `path` atomically with `mode` (AtomicFile in one call). Throws IoError.
void writeFileAtomic(const std::string& path, const std::string& data, mode_t mode,
                     const std::string& faultPrefix = {});

/// Directory part of `path` ("." if none).
std::string parentDir(const std::string& path);

} // namespace certagent
