#pragma once

// Backups of files that are about to be edited in place (web server configurations), kept below
// the store where no include directory reaches them, and the atomic edit that keeps a file's mode
// and owner.

#include <string>
#include <sys/types.h>
#include <vector>

namespace certagent {

/// A file as found before an edit: the path as given, the file it resolves to (what an edit
/// changes), its bytes, mode and owner.
struct FileSnapshot {
    std::string path;
    std::string realPath;
    std::string content;
    mode_t mode = 0644;
    uid_t uid = 0;
    gid_t gid = 0;
};

/// Reads `path`, following symlinks to the real file (at most 4 MiB). Throws IoError.
FileSnapshot snapshotFile(const std::string& path);

/// Replaces the real file of `like` with `content` atomically with its mode and owner (a hidden
/// temp file in the same directory, fsync, rename, directory fsync). Throws IoError; the old file
/// stays.
void replaceFile(const FileSnapshot& like, const std::string& content);

/// Opens `base`/`relative` one component at a time without following symlinks, creating missing
/// ones with `mode`; every component must be a directory owned by the effective uid and
/// writable by nobody else. Returns the path. Throws IoError naming the component (a planted
/// symlink or a foreign directory is refused, never followed or "repaired").
std::string ensureDirBelow(const std::string& base, const std::string& relative,
                           mode_t mode = 0700);

/// Writes copies of `files` (at their real paths, same mode and owner) and manifest.json below a
/// new directory <storeDir>/backup/<label>/<UTC timestamp>[-N] (0700, made by ensureDirBelow).
/// Returns that directory. Throws IoError before anything is edited.
std::string writeBackup(const std::string& storeDir, const std::string& label,
                        const std::vector<FileSnapshot>& files);

} // namespace certagent
