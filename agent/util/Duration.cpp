#include "util/Duration.h"

#include "util/Error.h"
#include "util/Text.h"

#include <cctype>
#include <limits>

namespace certagent {

Seconds parseDuration(const std::string& text, const std::string& what) {
    auto bad = [&]() {
        return ConfigError(what + ": bad duration \"" + escapeForLog(text, 80) +
                           "\" (want a whole number and a unit: 90s, 15m, 2h, 30d)");
    };
    if (text.size() < 2 || text.size() > 12)
        throw bad();
    long long unit = 0;
    switch (text.back()) {
    case 's':
        unit = 1;
        break;
    case 'm':
        unit = 60;
        break;
    case 'h':
        unit = 3600;
        break;
    case 'd':
        unit = 86400;
        break;
    default:
        throw bad();
    }
    long long value = 0;
    for (size_t i = 0; i + 1 < text.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(text[i])))
            throw bad();
        value = value * 10 + (text[i] - '0');
        if (value > std::numeric_limits<int>::max())
            throw bad();
    }
    return Seconds(value * unit);
}

std::string formatDuration(Seconds d) {
    long long s = d.count();
    if (s != 0 && s % 86400 == 0)
        return std::to_string(s / 86400) + "d";
    if (s != 0 && s % 3600 == 0)
        return std::to_string(s / 3600) + "h";
    if (s != 0 && s % 60 == 0)
        return std::to_string(s / 60) + "m";
    return std::to_string(s) + "s";
}

} // namespace certagent
