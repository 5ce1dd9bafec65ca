#pragma once

// pebble 2.4 has no ACME Renewal Information (RFC 9773). AriShim stands in front of a
// PebbleProcess on its own port: it passes every request to pebble unchanged (with the client's
// Host header, so pebble names its URLs, and checks the JWS "url", with the shim's origin), adds
// "renewalInfo" to the directory, answers GET /renewal-info/<certID> with the window the test
// scripts, and notes the `replaces` member of each newOrder.

#include "PebbleProcess.h"

#include <ctime>
#include <memory>
#include <string>
#include <vector>

namespace certagent::test {

class AriShim {
  public:
    /// Starts serving HTTPS (pebble's own listener certificate) on a free 127.0.0.1 port.
    explicit AriShim(PebbleProcess& pebble);
    AriShim(const AriShim&) = delete;
    AriShim& operator=(const AriShim&) = delete;
    ~AriShim();

    /// "https://127.0.0.1:<shim port>/dir".
    std::string directoryUrl() const;
    /// The next renewalInfo answers: this window (seconds since the epoch) with Retry-After.
    void setWindow(std::time_t start, std::time_t end, int retryAfterSeconds = 3600);
    /// The next renewalInfo answers are HTTP `status` (500: the CA's ARI is broken).
    void failWith(int status);
    /// The certIDs asked for, in order.
    std::vector<std::string> askedCertIds() const;
    /// The `replaces` member of each newOrder passed on ("" for an order without one).
    std::vector<std::string> replaces() const;

    struct State;

  private:
    std::shared_ptr<State> m_state;
    struct Server;
    std::unique_ptr<Server> m_server;
};

} // namespace certagent::test
