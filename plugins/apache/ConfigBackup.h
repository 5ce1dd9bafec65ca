#pragma once

// Backups of the configuration files the apache installer edits, kept outside every include
// directory (<store>/backup/apache/<timestamp>/<original absolute path> + manifest.json), and
// the atomic writes used for both the edit and the restore.

#include <string>
#include <sys/types.h>
#include <vector>

namespace certagent::plugins::apache {

/// Replaces `path` by `content`: a temp file in the same directory (a dot name, so `*.conf`
/// include globs never see it), fchmod/fchown to `mode`/`uid`/`gid`, fsync, rename, directory
/// fsync. Throws IoError naming the path; the temp file is removed on failure.
void replaceFileAtomically(const std::string& path, const std::string& content, mode_t mode,
                           uid_t uid, gid_t gid);

/// The files of one deploy as they were before it.
class ConfigBackup {
  public:
    /// Reads each file (symlinks resolved: the target is what gets edited) and writes the copies
    /// and manifest.json below <storeDir>/backup/apache/<UTC timestamp>/. Throws IoError before
    /// anything is edited when a file cannot be read or the backup cannot be written.
    void save(const std::string& storeDir, const std::vector<std::string>& files);
    /// Puts every saved file back as it was (content, mode, owner). Throws IoError on the first
    /// file that cannot be written.
    void restore() const;
    /// The original content of a saved file (its resolved path), or nullptr.
    const std::string* original(const std::string& resolvedPath) const;
    bool empty() const { return m_files.empty(); }
    const std::string& dir() const { return m_dir; }

  private:
    struct Saved {
        std::string path; ///< resolved absolute path
        std::string content;
        mode_t mode = 0644;
        uid_t uid = 0;
        gid_t gid = 0;
    };
    std::vector<Saved> m_files;
    std::string m_dir;
};

/// realpath(3); returns `path` unchanged when it cannot be resolved.
std::string resolvedPath(const std::string& path);

} // namespace certagent::plugins::apache
