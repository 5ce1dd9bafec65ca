#pragma once

#include "util/Secret.h"

#include <cstddef>
#include <string>

namespace certagent {

struct FileStamp;

/// What a file certagent reads as configuration or as a secret must be.
struct TrustedFileRules {
    /// Permission bits allowed: 0755 refuses group/other write, 0600 anything beyond the owner.
    unsigned maxMode = 0755;
    /// False: a symlink as the last path component is refused (never followed).
    bool followLinks = true;
    /// Larger files are refused ("larger than N KiB").
    std::size_t maxBytes = 256 * 1024;
};

/// Reads a configuration file or a secret (credentials, fleet key, etcd password) with every
/// check made on the descriptor that is read, so nothing can be swapped in between: it exists,
/// is a regular file (a planted FIFO is refused, never waited on), allows no permission bits
/// beyond `rules.maxMode`, is owned by root or the running user, is at most `rules.maxBytes` and
/// holds no NUL byte. The text comes back in a Secret, and every buffer it passed through is
/// wiped. Throws ConfigError "<display>: <reason>" (`display` is used as given: escape it first).
/// `stamp`, when given, receives the stamp of the file read (from the same descriptor).
Secret readTrustedFile(const std::string& path, const std::string& display,
                       const TrustedFileRules& rules, FileStamp* stamp = nullptr);

} // namespace certagent
