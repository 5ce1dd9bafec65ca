#pragma once

#include "plugins/nginx/ServerBlocks.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace certagent::plugins::nginx {

/// Replace bytes [begin, end) of `file` with `text` (begin == end: insert).
struct Edit {
    std::string file;
    size_t begin = 0;
    size_t end = 0;
    std::string text;
};

/// The edits that point `block`'s ssl_certificate / ssl_certificate_key at `certPath` /
/// `keyPath`: the argument of an existing directive is replaced, a missing one is inserted after
/// the `server {` line; none when both already point there. `files` are the dumped contents.
/// Throws ConfigError for what it will not edit blindly (several certificates in one block, a
/// directive with variables or the wrong number of arguments).
std::vector<Edit> planBlockEdits(const ServerBlock& block, const DumpFiles& files,
                                 const std::string& certPath, const std::string& keyPath);

/// Applies non-overlapping edits of one file to its text.
std::string applyEdits(const std::string& text, std::vector<Edit> edits);

/// A configuration file as found: the path nginx reported, the file it resolves to, its bytes
/// and ownership.
struct FileSnapshot {
    std::string path;
    std::string realPath;
    std::string content;
    mode_t mode = 0644;
    uid_t uid = 0;
    gid_t gid = 0;
};

/// Reads `path` (following symlinks to the real file). Throws IoError.
FileSnapshot snapshotFile(const std::string& path);

/// Replaces the real file of `like` with `content` atomically: a hidden temp file in the same
/// directory (never matched by an include glob), same mode and owner, fsync, rename, fsync of the
/// directory. Throws IoError (the old file stays).
void replaceFile(const FileSnapshot& like, const std::string& content);

/// Creates <store>/backup/nginx/<UTC timestamp>[-N] (0700) and copies every snapshot below it at
/// its real path, with a manifest.json (path, real path, mode, owner, size). Returns the
/// directory. Throws IoError.
std::string writeBackup(const std::string& storeDir, const std::vector<FileSnapshot>& files);

} // namespace certagent::plugins::nginx
