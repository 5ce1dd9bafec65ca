#pragma once

#include <ctime>
#include <optional>
#include <string>

namespace certagent {

/// Formats seconds since the epoch as ISO 8601 UTC: "2026-11-29T14:02:11Z".
std::string formatIsoUtc(std::time_t t);

/// Parses exactly "YYYY-MM-DDTHH:MM:SSZ" (as written by formatIsoUtc). nullopt if malformed.
std::optional<std::time_t> parseIsoUtc(const std::string& text);

} // namespace certagent
