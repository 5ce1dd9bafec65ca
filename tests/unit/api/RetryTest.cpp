#include "Examples.h"
#include "FakeApi.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::api;
using namespace certagent::api::test;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const std::string kStatusTarget = std::string("/orders/status/1840217?auth_key=") + kKey1;

} // namespace

BOOST_AUTO_TEST_SUITE(ApiRetry)

BOOST_AUTO_TEST_CASE(first_call_authenticates_then_sends_the_key) {
    Harness h;
    h.script->steps = {authOk(), ok(kStatusProcessingExample)};
    const OrderStatus s = h.client()->getOrderStatus(1840217);
    BOOST_TEST(s.status == "processing");
    BOOST_REQUIRE(h.script->requests.size() == 2u);
    const HttpRequest& auth = h.script->requests[0];
    BOOST_TEST(auth.method == "POST");
    BOOST_TEST(auth.target == "/auth/");
    BOOST_TEST(auth.contentType == "application/x-www-form-urlencoded");
    BOOST_TEST(auth.body == "user=reseller%40example.net&pass=s3cr3t-P4ss%21word");
    BOOST_TEST(h.script->requests[1].method == "GET");
    BOOST_TEST(h.script->requests[1].target == kStatusTarget);
    BOOST_TEST(h.script->requests[1].body.empty());
    BOOST_TEST(h.clock.sleeps.empty());
}

BOOST_AUTO_TEST_CASE(server_errors_are_retried_with_growing_jittered_backoff) {
    Harness h;
    h.script->steps = {authOk(), reply(500, "oops"), reply(502, "<html>"),
                       ok(kStatusProcessingExample)};
    auto client = h.client();
    BOOST_TEST(client->getOrderStatus(1840217).orderId == 1840217);
    BOOST_TEST(h.script->calls().size() == 3u);
    BOOST_REQUIRE(h.clock.sleeps.size() == 2u);
    BOOST_TEST(h.clock.sleeps[0].count() >= 250);
    BOOST_TEST(h.clock.sleeps[0].count() <= 500);
    BOOST_TEST(h.clock.sleeps[1].count() >= 500);
    BOOST_TEST(h.clock.sleeps[1].count() <= 1000);
    BOOST_REQUIRE(!h.logs.empty());
    BOOST_TEST(h.logs.back().find("api getOrderStatus order 1840217: HTTP 200, 3 attempts") == 0u);
}

BOOST_AUTO_TEST_CASE(retry_after_is_clamped_to_60s) {
    Harness h;
    h.settings.retryDeadline = seconds(300);
    h.script->steps = {authOk(), reply(429, "slow down", {{"Retry-After", "3600"}}),
                       reply(429, "", {{"retry-after", "0"}}), ok(kStatusProcessingExample)};
    BOOST_TEST(h.client()->getOrderStatus(1840217).orderId == 1840217);
    BOOST_REQUIRE(h.clock.sleeps.size() == 2u);
    BOOST_TEST(h.clock.sleeps[0].count() == 60000);
    BOOST_TEST(h.clock.sleeps[1].count() == 1000);
}

BOOST_AUTO_TEST_CASE(retry_after_beyond_the_deadline_gives_up_with_exit_3) {
    Harness h;
    h.script->steps = {authOk(), reply(429, "", {{"Retry-After", "3600"}})};
    const ApiError e = expectApiError([&] { h.client()->getOrderStatus(1840217); });
    BOOST_TEST(e.exitCode() == 3);
    BOOST_TEST(e.retryable());
    BOOST_TEST(e.httpStatus() == 429);
    BOOST_TEST(h.clock.sleeps.empty());
}

BOOST_AUTO_TEST_CASE(client_errors_are_not_retried) {
    Harness h;
    h.script->steps = {authOk(), reply(400, kErrorExample)};
    const ApiError e = expectApiError([&] { h.client()->getOrderStatus(1840217); });
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(!e.retryable());
    BOOST_TEST(e.httpStatus() == 400);
    BOOST_TEST(e.orderId() == 1840217);
    BOOST_TEST(std::string(e.what()).find("Order not found") != std::string::npos);
    BOOST_TEST(h.script->calls().size() == 1u);
}

BOOST_AUTO_TEST_CASE(deadline_ends_retries_with_exit_3) {
    Harness h;
    h.script->clock = &h.clock;
    h.script->cost = milliseconds(2000);
    h.script->steps = {authOk()};
    h.script->fallback = [](const HttpRequest&) { return reply(503, "busy"); };
    const ApiError e = expectApiError([&] { h.client()->getOrderStatus(1840217); });
    BOOST_TEST(e.exitCode() == 3);
    BOOST_TEST(e.method() == "getOrderStatus");
    BOOST_TEST(std::string(e.what()).find("gave up after") != std::string::npos);
    milliseconds slept{0};
    for (auto s : h.clock.sleeps) {
        slept += s;
    }
    BOOST_TEST(slept.count() < 60000);
    BOOST_TEST(h.script->calls().size() >= 4u);
    BOOST_TEST(h.script->calls().size() < 30u);
    for (auto t : h.script->timeouts) {
        BOOST_TEST(t.count() <= 30000);
    }
}

