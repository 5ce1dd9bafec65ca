// Order flow over the fake CA: newOrder (+replaces), authorizations, challenge tasks, respond,
// finalize, certificate with alternates, the orders list, next steps.

#include "acme/Orders.h"

#include "FakeAcme.h"

#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::acme;
using namespace certagent::acme::test;

namespace {

const std::vector<std::string> kNames = {"shop.example.test", "*.shop.example.test"};

Poco::JSON::Object::Ptr payloadOf(const certagent::api::HttpRequest& r) {
    Poco::JSON::Parser parser;
    return parser.parse(decodeJws(r).payload).extract<Poco::JSON::Object::Ptr>();
}

} // namespace

BOOST_AUTO_TEST_SUITE(AcmeOrders)

BOOST_AUTO_TEST_CASE(new_order_sends_identifiers_and_replaces) {
    FakeCa ca;
    ca.steps = {answer(201,
                       orderJson("pending", {"*.Shop.example.test", "shop.example.test"},
                                 {kAuthzUrl, "https://ca.test/authz/2"}),
                       {{"Location", kOrderUrl}})};
    auto client = ca.client();
    const Order order = newOrder(*client, Names({"Shop.Example.test", "*.shop.example.test"}),
                                 "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
    BOOST_TEST(order.url == kOrderUrl);
    BOOST_TEST(order.status == "pending");
    BOOST_TEST(order.authorizations.size() == 2u);
    BOOST_TEST(order.finalize == kFinalizeUrl);
    BOOST_TEST((nextStep(order) == NextStep::Authorize));
    const auto payload = payloadOf(ca.calls().at(0));
    BOOST_TEST(payload->getValue<std::string>("replaces") == "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
    const auto ids = payload->getArray("identifiers");
    BOOST_REQUIRE(ids->size() == 2u);
    BOOST_TEST(ids->getObject(0)->getValue<std::string>("type") == "dns");
    BOOST_TEST(ids->getObject(0)->getValue<std::string>("value") == "shop.example.test");
    BOOST_TEST(ids->getObject(1)->getValue<std::string>("value") == "*.shop.example.test");
}

BOOST_AUTO_TEST_CASE(new_order_without_replaces_sends_none) {
    FakeCa ca;
    ca.steps = {answer(201, orderJson("pending", kNames), {{"Location", kOrderUrl}})};
    newOrder(*ca.client(), Names(kNames));
    BOOST_TEST(!payloadOf(ca.calls().at(0))->has("replaces"));
}

BOOST_AUTO_TEST_CASE(challenge_tasks_are_computed_locally) {
    FakeCa ca;
    ca.steps = {answer(200, authzJson("shop.example.test", true, kToken))};
    auto client = ca.client();
    const Authorization authz = fetchAuthorization(*client, kAuthzUrl, Names(kNames));
    BOOST_TEST(authz.status == "pending");
    BOOST_TEST(authz.wildcard);
    const auto http = challengeTask(authz, "http-01", client->key());
    BOOST_REQUIRE(http);
    BOOST_TEST(http->name == "*.shop.example.test");
    BOOST_TEST(http->url == kChallengeUrl);
    BOOST_TEST(http->token == kToken);
    BOOST_TEST(http->content == std::string(kToken) + "." + client->key().thumbprint());
    const auto dns = challengeTask(authz, "dns-01", client->key());
    BOOST_REQUIRE(dns);
    BOOST_TEST(dns->dnsName == "_acme-challenge.shop.example.test");
    BOOST_TEST(dns->dnsValue == dns01TxtValue(http->content));
    BOOST_TEST(dns->token.empty());
    BOOST_TEST(dns->content.empty());
    BOOST_CHECK_THROW(challengeTask(authz, "tls-alpn-01", client->key()), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(missing_challenge_type_gives_no_task) {
    FakeCa ca;
    ca.steps = {answer(200, R"({"identifier":{"type":"dns","value":"shop.example.test"},)"
                            R"("status":"valid","challenges":[]})")};
    auto client = ca.client();
    const Authorization authz = fetchAuthorization(*client, kAuthzUrl, Names(kNames));
    BOOST_TEST(!challengeTask(authz, "http-01", client->key()));
}

BOOST_AUTO_TEST_CASE(respond_posts_an_empty_object) {
    FakeCa ca;
    ca.steps = {answer(200, std::string(R"({"type":"http-01","url":")") + kChallengeUrl +
                                R"(","status":"processing","token":")" + kToken + "\"}")};
    auto client = ca.client();
    const Challenge c = respondToChallenge(*client, kChallengeUrl);
    BOOST_TEST(c.status == "processing");
    const auto jws = decodeJws(ca.calls().at(0));
    BOOST_TEST(jws.payload == "{}");
}

BOOST_AUTO_TEST_CASE(finalize_sends_the_csr_as_base64url_der) {
    FakeCa ca;
    ca.steps = {answer(200, orderJson("processing", kNames))};
    auto client = ca.client();
    Order order;
    order.url = kOrderUrl;
    order.finalize = kFinalizeUrl;
    const std::string der("\x30\x82\xff\xfe", 4);
    const Order after = finalizeOrder(*client, order, der, Names(kNames));
    BOOST_TEST(after.status == "processing");
    BOOST_TEST(after.url == kOrderUrl);
    BOOST_TEST((nextStep(after) == NextStep::Wait));
    const auto req = ca.calls().at(0);
    BOOST_TEST(req.target == "/order/1/finalize");
    BOOST_TEST(payloadOf(req)->getValue<std::string>("csr") == b64url(der));
}

BOOST_AUTO_TEST_CASE(certificate_download_takes_the_default_then_each_alternate) {
    FakeCa ca;
    ca.steps = {answer(200, "DEFAULT PEM",
                       {{"Link", "<https://ca.test/dir>;rel=\"index\""},
                        {"Link", "<https://ca.test/cert/1/alt/1>;rel=\"alternate\", "
                                 "</cert/1/alt/2>; rel=alternate"}}),
                answer(200, "ALT1 PEM"), answer(200, "ALT2 PEM")};
    auto client = ca.client();
    const auto chains = downloadCertificate(*client, kCertUrl);
    BOOST_REQUIRE(chains.size() == 3u);
    BOOST_TEST(chains[0].pem == "DEFAULT PEM");
    BOOST_TEST(chains[1].url == "https://ca.test/cert/1/alt/1");
    BOOST_TEST(chains[1].pem == "ALT1 PEM");
    BOOST_TEST(chains[2].url == "https://ca.test/cert/1/alt/2");
    BOOST_TEST(chains[2].pem == "ALT2 PEM");
    for (const auto& req : ca.calls()) {
        BOOST_TEST(req.accept == "application/pem-certificate-chain");
        BOOST_TEST(decodeJws(req).payloadB64.empty());
    }
}

BOOST_AUTO_TEST_CASE(empty_certificate_body_is_refused) {
    FakeCa ca;
    ca.steps = {answer(200, "")};
    const AcmeError e = expectAcmeError([&] { downloadCertificate(*ca.client(), kCertUrl); });
    BOOST_TEST(std::string(e.what()) ==
               "acme certificate: chain https://ca.test/cert/1 is empty or not text");
}

BOOST_AUTO_TEST_CASE(orders_list_follows_next_links_and_stops_at_a_loop) {
    FakeCa ca;
    ca.steps = {answer(200, R"({"orders":["https://ca.test/order/1","https://ca.test/order/2"]})",
                       {{"Link", "<https://ca.test/orders?cursor=2>;rel=\"next\""}}),
                answer(200, R"({"orders":["https://ca.test/order/3"]})",
                       {{"Link", "<https://ca.test/orders?cursor=2>;rel=\"next\""}})};
    const auto orders = listOrders(*ca.client(), "https://ca.test/orders");
    BOOST_TEST(orders ==
                   (std::vector<std::string>{"https://ca.test/order/1", "https://ca.test/order/2",
                                             "https://ca.test/order/3"}),
               boost::test_tools::per_element());
    BOOST_TEST(ca.calls().size() == 2u);
    BOOST_TEST(ca.calls().at(1).target == "/orders?cursor=2");
}

BOOST_AUTO_TEST_CASE(next_steps_follow_the_status) {
    Order o;
    for (const auto& [status, step] :
         {std::pair{"pending", NextStep::Authorize}, std::pair{"ready", NextStep::Finalize},
          std::pair{"processing", NextStep::Wait}, std::pair{"valid", NextStep::Download},
          std::pair{"invalid", NextStep::Failed}}) {
        o.status = status;
        BOOST_TEST((nextStep(o) == step), status);
    }
}

BOOST_AUTO_TEST_CASE(invalid_order_keeps_the_problem) {
    FakeCa ca;
    ca.steps = {answer(200, orderJson("invalid", kNames, {kAuthzUrl},
                                      R"(,"error":{"type":"urn:ietf:params:acme:error:)"
                                      R"(incorrectResponse","detail":"404 from 127.0.0.1"})"))};
    const Order o = fetchOrder(*ca.client(), kOrderUrl, Names(kNames));
    BOOST_TEST((nextStep(o) == NextStep::Failed));
    BOOST_REQUIRE(o.error);
    BOOST_TEST(o.error->describe() == "incorrectResponse: 404 from 127.0.0.1");
}

BOOST_AUTO_TEST_CASE(names_are_checked_when_configured) {
    BOOST_CHECK_THROW(Names({}), ConfigError);
    BOOST_CHECK_THROW(Names({"a.test", ""}), ConfigError);
    const Names n({"A.test", "*.a.test"});
    BOOST_TEST(n.covers("a.TEST", false));
    BOOST_TEST(n.covers("a.test", true));
    BOOST_TEST(!n.covers("b.a.test", false));
    BOOST_TEST(n.sameSet({"*.a.test", "a.test"}));
    BOOST_TEST(!n.sameSet({"a.test", "a.test"}));
    BOOST_TEST(!n.sameSet({"a.test", "*.a.test", "b.test"}));
}

BOOST_AUTO_TEST_SUITE_END()
