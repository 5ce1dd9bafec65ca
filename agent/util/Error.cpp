#include "util/Error.h"

#include <cstring>

namespace certagent {

namespace {

int rank(int code) {
    switch (code) {
    case kExitOk:
        return 0;
    case kExitTemporary:
        return 1;
    case kExitLocalIo:
        return 2;
    case kExitUsage:
        return 3;
    case kExitRefused:
        return 4;
    case kExitRolledBack:
        return 5;
    case kExitInternal:
        return 6;
    case kExitRollbackFailed:
        return 7;
    default:
        return 6;
    }
}

} // namespace

int worseExit(int a, int b) {
    return rank(a) >= rank(b) ? a : b;
}

std::string errnoText(int err) {
    char buf[256];
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
    return ::strerror_r(err, buf, sizeof buf);
#else
    if (::strerror_r(err, buf, sizeof buf) != 0)
        return "error " + std::to_string(err);
    return buf;
#endif
}

} // namespace certagent
