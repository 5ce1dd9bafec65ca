#pragma once

#include <cstddef>
#include <string>
#include <sys/stat.h>
#include <vector>

/// Internal helpers shared by Store.cpp and StoreState.cpp.
namespace certagent::store::detail {

/// Cap for meta.json and state files.
constexpr size_t kMaxJsonBytes = 1 << 20;

/// `text` with control characters and non-ASCII bytes replaced by '?', for log lines.
std::string printable(const std::string& text);

/// Entry names of `dir` (without "." and ".."); empty if it does not exist. Throws IoError if
/// it exists but cannot be read.
std::vector<std::string> listDir(const std::string& dir);

/// The store root: created (with parents, 0755) if missing; may be a symlink to a directory;
/// must be owned by the effective uid and not writable by group or others, and so must be every
/// directory on the way (util/PathTrust: root's sticky ones like /tmp pass). Throws IoError (exit
/// 7) naming the fix.
void ensureRootDir(const std::string& dir);

/// Throws IoError naming the fix ("chmod go-w DIR") when the store directory `dir` with status
/// `st` is writable by group or others: it is refused, not repaired, since what was planted
/// meanwhile would be trusted.
void refuseOpenToOthers(const std::string& dir, const struct stat& st);

} // namespace certagent::store::detail
