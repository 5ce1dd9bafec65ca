#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <sys/stat.h>

namespace certagent {

/// What stat(2) says about a file, enough to tell that it changed since it was looked at: size,
/// mtime and ctime, in nanoseconds. Not the inode: a copy of a store (`cp -a`, a restore) keeps
/// the content but not the inodes. ctime cannot be set from user space (touch -r, tar and cp -a
/// keep mtime, never ctime), so a rewrite that keeps size and mtime still changes the stamp;
/// after a copy every stamp differs once, and the caller re-reads and re-records.
struct FileStamp {
    long long size = kUnknown; ///< kMissing: no such file; kUnknown: matches nothing
    long long mtimeNs = 0;
    long long ctimeNs = 0;

    static constexpr long long kMissing = -1;
    static constexpr long long kUnknown = -2;

    /// Equal and known: an unknown stamp equals nothing, not even itself.
    bool operator==(const FileStamp& o) const {
        return size != kUnknown && size == o.size && mtimeNs == o.mtimeNs && ctimeNs == o.ctimeNs;
    }
    bool operator!=(const FileStamp& o) const { return !(*this == o); }
    bool missing() const { return size == kMissing; }

    /// "SIZE.MTIME.CTIME" ("-" for unknown): the form in the store's index.
    std::string text() const;
    /// Parses text(); nullopt if malformed.
    static std::optional<FileStamp> parse(std::string_view text);
};

/// The stamp of what stat(2) or fstat(2) returned.
FileStamp stampOf(const struct stat& st);

/// The stamp of `path` (stat(2), or lstat(2) when `follow` is false). Missing: kMissing; any
/// other failure: kUnknown (so it never proves "unchanged").
FileStamp stampOf(const std::string& path, bool follow = true);

/// The stamp to record for a file looked at `now`. A write within the same tick of the kernel's
/// file clock (a few ms; seconds on some file systems) leaves mtime and ctime as they were, so a
/// stamp taken within kRacySeconds of them cannot prove a later write absent (git's "racily
/// clean" entries): such a stamp is recorded as unknown, and the next run looks at the content.
FileStamp recordable(const FileStamp& stamp, std::time_t now);

/// Seconds after its last change during which a stamp is not trusted (see recordable()).
constexpr long long kRacySeconds = 2;

} // namespace certagent
