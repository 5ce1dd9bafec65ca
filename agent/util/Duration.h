#pragma once

#include <chrono>
#include <string>

namespace certagent {

using Seconds = std::chrono::seconds;

/// Parses a whole number with a unit: "90s", "15m", "2h", "30d". Throws ConfigError naming
/// `what` (e.g. "--wait" or "certagent.conf: [api] timeout") on anything else.
Seconds parseDuration(const std::string& text, const std::string& what);

/// Formats as the largest exact unit: 5400s -> "90m", 86400s -> "1d", 0 -> "0s".
std::string formatDuration(Seconds d);

} // namespace certagent
