#pragma once

// Internal to store/Index.cpp: the text form of the index — one line per fact, tab-separated; a
// certificate's line is "c", its name, then key=value fields (unknown keys are skipped, so a newer
// agent's index reads; missing ones keep defaults that make the entry useless for the fast path).
// The last line carries a checksum of all the bytes before it, so a torn or edited file reads as
// corrupt rather than as wrong facts.

#include "store/Index.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace certagent::store::detail {

constexpr const char* kMagic = "certagent-index 1";
constexpr std::size_t kMaxLine = 64 * 1024;
constexpr std::size_t kMaxBytes = 256u * 1024 * 1024;

/// FNV-1a, 64 bits: enough to tell a damaged file, cheap enough for megabytes.
struct Checksum {
    std::uint64_t value = 1469598103934665603ULL;
    void add(std::string_view text) {
        for (unsigned char c : text) {
            value ^= c;
            value *= 1099511628211ULL;
        }
    }
};

/// 16 lower-case hex digits.
std::string hex64(std::uint64_t v);
/// Parses hex64()'s form; false if it is not one.
bool parseHex64(std::string_view text, std::uint64_t& out);
/// A non-negative decimal number of at most 18 digits; false if it is not one.
bool parseNumber(std::string_view text, long long& out);
/// The tab-separated field at `pos`, moving `pos` past it (beyond the end after the last one).
std::string_view nextField(std::string_view line, std::size_t& pos);
/// Sets the member `key` names from `value`; false if the value does not fit (an unknown key is
/// skipped: true).
bool applyField(IndexEntry& e, std::string_view key, std::string_view value);
/// The entry's line, ending in '\n'.
std::string entryLine(const IndexEntry& e);
/// True if `text` can stand in a field (no tab, newline or NUL).
bool safeText(const std::string& text);

} // namespace certagent::store::detail
