#pragma once

#include <chrono>
#include <ctime>
#include <optional>
#include <string>

namespace certagent {

/// Formats seconds since the epoch as ISO 8601 UTC: "2026-11-29T14:02:11Z".
std::string formatIsoUtc(std::time_t t);

/// Parses exactly "YYYY-MM-DDTHH:MM:SSZ" (as written by formatIsoUtc). nullopt if malformed.
std::optional<std::time_t> parseIsoUtc(const std::string& text);

/// Earliest and latest instants timePointOf() yields: 1900-01-01 and 2200-01-01 UTC.
constexpr std::time_t kEarliestTime = -2208988800;
constexpr std::time_t kLatestTime = 7258118400;

/// `t` as a system_clock time point, clamped to [kEarliestTime, kLatestTime]. The clock counts
/// nanoseconds and overflows after 2262, while certificates may say "valid until 9999" (RFC 5280
/// §4.1.2.5) and servers may send any Date: those saturate (with room left for arithmetic)
/// instead of overflowing.
std::chrono::system_clock::time_point timePointOf(std::time_t t);

} // namespace certagent
