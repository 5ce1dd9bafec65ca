#include "util/FileStamp.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <sys/stat.h>

namespace certagent {

namespace {

long long nanoseconds(const struct timespec& t) {
    return static_cast<long long>(t.tv_sec) * 1000000000LL + t.tv_nsec;
}

/// Reads a decimal (optionally negative) number at `pos`, advancing it.
bool number(std::string_view text, std::size_t& pos, long long& out) {
    bool negative = pos < text.size() && text[pos] == '-';
    pos += negative ? 1 : 0;
    std::size_t digits = pos;
    long long value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        int digit = text[pos++] - '0';
        if (value > (LLONG_MAX - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    if (pos == digits)
        return false;
    out = negative ? -value : value;
    return true;
}

} // namespace

std::string FileStamp::text() const {
    if (size == kUnknown)
        return "-";
    return std::to_string(size) + "." + std::to_string(mtimeNs) + "." + std::to_string(ctimeNs);
}

std::optional<FileStamp> FileStamp::parse(std::string_view text) {
    if (text == "-")
        return FileStamp{};
    FileStamp s;
    std::size_t pos = 0;
    if (!number(text, pos, s.size) || pos >= text.size() || text[pos++] != '.' ||
        !number(text, pos, s.mtimeNs) || pos >= text.size() || text[pos++] != '.' ||
        !number(text, pos, s.ctimeNs) || pos != text.size() || s.size < kMissing)
        return std::nullopt;
    return s;
}

FileStamp stampOf(const struct stat& st) {
    FileStamp s;
    s.size = static_cast<long long>(st.st_size);
    s.mtimeNs = nanoseconds(st.st_mtim);
    s.ctimeNs = nanoseconds(st.st_ctim);
    return s;
}

FileStamp stampOf(const std::string& path, bool follow) {
    struct stat st {};
    if ((follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) == 0)
        return stampOf(st);
    FileStamp s;
    s.size = errno == ENOENT || errno == ENOTDIR ? FileStamp::kMissing : FileStamp::kUnknown;
    return s;
}

FileStamp recordable(const FileStamp& stamp, std::time_t now) {
    if (stamp.missing() || stamp.size == FileStamp::kUnknown)
        return stamp;
    long long latest = std::max(stamp.mtimeNs, stamp.ctimeNs) / 1000000000LL;
    if (latest + kRacySeconds >= static_cast<long long>(now))
        return FileStamp{};
    return stamp;
}

} // namespace certagent
