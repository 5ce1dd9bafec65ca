// Hostile-server rules (design-acme.md §3.10): each one refused with exit 4 and one clear line.

#include "FakeAcme.h"
#include "acme/Account.h"
#include "acme/Orders.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::acme;
using namespace certagent::acme::test;

namespace {

const std::vector<std::string> kNames = {"shop.example.test"};

/// Runs `f` and checks it is refused with exit 4 and exactly `message`.
void refused(const std::function<void()>& f, const std::string& message) {
    const AcmeError e = expectAcmeError(f);
    BOOST_TEST(e.exitCode() == 4, e.what());
    BOOST_TEST(!e.retryable());
    BOOST_TEST(std::string(e.what()) == message);
}

Authorization authzWith(FakeCa& ca, const std::string& body,
                        const std::vector<std::string>& names = kNames) {
    ca.steps = {answer(200, body)};
    return fetchAuthorization(*ca.client(), kAuthzUrl, Names(names));
}

} // namespace

BOOST_AUTO_TEST_SUITE(AcmeHostile)

BOOST_AUTO_TEST_CASE(token_with_a_path_is_refused) {
    FakeCa ca;
    refused([&] { authzWith(ca, authzJson("shop.example.test", false, "../x")); },
            "acme authorization: authorization.challenges[0].token: \"../x\" is not 16 to 128 "
            "characters of [A-Za-z0-9_-]");
    refused([&] { authzWith(ca, authzJson("shop.example.test", false, "../../../../etc/passwd")); },
            "acme authorization: authorization.challenges[0].token: \"../../../../etc/passwd\" "
            "is not 16 to 128 characters of [A-Za-z0-9_-]");
}

BOOST_AUTO_TEST_CASE(token_with_a_dot_or_wrong_length_is_refused) {
    for (const std::string& token :
         std::vector<std::string>{"abcdefghijklmnop.q", "abcdefghijklmno", std::string(129, 'a'),
                                  "abcdefghijklmnop%2F"}) {
        FakeCa ca;
        const AcmeError e =
            expectAcmeError([&] { authzWith(ca, authzJson("shop.example.test", false, token)); });
        BOOST_TEST(e.exitCode() == 4);
        BOOST_TEST(std::string(e.what()).find("is not 16 to 128 characters") != std::string::npos,
                   e.what());
    }
    FakeCa ca;
    BOOST_TEST(authzWith(ca, authzJson("shop.example.test", false, std::string(128, '_')))
                   .challenges.size() == 2u);
}

