#pragma once

#include <string>
#include <sys/stat.h>

namespace certagent {

/// What a directory is to the code that checks it.
enum class DirUse {
    /// It only lies on the way to what is read: group/world-writable is fine when it is root's
    /// and sticky (like /tmp), because nobody else can then rename or remove our entries in it.
    Ancestor,
    /// Its entries are read as instructions (config dir, certs.d, hook phase dirs): never
    /// writable by group or others, sticky or not, since anyone could then add an entry.
    Entries,
};

/// True if `st` is owned by root or the effective uid (the only owners certagent trusts).
bool trustedOwner(const struct stat& st);

/// Empty if a directory with status `st` is safe for `use`; else the problem as it follows the
/// directory's name: "is not a directory", "is owned by uid 1000 (not root or us)", "is group- or
/// world-writable" (plus a note when sticky does not help).
std::string dirProblem(const struct stat& st, DirUse use);

/// Checks every existing directory above absolute `path` (lexically, including "/") as an
/// Ancestor; a symlinked component is skipped, so callers check the resolved path too. Returns
/// "<dir> <problem>" (or "<dir>: <errno text>") for the first bad one, or empty.
std::string ancestorsProblem(const std::string& path);

/// Empty if the entries of absolute directory `dir` can be trusted: every ancestor (lexically and
/// after resolving symlinks) passes as an Ancestor and `dir` itself (resolved) as Entries. Else one
/// line naming the bad directory, the problem and the command that fixes it:
/// "/etc/certagent/certs.d is group- or world-writable (fix: chmod go-w /etc/certagent/certs.d)".
std::string entriesDirProblem(const std::string& dir);

} // namespace certagent
