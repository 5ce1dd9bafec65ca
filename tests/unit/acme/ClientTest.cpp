// The call machinery: nonces, badNonce retries, retry classes, problems → exit codes,
// Retry-After, one log line per call.

#include "FakeAcme.h"
#include "acme/Orders.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::acme;
using namespace certagent::acme::test;
using std::chrono::seconds;

namespace {

const std::vector<std::string> kNames = {"shop.example.test"};

Step orderCreated() {
    return answer(201, orderJson("pending", kNames), {{"Location", kOrderUrl}});
}

Step pendingOrder() {
    return answer(200, orderJson("pending", kNames));
}

std::string nonceOf(const certagent::api::HttpRequest& r) {
    return decodeJws(r).header->getValue<std::string>("nonce");
}

} // namespace

BOOST_AUTO_TEST_SUITE(AcmeClientCalls)

BOOST_AUTO_TEST_CASE(directory_is_fetched_once_and_head_only_when_the_pool_is_empty) {
    FakeCa ca;
    ca.steps = {pendingOrder(), pendingOrder(), pendingOrder()};
    auto client = ca.client();
    for (int i = 0; i < 3; ++i) {
        fetchOrder(*client, kOrderUrl, Names(kNames));
    }
    BOOST_TEST(ca.count("GET", "/dir") == 1);
    BOOST_TEST(ca.count("HEAD", "/nonce") == 1); // later nonces come from the replies
    BOOST_TEST(ca.requests.size() == 5u);
    const auto calls = ca.calls();
    BOOST_TEST(nonceOf(calls[1]) == "nonce2"); // nonce1 came with HEAD, nonce2 with reply 1
    BOOST_TEST(nonceOf(calls[2]) == "nonce3");
    BOOST_TEST(client->stats().nonceFetches == 1);
    BOOST_TEST(client->stats().requests == 5);
}

BOOST_AUTO_TEST_CASE(post_as_get_sends_jose_json_with_kid_and_empty_payload) {
    FakeCa ca;
    ca.steps = {pendingOrder()};
    auto client = ca.client();
    fetchOrder(*client, kOrderUrl, Names(kNames));
    const auto req = ca.calls().at(0);
    BOOST_TEST(req.method == "POST");
    BOOST_TEST(req.target == "/order/1");
    BOOST_TEST(req.contentType == "application/jose+json");
    const auto jws = decodeJws(req);
    BOOST_TEST(jws.payloadB64.empty());
    BOOST_TEST(jws.header->getValue<std::string>("kid") == kAccountUrl);
    BOOST_TEST(jws.header->getValue<std::string>("url") == kOrderUrl);
    BOOST_REQUIRE(ca.logs.size() == 2u);
    BOOST_TEST(ca.logs[0] == "acme directory: HTTP 200, 1 attempt, 0 ms, ok");
    BOOST_TEST(ca.logs[1] == "acme order: HTTP 200, 1 attempt, 0 ms, ok");
}

BOOST_AUTO_TEST_CASE(twenty_bad_nonces_then_success_passes_with_the_nonce_of_each_error) {
    FakeCa ca;
    for (int i = 0; i < 20; ++i) {
        ca.steps.push_back(problem(400, "badNonce", "JWS has an invalid anti-replay nonce",
                                   {{"Replay-Nonce", "fresh" + std::to_string(i)}}));
    }
    ca.steps.push_back(orderCreated());
    auto client = ca.client();
    const Order order = newOrder(*client, Names(kNames));
    BOOST_TEST(order.url == kOrderUrl);
    const auto calls = ca.calls();
    BOOST_REQUIRE(calls.size() == 21u);
    for (int i = 1; i <= 20; ++i) {
        BOOST_TEST(nonceOf(calls[i]) == "fresh" + std::to_string(i - 1));
    }
    BOOST_TEST(ca.count("HEAD", "/nonce") == 1);
    BOOST_TEST(client->stats().badNonces == 20);
    BOOST_TEST(ca.clock.sleeps.empty()); // re-signed at once
    BOOST_TEST(ca.logs.back() == "acme newOrder: HTTP 201, 21 attempts, 20 badNonce, 0 ms, ok");
}

BOOST_AUTO_TEST_CASE(nine_bad_nonces_then_success_passes) {
    FakeCa ca;
    for (int i = 0; i < 9; ++i) {
        ca.steps.push_back(problem(400, "badNonce"));
    }
    ca.steps.push_back(pendingOrder());
    auto client = ca.client();
    BOOST_TEST(fetchOrder(*client, kOrderUrl, Names(kNames)).status == "pending");
    BOOST_TEST(ca.calls().size() == 10u);
}