BOOST_AUTO_TEST_CASE(http01_without_token_is_refused) {
    FakeCa ca;
    refused(
        [&] {
            authzWith(ca, R"({"identifier":{"type":"dns","value":"shop.example.test"},)"
                          R"("status":"pending","challenges":[{"type":"http-01","url":)"
                          R"("https://ca.test/chall/1","status":"pending"}]})");
        },
        "acme authorization: authorization.challenges[0].token: missing");
}

BOOST_AUTO_TEST_CASE(off_origin_location_is_refused) {
    for (const std::string& location :
         std::vector<std::string>{"https://evil.test/order/1", "https://ca.test:8443/order/1",
                                  "http://ca.test/order/1", "https://user@ca.test/order/1"}) {
        FakeCa ca;
        ca.steps = {answer(201, orderJson("pending", kNames), {{"Location", location}})};
        auto client = ca.client();
        const AcmeError e = expectAcmeError([&] { newOrder(*client, Names(kNames)); });
        BOOST_TEST(std::string(e.what()) == "acme newOrder: Location " + location +
                                                " is not on the CA's origin https://ca.test:443");
        BOOST_TEST(e.exitCode() == 4);
        BOOST_TEST(e.maybeProcessed()); // the CA may have made an order all the same
    }
}

BOOST_AUTO_TEST_CASE(relative_location_is_resolved_on_the_origin) {
    FakeCa ca;
    ca.steps = {answer(201, orderJson("pending", kNames), {{"Location", "/order/1"}})};
    BOOST_TEST(newOrder(*ca.client(), Names(kNames)).url == kOrderUrl);
}

BOOST_AUTO_TEST_CASE(http_finalize_url_is_refused) {
    FakeCa ca;
    std::string body = orderJson("pending", kNames);
    body.replace(body.find(kFinalizeUrl), std::string(kFinalizeUrl).size(),
                 "http://ca.test/order/1/finalize");
    ca.steps = {answer(200, body)};
    refused([&] { fetchOrder(*ca.client(), kOrderUrl, Names(kNames)); },
            "acme order: order.finalize http://ca.test/order/1/finalize is not on the CA's "
            "origin https://ca.test:443");
}

BOOST_AUTO_TEST_CASE(off_origin_authorization_and_challenge_urls_are_refused) {
    FakeCa ca;
    ca.steps = {answer(200, orderJson("pending", kNames, {"https://169.254.169.254/latest"}))};
    refused([&] { fetchOrder(*ca.client(), kOrderUrl, Names(kNames)); },
            "acme order: order.authorizations[0] https://169.254.169.254/latest is not on the "
            "CA's origin https://ca.test:443");
    std::string authz = authzJson("shop.example.test", false, kToken);
    authz.replace(authz.find(kChallengeUrl), std::string(kChallengeUrl).size(),
                  "https://localhost/chall");
    refused([&] { authzWith(ca, authz); },
            "acme authorization: authorization.challenges[0].url https://localhost/chall is not "
            "on the CA's origin https://ca.test:443");
}

BOOST_AUTO_TEST_CASE(ten_thousand_authorizations_are_refused) {
    std::vector<std::string> urls;
    for (int i = 0; i < 10000; ++i) {
        urls.push_back("https://ca.test/a/" + std::to_string(i));
    }
    FakeCa ca;
    ca.steps = {answer(200, orderJson("pending", kNames, urls))};
    refused([&] { fetchOrder(*ca.client(), kOrderUrl, Names(kNames)); },
            "acme order: order.authorizations: 10000 entries (at most 100 accepted)");
}

BOOST_AUTO_TEST_CASE(twenty_one_challenges_are_refused) {
    std::string challenges;
    for (int i = 0; i < 21; ++i) {
        challenges += std::string(i ? "," : "") + R"({"type":"x-)" + std::to_string(i) +
                      R"(","url":"https://ca.test/c","status":"pending"})";
    }
    FakeCa ca;
    refused(
        [&] {
            authzWith(ca, R"({"identifier":{"type":"dns","value":"shop.example.test"},)"
                          R"("status":"pending","challenges":[)" +
                              challenges + "]}");
        },
        "acme authorization: authorization.challenges: 21 entries (at most 20 accepted)");
}

BOOST_AUTO_TEST_CASE(unrequested_wildcard_identifier_is_refused) {
    FakeCa ca;
    refused([&] { authzWith(ca, authzJson("shop.example.test", true, kToken)); },
            "acme authorization: authorization.identifier: \"*.shop.example.test\" is not one of "
            "the configured names");
    refused([&] { authzWith(ca, authzJson("other.example.test", false, kToken)); },
            "acme authorization: authorization.identifier: \"other.example.test\" is not one of "
            "the configured names");
    const Authorization ok = authzWith(ca, authzJson("shop.example.test", true, kToken),
                                       {"shop.example.test", "*.shop.example.test"});
    BOOST_TEST(ok.name() == "*.shop.example.test");
}

BOOST_AUTO_TEST_CASE(order_for_other_names_is_refused) {
    FakeCa ca;
    ca.steps = {answer(200, orderJson("pending", {"shop.example.test", "*.shop.example.test"}))};
    refused([&] { fetchOrder(*ca.client(), kOrderUrl, Names(kNames)); },
            "acme order: order.identifiers: [shop.example.test, *.shop.example.test] differ from "
            "the configured names");
}

BOOST_AUTO_TEST_CASE(created_without_location_is_refused) {
    FakeCa ca;
    ca.steps = {answer(201, orderJson("pending", kNames))};
    refused([&] { newOrder(*ca.client(), Names(kNames)); },
            "acme newOrder: HTTP 201 without Location");
    ca.steps = {answer(201, R"({"status":"valid"})")};
    refused([&] { registerAccount(*ca.client(false), {}); },
            "acme newAccount: HTTP 201 without Location");
}

