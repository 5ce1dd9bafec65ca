#include "util/SignalGuard.h"

#include <pthread.h>

namespace certagent {

SignalGuard::SignalGuard() {
    sigset_t held;
    sigemptyset(&held);
    sigaddset(&held, SIGTERM);
    sigaddset(&held, SIGINT);
    sigaddset(&held, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &held, &m_previous);
}

SignalGuard::~SignalGuard() {
    pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
}

} // namespace certagent