BOOST_AUTO_TEST_CASE(twenty_one_bad_nonces_fail_with_exit_3) {
    FakeCa ca;
    for (int i = 0; i < 22; ++i) {
        ca.steps.push_back(problem(400, "badNonce", "stale"));
    }
    auto client = ca.client();
    const AcmeError e = expectAcmeError([&] { newOrder(*client, Names(kNames)); });
    BOOST_TEST(e.exitCode() == 3);
    BOOST_TEST(e.retryable());
    BOOST_TEST(!e.maybeProcessed());
    BOOST_TEST(e.problemType() == "badNonce");
    BOOST_TEST(std::string(e.what()) ==
               "acme newOrder: badNonce 21 times in one call: HTTP 400 badNonce: stale");
    BOOST_TEST(ca.calls().size() == 21u);
}

BOOST_AUTO_TEST_CASE(an_error_reply_without_nonce_leads_to_head) {
    FakeCa ca;
    ca.steps = {problem(400, "badNonce", "x", {{"Replay-Nonce", "-"}}), pendingOrder()};
    auto client = ca.client();
    fetchOrder(*client, kOrderUrl, Names(kNames));
    BOOST_TEST(ca.count("HEAD", "/nonce") == 2);
}

BOOST_AUTO_TEST_CASE(malformed_nonces_are_never_used) {
    FakeCa ca;
    ca.steps = {
        answer(200, orderJson("pending", kNames), {{"Replay-Nonce", "bad nonce!"}}),
        answer(200, orderJson("pending", kNames), {{"Replay-Nonce", std::string(257, 'a')}}),
        pendingOrder()};
    auto client = ca.client();
    for (int i = 0; i < 3; ++i) {
        fetchOrder(*client, kOrderUrl, Names(kNames));
    }
    BOOST_TEST(ca.count("HEAD", "/nonce") == 3);
}

BOOST_AUTO_TEST_CASE(new_order_cut_after_sending_is_maybe_processed_and_not_repeated) {
    FakeCa ca;
    ca.steps = {broken("network: connection reset by peer", true, true), orderCreated()};
    auto client = ca.client();
    const AcmeError e = expectAcmeError([&] { newOrder(*client, Names(kNames)); });
    BOOST_TEST(e.maybeProcessed());
    BOOST_TEST(e.retryable());
    BOOST_TEST(e.exitCode() == 3);
    BOOST_TEST(std::string(e.what()) == "acme newOrder: network: connection reset by peer (not "
                                        "repeated: the request may have reached the CA)");
    BOOST_TEST(ca.count("POST", "/new-order") == 1);
}

BOOST_AUTO_TEST_CASE(new_order_that_never_left_is_retried) {
    FakeCa ca;
    ca.steps = {broken("network: connection refused", true, false), orderCreated()};
    auto client = ca.client();
    BOOST_TEST(newOrder(*client, Names(kNames)).url == kOrderUrl);
    BOOST_TEST(ca.count("POST", "/new-order") == 2);
    BOOST_TEST(ca.clock.sleeps.size() == 1u);
}

BOOST_AUTO_TEST_CASE(post_as_get_cut_after_sending_is_retried_with_backoff) {
    FakeCa ca;
    ca.steps = {broken("timeout while waiting for the reply", true, true), answer(502, "<html>"),
                pendingOrder()};
    auto client = ca.client();
    BOOST_TEST(fetchOrder(*client, kOrderUrl, Names(kNames)).status == "pending");
    BOOST_TEST(ca.count("POST", "/order/1") == 3);
    BOOST_REQUIRE(ca.clock.sleeps.size() == 2u);
    BOOST_TEST(ca.clock.sleeps[0].count() >= 250);
    BOOST_TEST(ca.clock.sleeps[0].count() <= 500);
    BOOST_TEST(ca.clock.sleeps[1].count() >= 500);
    BOOST_TEST(ca.clock.sleeps[1].count() <= 1000);
}

