#include "util/FaultPoint.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>

namespace certagent {

#ifdef CERTAGENT_FAULT_POINTS

namespace {

/// The action configured for `name` in CERTAGENT_FAULT, or empty.
std::string actionFor(const char* name) {
    const char* env = std::getenv("CERTAGENT_FAULT");
    if (env == nullptr || name == nullptr) {
        return {};
    }
    const std::string spec(env);
    const std::string wanted = std::string(name) + ":";
    size_t pos = 0;
    while (pos <= spec.size()) {
        size_t end = spec.find(',', pos);
        if (end == std::string::npos) {
            end = spec.size();
        }
        const std::string item = spec.substr(pos, end - pos);
        if (item.compare(0, wanted.size(), wanted) == 0) {
            return item.substr(wanted.size());
        }
        pos = end + 1;
    }
    return {};
}

} // namespace

int faultPoint(const char* name) {
    const std::string action = actionFor(name);
    if (action.empty()) {
        return 0;
    }
    if (action == "kill") {
        ::kill(::getpid(), SIGKILL);
        ::pause();
    }
    if (action == "stop") {
        // A holder frozen past its lease (SIGCONT resumes it right here).
        ::raise(SIGSTOP);
        return 0;
    }
    if (action == "exit") {
        ::_exit(86);
    }
    if (action == "enospc") {
        return ENOSPC;
    }
    if (action == "eio") {
        return EIO;
    }
    return 0;
}

#else

int faultPoint(const char*) {
    return 0;
}

#endif

} // namespace certagent