BOOST_AUTO_TEST_CASE(oversized_body_is_refused) {
    FakeCa ca;
    std::string body = orderJson("pending", kNames);
    body.insert(body.size() - 1, R"(,"pad":")" + std::string(1100 * 1024, 'x') + "\"");
    ca.steps = {answer(200, body)};
    refused([&] { fetchOrder(*ca.client(), kOrderUrl, Names(kNames)); },
            "acme order: order: reply body larger than 1048576 bytes");
}

BOOST_AUTO_TEST_CASE(unknown_status_and_odd_json_are_refused) {
    FakeCa ca;
    ca.steps = {answer(200, orderJson("issued", kNames))};
    refused([&] { fetchOrder(*ca.client(), kOrderUrl, Names(kNames)); },
            "acme order: order.status: unknown value \"issued\"");
    ca.steps = {answer(200, R"({"status":"valid","identifiers":"shop.example.test"})")};
    refused([&] { fetchOrder(*ca.client(), kOrderUrl, Names(kNames)); },
            "acme order: order.identifiers: not an array");
    ca.steps = {answer(200, orderJson("valid", kNames))};
    refused([&] { fetchOrder(*ca.client(), kOrderUrl, Names(kNames)); },
            "acme order: order.certificate: missing in a valid order");
}

BOOST_AUTO_TEST_CASE(unreadable_body_is_transient) {
    FakeCa ca;
    ca.steps = {answer(200, "{\"status\":")};
    const AcmeError e =
        expectAcmeError([&] { fetchOrder(*ca.client(), kOrderUrl, Names(kNames)); });
    BOOST_TEST(e.exitCode() == 3);
    BOOST_TEST(std::string(e.what()).rfind("acme order: order: reply is not JSON", 0) == 0,
               e.what());
}

BOOST_AUTO_TEST_CASE(off_origin_directory_entries_are_refused) {
    FakeCa ca;
    ca.directory = R"({"newNonce":"https://ca.test/nonce","newAccount":"https://ca.test/acct",)"
                   R"("newOrder":"https://internal.corp/order"})";
    refused([&] { newOrder(*ca.client(), Names(kNames)); },
            "acme directory: directory.newOrder https://internal.corp/order is not on the CA's "
            "origin https://ca.test:443");
    BOOST_TEST(ca.requests.size() == 1u); // only the directory was fetched
}

BOOST_AUTO_TEST_CASE(off_origin_alternate_chain_link_is_refused) {
    FakeCa ca;
    ca.steps = {answer(200, "-----BEGIN CERTIFICATE-----\n",
                       {{"Link", "<https://evil.test/alt/1>;rel=\"alternate\""}})};
    refused([&] { downloadCertificate(*ca.client(), kCertUrl); },
            "acme certificate: Link rel=alternate https://evil.test/alt/1 is not on the CA's "
            "origin https://ca.test:443");
    BOOST_TEST(ca.calls().size() == 1u);
}

BOOST_AUTO_TEST_CASE(too_many_alternate_chains_are_refused) {
    FakeCa ca;
    std::vector<std::pair<std::string, std::string>> links;
    for (int i = 0; i < 9; ++i) {
        links.emplace_back("Link",
                           "<https://ca.test/alt/" + std::to_string(i) + ">;rel=\"alternate\"");
    }
    ca.steps = {answer(200, "pem", links)};
    refused([&] { downloadCertificate(*ca.client(), kCertUrl); },
            "acme certificate: 9 alternate chains (at most 8 accepted)");
}

BOOST_AUTO_TEST_CASE(urls_given_by_the_caller_are_checked_too) {
    FakeCa ca;
    refused([&] { fetchOrder(*ca.client(), "https://elsewhere.test/order/1", Names(kNames)); },
            "acme order: URL https://elsewhere.test/order/1 is not on the CA's origin "
            "https://ca.test:443");
    BOOST_TEST(ca.requests.empty());
}

BOOST_AUTO_TEST_SUITE_END()