BOOST_AUTO_TEST_CASE(finalize_5xx_is_not_repeated_and_503_is_not_maybe_processed) {
    FakeCa ca;
    ca.steps = {answer(500, "")};
    auto client = ca.client();
    Order order;
    order.url = kOrderUrl;
    order.finalize = kFinalizeUrl;
    AcmeError e = expectAcmeError([&] { finalizeOrder(*client, order, "der", Names(kNames)); });
    BOOST_TEST(e.maybeProcessed());
    BOOST_TEST(e.exitCode() == 3);
    ca.steps = {problem(503, "serverInternal", "busy", {{"Retry-After", "120"}})};
    e = expectAcmeError([&] { finalizeOrder(*client, order, "der", Names(kNames)); });
    BOOST_TEST(!e.maybeProcessed());
    BOOST_TEST(e.retryAfter().value().count() == 120);
    BOOST_TEST(ca.count("POST", "/order/1/finalize") == 2);
}

BOOST_AUTO_TEST_CASE(reads_give_up_within_the_call_deadline) {
    FakeCa ca;
    ca.settings.callDeadline = std::chrono::seconds(5);
    for (int i = 0; i < 50; ++i) {
        ca.steps.push_back(answer(500, ""));
    }
    auto client = ca.client();
    const AcmeError e = expectAcmeError([&] { fetchOrder(*client, kOrderUrl, Names(kNames)); });
    BOOST_TEST(e.exitCode() == 3);
    BOOST_TEST(std::string(e.what()).rfind("acme order: gave up after ", 0) == 0, e.what());
    BOOST_TEST(ca.calls().size() < 10u);
}

BOOST_AUTO_TEST_CASE(tls_verification_failure_is_refused_at_once) {
    FakeCa ca;
    ca.steps = {
        broken("TLS verification of ca.test failed: certificate verify failed", false, false)};
    auto client = ca.client();
    const AcmeError e = expectAcmeError([&] { fetchOrder(*client, kOrderUrl, Names(kNames)); });
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(ca.calls().size() == 1u);
}

BOOST_AUTO_TEST_CASE(problem_types_map_to_exit_codes) {
    const std::vector<std::tuple<int, std::string, int>> table = {
        {429, "rateLimited", 3},
        {500, "serverInternal", 3},
        {403, "unauthorized", 4},
        {400, "rejectedIdentifier", 4},
        {403, "caa", 4},
        {400, "badCSR", 4},
        {403, "userActionRequired", 4},
        {400, "malformed", 4},
        {403, "orderNotReady", 4},
        {400, "unsupportedIdentifier", 4},
        {404, "accountDoesNotExist", 4},
        {400, "incorrectResponse", 4},
    };
    for (const auto& [status, type, code] : table) {
        FakeCa ca;
        ca.settings.callDeadline = std::chrono::seconds(1);
        for (int i = 0; i < 5; ++i) {
            ca.steps.push_back(problem(status, type, "why <" + type + ">"));
        }
        auto client = ca.client();
        const AcmeError e = expectAcmeError([&] { newOrder(*client, Names(kNames)); });
        BOOST_TEST(e.exitCode() == code, type);
        BOOST_TEST(e.problemType() == type);
        BOOST_TEST(e.httpStatus() == status);
        BOOST_TEST(std::string(e.what()) == "acme newOrder: HTTP " + std::to_string(status) + " " +
                                                type + ": why <" + type + ">");
        BOOST_TEST(ca.count("POST", "/new-order") == 1, type);
    }
}

BOOST_AUTO_TEST_CASE(problem_text_is_escaped_and_keeps_subproblems_and_instance) {
    FakeCa ca;
    ca.steps = {answer(
        400,
        R"({"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"no\u001b[31m",)"
        R"("instance":"https://ca.test/tos","subproblems":[{"type":"urn:ietf:params:acme:)"
        R"(error:caa","detail":"CAA forbids","identifier":{"type":"dns","value":"a.test"}}]})")};
    auto client = ca.client();
    const AcmeError e = expectAcmeError([&] { newOrder(*client, Names(kNames)); });
    BOOST_TEST(std::string(e.what()) ==
               "acme newOrder: HTTP 400 rejectedIdentifier: no\\x1B[31m (a.test: caa: CAA "
               "forbids), see https://ca.test/tos");
}

BOOST_AUTO_TEST_CASE(a_non_problem_error_body_still_gives_the_status) {
    FakeCa ca;
    ca.steps = {answer(404, "<html>not found</html>")};
    auto client = ca.client();
    const AcmeError e = expectAcmeError([&] { fetchOrder(*client, kOrderUrl, Names(kNames)); });
    BOOST_TEST(std::string(e.what()) == "acme order: HTTP 404");
    BOOST_TEST(e.exitCode() == 4);
}

