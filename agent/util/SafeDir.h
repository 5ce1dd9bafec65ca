#pragma once

// Opening a directory whose path others may be able to change (a web root below a site user's
// home, say) without following a symlink anyone but root could have planted.

#include "util/FileIo.h"

#include <string>
#include <sys/stat.h>

namespace certagent {

/// A directory opened by openDirNoForeignLinks: the descriptor (O_RDONLY|O_DIRECTORY) and its
/// status.
struct OpenedDir {
    UniqueFd fd;
    struct stat st {};
};

/// Opens absolute directory `path` one component at a time with openat(O_NOFOLLOW), so nothing
/// can be swapped in between the check and the use. A symlink on the way is followed only when
/// nobody but root (or us) can have made it: its directory is owned by root or us and not
/// writable by group or others, or is root's and sticky (like /tmp) and the link is root's or
/// ours. Every directory on the way must be owned by root, us or the owner of `path` itself.
/// Throws RefusedError (exit 4) naming `what`, the component and the problem; IoError for a
/// component that is missing, not a directory or unreadable.
OpenedDir openDirNoForeignLinks(const std::string& path, const std::string& what);

} // namespace certagent
