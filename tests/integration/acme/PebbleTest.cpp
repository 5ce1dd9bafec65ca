// The ACME client alone against the real pebble CA (Debian package): accounts, EAB, a real
// http-01 validation served by a private nginx, dns-01 apex + wildcard through challtestsrv, a
// 50 % badNonce storm, alternate chains through the verification gate, the orders list.

#include "NginxProcess.h"
#include "PebbleDriver.h"
#include "acme/Account.h"
#include "crypto/GateError.h"
#include "crypto/Keys.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::acme;
using namespace certagent::acme::test;
using certagent::test::PebbleOptions;
using certagent::test::PebbleProcess;

namespace {

const char* const kEabKid = "kid-1";
const char* const kEabKey = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";

} // namespace

BOOST_AUTO_TEST_SUITE(AcmePebble)

BOOST_AUTO_TEST_CASE(account_is_created_then_found_by_its_key) {
    PebbleProcess pebble;
    PebbleDriver driver(pebble);
    const auto key = crypto::generateKey(crypto::KeyType::EcP384);
    const std::string pem = crypto::privateKeyToPem(*key);
    auto first = driver.client(AccountKey::fromPem(pem, "account.key"));
    const AccountFacts created = driver.newAccount(*first);
    BOOST_TEST(created.created);
    BOOST_TEST(created.status == "valid");
    BOOST_TEST(created.url.rfind(pebble.directoryUrl().substr(0, 22), 0) == 0, created.url);
    BOOST_TEST(!created.orders.empty());

    auto again = driver.client(AccountKey::fromPem(pem, "account.key"));
    const auto found = findAccount(*again);
    BOOST_REQUIRE(found);
    BOOST_TEST(found->url == created.url);
    BOOST_TEST(again->accountUrl() == created.url);
    BOOST_TEST(fetchAccount(*again).status == "valid");
    BOOST_TEST(!driver.newAccount(*again).created); // the same key: the existing account

    BOOST_TEST(!findAccount(*driver.client())); // an unknown key
}

BOOST_AUTO_TEST_CASE(eab_is_required_refused_without_and_accepted_with) {
    PebbleOptions options;
    options.eabRequired = true;
    options.eabKeys = {{kEabKid, kEabKey}};
    PebbleProcess pebble(options);
    PebbleDriver driver(pebble);

    auto client = driver.client();
    AcmeError e = certagent::test::expectThrow<AcmeError>([&] { driver.newAccount(*client); });
    BOOST_TEST(e.exitCode() == 2);
    BOOST_TEST(client->stats().requests == 1); // the directory only: nothing was POSTed

    const Eab wrong{kEabKid, decodeEabKey("c2VjcmV0LW5vdC10aGUtcmlnaHQtb25l", "eab")};
    AccountRequest request;
    request.agreeTos = true;
    request.eab = &wrong;
    e = certagent::test::expectThrow<AcmeError>([&] { registerAccount(*client, request); });
    BOOST_TEST(e.exitCode() == 4, e.what());

    const Eab right{kEabKid, decodeEabKey(kEabKey, "eab")};
    request.eab = &right;
    const AccountFacts facts = registerAccount(*client, request);
    BOOST_TEST(facts.created);
    for (const std::string& line : driver.logs) {
        BOOST_TEST(line.find(kEabKey) == std::string::npos, line);
    }
}

BOOST_AUTO_TEST_CASE(http01_through_nginx_gives_a_certificate_that_passes_the_gate) {
    certagent::test::NginxProcess nginx;
    const int port = certagent::test::freePort();
    const std::vector<std::string> names = {"shop.example.test", "www.shop.example.test"};
    const std::string webroot = nginx.prefix() + "/www";
    nginx.addHttpSite("shop", names, port, webroot);
    nginx.start({port});
    PebbleOptions options;
    options.httpPort = port;
    PebbleProcess pebble(options);
    PebbleDriver driver(pebble);
    auto client = driver.client();
    const AccountFacts account = driver.newAccount(*client);

    const Issued issued = driver.issue(*client, names, "http-01", webroot);
    BOOST_TEST(issued.chains.size() == 1u);
    const auto verified = driver.verify(issued, 0, pebble.rootPath(0));
    BOOST_TEST(verified.facts.names == names, boost::test_tools::per_element());
    // Each token was fetched by pebble's VA from nginx (the files exist; nothing else serves).
    BOOST_TEST(issued.order.authorizations.size() == 2u);

    const auto orders = listOrders(*client, account.orders);
    BOOST_TEST((std::find(orders.begin(), orders.end(), issued.order.url) != orders.end()));
}

