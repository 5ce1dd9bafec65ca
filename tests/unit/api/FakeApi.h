#pragma once

// Fakes for the API client's seams: a scripted transport and a manual clock.

#include "api/ApiClient.h"

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certagent::api::test {

constexpr const char* kUser = "reseller@example.net";
constexpr const char* kPass = "s3cr3t-P4ss!word";
constexpr const char* kKey1 = "9f2c4be17a05d3c86e41f0a2b7d95c13";
constexpr const char* kKey2 = "0b1a2c3d4e5f60718293a4b5c6d7e8f9";

/// A time that moves only when someone sleeps (or a test advances it).
class FakeClock : public Clock {
  public:
    std::chrono::steady_clock::time_point now() override { return m_now; }
    void sleepFor(std::chrono::milliseconds d) override {
        sleeps.push_back(d);
        m_now += d;
    }
    void advance(std::chrono::milliseconds d) { m_now += d; }
    std::vector<std::chrono::milliseconds> sleeps;

  private:
    std::chrono::steady_clock::time_point m_now{std::chrono::hours(1000)};
};

/// One scripted step: a reply, or a TransportError.
struct Step {
    HttpResponse response;
    std::optional<TransportError> failure;
};

Step reply(int status, std::string body,
           std::vector<std::pair<std::string, std::string>> headers = {});
Step ok(std::string body);
Step fail(const std::string& what, bool retryable, bool sent);
Step authOk(const char* key = kKey1);

/// What the transport saw and what it will answer. Shared so the test keeps access after the
/// client took ownership of the transport.
struct Script {
    std::deque<Step> steps;
    /// Answers when `steps` is empty (default: 599 so a missing step fails loudly).
    std::function<Step(const HttpRequest&)> fallback;
    std::vector<HttpRequest> requests;
    std::vector<std::chrono::milliseconds> timeouts;
    FakeClock* clock = nullptr; ///< if set, every exchange takes `cost`
    std::chrono::milliseconds cost{0};
    /// Requests other than POST /auth/.
    std::vector<HttpRequest> calls() const;
    int authCount() const;
};

class FakeTransport : public HttpTransport {
  public:
    explicit FakeTransport(std::shared_ptr<Script> script) : m_script(std::move(script)) {}
    HttpResponse send(const HttpRequest& request, std::chrono::milliseconds timeout) override;

  private:
    std::shared_ptr<Script> m_script;
};

/// A client over a fake transport; log lines are collected in `logs`.
struct Harness {
    std::shared_ptr<Script> script = std::make_shared<Script>();
    FakeClock clock;
    std::vector<std::string> logs;
    ApiSettings settings;
    Harness();
    /// Creates a client with the current settings (each call creates a new one).
    std::unique_ptr<ApiClient> client();
};

/// Catches the ApiError thrown by `f`; fails the test if none is thrown.
ApiError expectApiError(const std::function<void()>& f);

} // namespace certagent::api::test