BOOST_AUTO_TEST_CASE(rate_limit_is_not_retried_and_carries_retry_after_seconds) {
    FakeCa ca;
    ca.steps = {problem(429, "rateLimited", "too many", {{"Retry-After", "3600"}})};
    auto client = ca.client();
    const AcmeError e = expectAcmeError([&] { newOrder(*client, Names(kNames)); });
    BOOST_TEST(e.exitCode() == 3);
    BOOST_TEST(e.retryAfter().value().count() == 3600);
    BOOST_TEST(ca.clock.sleeps.empty());
}

BOOST_AUTO_TEST_CASE(retry_after_http_date_is_relative_to_the_reply_date_or_wall_clock) {
    FakeCa ca;
    ca.steps = {
        problem(429, "rateLimited", "x",
                {{"Retry-After", "Wed, 21 Oct 2015 08:28:00 GMT"},
                 {"Date", "Wed, 21 Oct 2015 07:58:00 GMT"}}),
        problem(429, "rateLimited", "x", {{"Retry-After", "Wed, 21 Oct 2015 08:28:00 GMT"}})};
    auto client = ca.client();
    AcmeError e = expectAcmeError([&] { newOrder(*client, Names(kNames)); });
    BOOST_TEST(e.retryAfter().value().count() == 1800); // from the CA's Date
    e = expectAcmeError([&] { newOrder(*client, Names(kNames)); });
    BOOST_TEST(e.retryAfter().value().count() == 3600); // from the wall clock (07:28)
}

BOOST_AUTO_TEST_CASE(retry_after_is_clamped_and_garbage_ignored) {
    const auto now = std::chrono::system_clock::from_time_t(1445412480);
    BOOST_TEST(parseRetryAfter("120", now).value().count() == 120);
    BOOST_TEST(parseRetryAfter(" 0 ", now).value().count() == 0);
    BOOST_TEST(parseRetryAfter("86401", now).value().count() == 86400);
    BOOST_TEST(parseRetryAfter("99999999999999999999", now).value().count() == 86400);
    BOOST_TEST(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now).value().count() == 30);
    BOOST_TEST(parseRetryAfter("Tue, 20 Oct 2015 07:28:00 GMT", now).value().count() == 0);
    BOOST_TEST(parseRetryAfter("Sat, 21 Oct 2017 07:28:00 GMT", now).value().count() == 86400);
    BOOST_TEST(!parseRetryAfter("", now));
    BOOST_TEST(!parseRetryAfter("-5", now));
    BOOST_TEST(!parseRetryAfter("1.5", now));
    BOOST_TEST(!parseRetryAfter("soon", now));
}

BOOST_AUTO_TEST_CASE(server_errors_on_reads_honour_retry_after_within_the_deadline) {
    FakeCa ca;
    ca.steps = {problem(503, "serverInternal", "busy", {{"Retry-After", "7"}}), pendingOrder()};
    auto client = ca.client();
    fetchOrder(*client, kOrderUrl, Names(kNames));
    BOOST_REQUIRE(ca.clock.sleeps.size() == 1u);
    BOOST_TEST(ca.clock.sleeps[0].count() == 7000);
    ca.steps = {problem(503, "serverInternal", "busy", {{"Retry-After", "3600"}})};
    const AcmeError e = expectAcmeError([&] { fetchOrder(*client, kOrderUrl, Names(kNames)); });
    BOOST_TEST(e.exitCode() == 3);
    BOOST_TEST(e.retryAfter().value().count() == 3600);
}

BOOST_AUTO_TEST_CASE(redirects_are_not_followed) {
    FakeCa ca;
    ca.steps = {answer(302, "", {{"Location", "https://elsewhere.test/x"}})};
    auto client = ca.client();
    const AcmeError e = expectAcmeError([&] { fetchOrder(*client, kOrderUrl, Names(kNames)); });
    BOOST_TEST(std::string(e.what()) ==
               "acme order: redirect (HTTP 302) to \"https://elsewhere.test/x\" not followed");
    BOOST_TEST(e.exitCode() == 4);
}

BOOST_AUTO_TEST_CASE(signed_calls_need_an_account_url) {
    FakeCa ca;
    auto client = ca.client(false);
    try {
        fetchOrder(*client, kOrderUrl, Names(kNames));
        BOOST_FAIL("expected an Error");
    } catch (const Error& e) {
        BOOST_TEST(e.exitCode() == 1);
    }
}

BOOST_AUTO_TEST_SUITE_END()