// Issue 11: the run's bound (the time left of --wait) ends every call sooner than its own 60 s,
// each exchange's timeout included; with no time left a call is not sent at all.
BOOST_AUTO_TEST_CASE(the_runs_deadline_bounds_every_call) {
    Harness h;
    h.script->clock = &h.clock;
    h.script->cost = milliseconds(2000);
    h.script->steps = {authOk()};
    h.script->fallback = [](const HttpRequest&) { return reply(503, "busy"); };
    auto client = h.client();
    const auto start = h.clock.now();
    client->setDeadline(start + std::chrono::seconds(10));
    const ApiError e = expectApiError([&] { client->getOrderStatus(1840217); });
    BOOST_TEST(e.exitCode() == 3);
    BOOST_TEST(std::string(e.what()).find("before the run's deadline") != std::string::npos,
               e.what());
    BOOST_TEST((h.clock.now() - start <= std::chrono::seconds(10)));
    for (auto t : h.script->timeouts)
        BOOST_TEST(t.count() <= 10000);

    const auto sent = h.script->calls().size();
    h.clock.advance(std::chrono::seconds(11));
    const ApiError late = expectApiError([&] { client->getOrderStatus(1840217); });
    BOOST_TEST(late.exitCode() == 3);
    BOOST_TEST(std::string(late.what()).find("not sent: no time left before the run's deadline") !=
                   std::string::npos,
               late.what());
    BOOST_TEST(h.script->calls().size() == sent);
}

BOOST_AUTO_TEST_CASE(network_errors_are_retried) {
    Harness h;
    h.script->steps = {authOk(), fail("network: Connection refused", true, false),
                       fail("network: Timeout", true, true), ok(kStatusProcessingExample)};
    BOOST_TEST(h.client()->getOrderStatus(1840217).status == "processing");
    BOOST_TEST(h.script->calls().size() == 3u);
}

BOOST_AUTO_TEST_CASE(tls_verification_failure_is_refused_without_retry) {
    Harness h;
    h.script->steps = {fail(
        "TLS verification of api.example.test failed: certificate verify failed", false, false)};
    const ApiError e = expectApiError([&] { h.client()->getOrderStatus(1840217); });
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(h.script->requests.size() == 1u);
    BOOST_TEST(h.script->requests[0].target == "/auth/");
}

