#pragma once

// A scripted etcd gateway for unit tests: one fake transport per endpoint, all reading one
// shared script, plus the verified reply shapes of etcd 3.4's JSON gateway.

#include "../api/FakeApi.h"
#include "cluster/EtcdClient.h"

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certagent::cluster::test {

constexpr const char* kE1 = "https://10.0.0.1:2379";
constexpr const char* kE2 = "https://10.0.0.2:2379";
constexpr const char* kE3 = "https://10.0.0.3:2379";

/// The API tests' manual clock: time moves only when someone sleeps or a request takes `cost`.
using ManualClock = api::test::FakeClock;

/// One scripted exchange: the endpoint that must receive the next request, and its answer.
struct Step {
    std::string endpoint;
    api::HttpResponse response;
    std::optional<api::TransportError> failure;
};

Step answer(const std::string& endpoint, int status, std::string body);
Step ok(const std::string& endpoint, std::string body);
Step broken(const std::string& endpoint, const std::string& what, bool retryable = true,
            bool sent = false);

/// What the client sent, in order.
struct Sent {
    std::string endpoint;
    api::HttpRequest request;
    std::string authorization; ///< the Authorization header, "" = none
};

struct Script {
    std::deque<Step> steps;
    std::vector<Sent> sent;
    ManualClock* clock = nullptr; ///< if set, every exchange takes `cost`
    std::chrono::milliseconds cost{0};
};

/// The client under test with three endpoints (kE1..kE3) over the script; logs collected.
struct Harness {
    std::shared_ptr<Script> script = std::make_shared<Script>();
    ManualClock clock;
    std::vector<std::string> logs;
    EtcdSettings settings;
    Harness();
    std::unique_ptr<EtcdClient> client();
    /// The steps must all have been used.
    bool drained() const { return script->steps.empty(); }
};

/// base64 of `text`, as the gateway writes keys and values.
std::string b64(const std::string& text);
/// The response header etcd 3.4 sends, at `revision`.
std::string header(long long revision);
/// A kvs entry as the gateway writes it (lease 0 and an empty value are left out).
std::string kv(const std::string& key, const std::string& value, long long create, long long mod,
               long long version, const std::string& lease = "");
/// The gateway's error body.
std::string gatewayError(int code, const std::string& message);

/// Catches the EtcdError thrown by `f`; fails the test if there is none.
template <typename F> EtcdError expectEtcdError(F f) {
    try {
        f();
    } catch (const EtcdError& e) {
        return e;
    }
    throw std::runtime_error("expected an EtcdError");
}

} // namespace certagent::cluster::test