BOOST_AUTO_TEST_CASE(dns01_apex_and_wildcard_share_one_name_with_two_values) {
    PebbleOptions options;
    options.certificateValidityPeriod = 600; // 10-minute certificates
    PebbleProcess pebble(options);
    PebbleDriver driver(pebble);
    auto client = driver.client();
    driver.newAccount(*client);
    const std::vector<std::string> names = {"shop.example.test", "*.shop.example.test"};
    const Issued issued = driver.issue(*client, names, "dns-01");
    const auto verified = driver.verify(issued, 0, pebble.rootPath(0));
    BOOST_TEST(verified.facts.names.size() == 2u);
    const auto lifetime = verified.facts.notAfter - verified.facts.notBefore;
    BOOST_TEST(std::chrono::duration_cast<std::chrono::seconds>(lifetime).count() <= 601);
}

BOOST_AUTO_TEST_CASE(half_the_nonces_rejected_still_issues_every_order) {
    PebbleOptions options;
    options.env = {"PEBBLE_WFE_NONCEREJECT=50"};
    PebbleProcess pebble(options);
    PebbleDriver driver(pebble);
    auto client = driver.client();
    driver.newAccount(*client);
    for (int i = 0; i < 5; ++i) {
        const std::string name = "n" + std::to_string(i) + ".example.test";
        const Issued issued = driver.issue(*client, {name}, "dns-01");
        driver.verify(issued, 0, pebble.rootPath(0));
    }
    BOOST_TEST(client->stats().badNonces > 5, client->stats().badNonces);
    BOOST_TEST_MESSAGE("badNonce retries: " << client->stats().badNonces << " in "
                                            << client->stats().requests << " requests");
}

BOOST_AUTO_TEST_CASE(alternate_chains_each_lead_to_their_own_root) {
    PebbleOptions options;
    options.env = {"PEBBLE_ALTERNATE_ROOTS=1", "PEBBLE_CHAIN_LENGTH=2"};
    PebbleProcess pebble(options);
    PebbleDriver driver(pebble);
    auto client = driver.client();
    driver.newAccount(*client);
    const Issued issued = driver.issue(*client, {"alt.example.test"}, "dns-01");
    BOOST_REQUIRE(issued.chains.size() == 2u);
    const std::string root0 = pebble.rootPath(0);
    const std::string root1 = pebble.rootPath(1);
    const auto viaDefault = driver.verify(issued, 0, root0);
    const auto viaAlternate = driver.verify(issued, 1, root1);
    BOOST_TEST(viaDefault.facts.serialHex == viaAlternate.facts.serialHex);
    try {
        driver.verify(issued, 0, root1);
        BOOST_FAIL("the default chain must not reach the alternate root");
    } catch (const crypto::GateError& e) {
        BOOST_TEST((e.failure() == crypto::GateFailure::NoTrustedPath), e.what());
    }
}

BOOST_AUTO_TEST_CASE(orders_list_spans_pages) {
    PebbleProcess pebble; // pebble shows 3 orders per page
    PebbleDriver driver(pebble);
    auto client = driver.client();
    const AccountFacts account = driver.newAccount(*client);
    std::vector<std::string> placed;
    for (int i = 0; i < 5; ++i) {
        placed.push_back(newOrder(*client, Names({"p" + std::to_string(i) + ".example.test"})).url);
    }
    const auto listed = listOrders(*client, account.orders);
    for (const std::string& url : placed) {
        BOOST_TEST((std::find(listed.begin(), listed.end(), url) != listed.end()), url);
    }
}

BOOST_AUTO_TEST_SUITE_END()