BOOST_AUTO_TEST_CASE(unreadable_replies_are_transient) {
    Harness h;
    h.script->steps = {authOk(), ok("<html>maintenance</html>"),
                       ok(R"({"order_id":"1840217","status":7})"), ok(kStatusProcessingExample)};
    BOOST_TEST(h.client()->getOrderStatus(1840217).status == "processing");
    BOOST_TEST(h.script->calls().size() == 3u);

    Harness always;
    always.script->steps = {authOk()};
    always.script->fallback = [](const HttpRequest&) { return ok("{\"order_id\":"); };
    const ApiError e = expectApiError([&] { always.client()->getOrderStatus(1840217); });
    BOOST_TEST(e.exitCode() == 3);
    BOOST_TEST(std::string(e.what()).find("unreadable reply") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(huge_body_is_unreadable) {
    Harness h;
    h.settings.maxBodyBytes = 1024;
    h.script->steps = {authOk()};
    h.script->fallback = [](const HttpRequest&) {
        return ok(std::string(R"({"order_id":"1840217","status":")") + std::string(4096, 'a') +
                  "\"}");
    };
    BOOST_TEST(expectApiError([&] { h.client()->getOrderStatus(1840217); }).exitCode() == 3);
}

BOOST_AUTO_TEST_CASE(error_envelope_with_200_is_refused_and_not_retried) {
    Harness h;
    h.script->steps = {authOk(), ok(kErrorExample)};
    const ApiError e = expectApiError([&] { h.client()->getOrderStatus(1840217); });
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(e.isEnvelope());
    BOOST_TEST(e.apiMessage() == "Order not found");
    BOOST_TEST(e.description() == "Order #77123 does not belong to this account");
    BOOST_TEST(e.method() == "getOrderStatus");
    BOOST_TEST(e.orderId() == 1840217);
    BOOST_TEST(e.httpStatus() == 200);
    BOOST_TEST(std::string(e.what()) ==
               "api getOrderStatus order 1840217: refused: Order not found (Order #77123 does not "
               "belong to this account)");
    BOOST_TEST(h.script->calls().size() == 1u);
}

BOOST_AUTO_TEST_CASE(escape_sequences_in_messages_are_escaped) {
    Harness h;
    h.script->steps = {authOk(),
                       ok(R"({"error":true,"message":"bad\u001b[31m\nline","description":""})")};
    const ApiError e = expectApiError([&] { h.client()->getOrderStatus(1840217); });
    const std::string what = e.what();
    BOOST_TEST(what.find('\x1b') == std::string::npos);
    BOOST_TEST(what.find('\n') == std::string::npos);
    BOOST_TEST(what.find("bad\\x1B[31m\\nline") != std::string::npos);
    for (const auto& line : h.logs) {
        BOOST_TEST(line.find('\x1b') == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(reply_about_another_order_is_refused) {
    Harness h;
    h.script->steps = {authOk(), ok(kStatusProcessingExample)};
    const ApiError e = expectApiError([&] { h.client()->getOrderStatus(1840218); });
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(h.script->calls().size() == 1u);
}

BOOST_AUTO_TEST_CASE(forbidden_triggers_one_reauth_then_success) {
    Harness h;
    h.script->steps = {authOk(kKey1), reply(403, R"({"error":true,"message":"Invalid key"})"),
                       authOk(kKey2), ok(kStatusProcessingExample)};
    BOOST_TEST(h.client()->getOrderStatus(1840217).orderId == 1840217);
    BOOST_REQUIRE(h.script->requests.size() == 4u);
    BOOST_TEST(h.script->authCount() == 2);
    BOOST_TEST(h.script->requests[3].target ==
               std::string("/orders/status/1840217?auth_key=") + kKey2);
}

BOOST_AUTO_TEST_CASE(unauthorized_twice_exits_4) {
    Harness h;
    h.script->steps = {authOk(kKey1), reply(401, ""), authOk(kKey2), reply(403, "")};
    const ApiError e = expectApiError([&] { h.client()->getOrderStatus(1840217); });
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(e.httpStatus() == 403);
    BOOST_TEST(h.script->authCount() == 2);
    BOOST_TEST(h.script->requests.size() == 4u);
}

BOOST_AUTO_TEST_CASE(bad_credentials_exit_4) {
    Harness h;
    h.script->steps = {ok(
        R"({"error":true,"message":"Username and/or password not supplied","description":"This request requires username and password"})")};
    const ApiError e = expectApiError([&] { h.client()->getAccountBalance(); });
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(e.method() == "auth");
    BOOST_TEST(e.apiMessage() == "Username and/or password not supplied");
}

BOOST_AUTO_TEST_CASE(redirects_are_not_followed) {
    Harness h;
    h.script->steps = {authOk(),
                       reply(302, "", {{"Location", "https://evil.example/api?auth_key=abc&x=1"}})};
    const ApiError e = expectApiError([&] { h.client()->getOrderStatus(1840217); });
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(e.httpStatus() == 302);
    const std::string what = e.what();
    BOOST_TEST(what.find("https://evil.example/api?auth_key=***&x=1") != std::string::npos);
    BOOST_TEST(h.script->requests.size() == 2u);
}

BOOST_AUTO_TEST_CASE(orders_are_not_repeated_once_they_may_have_been_processed) {
    NewOrderRequest req;
    req.productId = 65;
    req.csr = "-----BEGIN CERTIFICATE REQUEST-----\nAA\n-----END CERTIFICATE REQUEST-----\n";
    req.dcvMethod = "http";
    for (Step failure : {fail("network: Timeout", true, true), reply(500, "")}) {
        Harness h;
        h.script->steps = {authOk(), failure, ok(kAddOrderExample)};
        const ApiError e = expectApiError([&] { h.client()->addSSLOrder(req); });
        BOOST_TEST(e.exitCode() == 3);
        BOOST_TEST(e.maybeProcessed());
        BOOST_TEST(h.script->calls().size() == 1u);
    }
    Harness h; // not connected at all: safe to repeat
    h.script->steps = {authOk(), fail("network: Connection refused", true, false), reply(429, ""),
                       ok(kAddOrderExample)};
    BOOST_TEST(h.client()->addSSLOrder(req).orderId == 1840217);
    BOOST_TEST(h.script->calls().size() == 3u);
}

BOOST_AUTO_TEST_CASE(invalid_ids_are_refused_before_sending) {
    Harness h;
    BOOST_TEST(expectApiError([&] { h.client()->getOrderStatus(0); }).exitCode() == 4);
    BOOST_TEST(expectApiError([&] { h.client()->getOrderStatus(-3); }).exitCode() == 4);
    BOOST_TEST(h.script->requests.empty());
}

BOOST_AUTO_TEST_CASE(server_date_is_remembered) {
    Harness h;
    h.script->steps = {authOk(), reply(200, kStatusProcessingExample,
                                       {{"Date", "Sun, 29 Nov 2026 14:00:00 GMT"}})};
    auto client = h.client();
    BOOST_TEST(!client->lastServerDate().has_value());
    client->getOrderStatus(1840217);
    BOOST_REQUIRE(client->lastServerDate().has_value());
    BOOST_TEST(std::chrono::system_clock::to_time_t(*client->lastServerDate()) == 1795960800);
}

BOOST_AUTO_TEST_SUITE_END()
