#include "api/Types.h"

#include <cstdio>

namespace certagent::api {

std::string Date::toString() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year % 10000, month % 100, day % 100);
    return buf;
}

} // namespace certagent::api
