#include "util/IsoTime.h"

#include <algorithm>
#include <cstdio>

namespace certagent {

std::string formatIsoUtc(std::time_t t) {
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::optional<std::time_t> parseIsoUtc(const std::string& text) {
    if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
        text[13] != ':' || text[16] != ':' || text[19] != 'Z') {
        return std::nullopt;
    }
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
        if (text[i] < '0' || text[i] > '9') {
            return std::nullopt;
        }
    }
    std::tm tm{};
    auto num = [&](size_t at, size_t len) { return std::stoi(text.substr(at, len)); };
    tm.tm_year = num(0, 4) - 1900;
    tm.tm_mon = num(5, 2) - 1;
    tm.tm_mday = num(8, 2);
    tm.tm_hour = num(11, 2);
    tm.tm_min = num(14, 2);
    tm.tm_sec = num(17, 2);
    if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 60) {
        return std::nullopt;
    }
    return ::timegm(&tm);
}

std::chrono::system_clock::time_point timePointOf(std::time_t t) {
    return std::chrono::system_clock::from_time_t(std::clamp(t, kEarliestTime, kLatestTime));
}

} // namespace certagent
