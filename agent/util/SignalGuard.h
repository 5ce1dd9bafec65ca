#pragma once

#include <csignal>

namespace certagent {

/// Holds SIGTERM, SIGINT and SIGHUP for the lifetime of the object (RAII), so that a stop request
/// arriving mid-deploy (write → switch → reload → probe → rollback → state) takes effect only once
/// that sequence is finished and its state saved. A held signal is delivered when the guard ends:
/// with the default action the process then stops there. Children started meanwhile get an empty
/// mask (Subprocess resets it). Only the calling thread's mask changes, so use it on the thread
/// that runs the deploy while no other long-lived thread exists.
class SignalGuard {
  public:
    SignalGuard();
    SignalGuard(const SignalGuard&) = delete;
    SignalGuard& operator=(const SignalGuard&) = delete;
    ~SignalGuard();

  private:
    sigset_t m_previous;
};

} // namespace certagent
