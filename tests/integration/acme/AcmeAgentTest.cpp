// The real certagent binary with `backend = acme` against the real pebble CA and a private nginx:
// http-01 through the web root, the nginx installer, idle runs that ask the CA nothing, failed
// validation, authorization reuse, kill -9 in the middle of an order.

#include "AcmeEnv.h"
#include "TestCa.h"
#include "crypto/TlsProbe.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

using namespace certagent;
using namespace certagent::test;

namespace {

const std::vector<std::string> kNames = {"shop.example.test", "www.shop.example.test"};

} // namespace

BOOST_AUTO_TEST_SUITE(AcmeAgent)

BOOST_AUTO_TEST_CASE(http01_certificate_is_installed_and_served_then_runs_are_idle) {
    AcmeEnvOptions options;
    options.tlsSite = true;
    AcmeEnv env(options);
    env.configure();
    env.cert("shop", env.httpCert(kNames, "installer = nginx\n"));

    auto first = env.agent({"run", "--wait", "2m"});
    BOOST_TEST_REQUIRE(first.exitCode == 0, first.output + env.pebble().log());
    auto state = env.state();
    BOOST_TEST(state["phase"] == "installed");
    BOOST_TEST(state["backend"] == "acme");
    BOOST_TEST(state["orderRef"].rfind("https://127.0.0.1:", 0) == 0, state["orderRef"]);
    BOOST_TEST(env.challengeFiles().empty()); // placed for the CA, removed after
    std::string expected = sha256Fingerprint(*certFromPem(env.liveCert()));
    for (const std::string& name : kNames)
        BOOST_TEST(crypto::probeTls("127.0.0.1", env.tlsPort(), name).leafSha256 == expected);
    auto verify =
        runCommand({"/usr/bin/openssl", "verify", "-CAfile", env.pebble().rootPath(0), "-untrusted",
                    env.store() + "/live/shop/chain.pem", env.store() + "/live/shop/cert.pem"});
    BOOST_TEST(verify.exitCode == 0, verify.output);
    // The account key and record are the store's, readable by root only.
    for (const std::string& line : env.accountFiles())
        BOOST_TEST((contains(line, " 0700") || contains(line, " 0600")), line);

    std::size_t requests = env.pebble().requestCount();
    auto second = env.agent({"--log-level", "debug", "run"});
    BOOST_TEST(second.exitCode == 0, second.output);
    auto third = env.agent({"--log-level", "debug", "run"});
    BOOST_TEST(third.exitCode == 0, third.output);
    BOOST_TEST(env.pebble().requestCount() == requests, second.output + third.output);
    BOOST_TEST(!contains(second.output + third.output, "acme "), second.output + third.output);
    BOOST_TEST(sha256Fingerprint(*certFromPem(env.liveCert())) == expected);

    auto status = env.agent({"status", "--json"});
    BOOST_TEST_REQUIRE(status.exitCode == 0, status.output);
    auto rows = Poco::JSON::Parser().parse(status.output).extract<Poco::JSON::Array::Ptr>();
    auto row = rows->getObject(0);
    BOOST_TEST(row->getValue<std::string>("backend") == "acme");
    BOOST_TEST(row->getValue<std::string>("order_ref") == state["orderRef"]);
    BOOST_TEST(row->get("ari_window").isEmpty());
}

BOOST_AUTO_TEST_CASE(failed_validation_exits_4_cleans_up_and_backs_off) {
    AcmeEnv env;
    env.configure();
    // A web root nginx does not serve: pebble's VA finds no token.
    std::string elsewhere = env.dir() / "not-served";
    ::mkdir(elsewhere.c_str(), 0755);
    env.cert("shop", "domains = shop.example.test\ndcv = http\nwebroot = " + elsewhere + "\n");

    auto first = env.agent({"run", "--wait", "2m"});
    BOOST_TEST(first.exitCode == 4, first.output);
    BOOST_TEST(contains(first.output, "is invalid ("), first.output);
    BOOST_TEST((contains(first.output, "unauthorized") || contains(first.output, "connection")),
               first.output);
    auto state = env.state();
    BOOST_TEST(state["phase"] == "idle");
    BOOST_TEST(!state["backoffUntil"].empty());
    BOOST_TEST(state["dcvFiles"] == "0");
    BOOST_TEST(entriesOf(elsewhere + "/.well-known/acme-challenge").empty());
    std::size_t orders = env.pebble().requestCount("POST /order-plz");
    BOOST_TEST(orders == 1u);

    auto second = env.agent({"run"}); // backing off: no new order, no loop
    BOOST_TEST(second.exitCode == 0, second.output);
    BOOST_TEST(contains(second.output, "backing off"), second.output);
    BOOST_TEST(env.pebble().requestCount("POST /order-plz") == orders);
}

BOOST_AUTO_TEST_CASE(valid_authorizations_are_reused_without_a_validation_file) {
    AcmeEnvOptions options;
    options.pebble.env = {"PEBBLE_AUTHZREUSE=100"};
    AcmeEnv env(options);
    env.configure();
    env.cert("shop", env.httpCert(kNames));
    auto first = env.agent({"run", "--wait", "2m"});
    BOOST_TEST_REQUIRE(first.exitCode == 0, first.output);
    BOOST_TEST(contains(first.output, "validation file for"), first.output);
    std::string firstCert = env.liveCert();

    auto again = env.agent({"issue", "shop", "--wait", "2m"});
    BOOST_TEST_REQUIRE(again.exitCode == 0, again.output);
    BOOST_TEST(!contains(again.output, "validation file"), again.output);
    BOOST_TEST(env.liveCert() != firstCert);
    BOOST_TEST(env.challengeFiles().empty());
}

BOOST_AUTO_TEST_CASE(kill_after_new_order_then_the_next_run_finishes_that_order) {
    AcmeEnv env;
    env.configure();
    env.cert("shop", env.httpCert(kNames));
    auto killed = env.agent({"run"}, {"CERTAGENT_FAULT=acme.after-neworder:kill"});
    BOOST_TEST(killed.exitCode != 0, killed.output);
    BOOST_TEST(env.state()["phase"] == "ordering");
    BOOST_TEST(env.state()["orderRef"].empty());

    auto next = env.agent({"run", "--wait", "2m"});
    BOOST_TEST_REQUIRE(next.exitCode == 0, next.output);
    BOOST_TEST(contains(next.output, "the CA has it"), next.output);
    BOOST_TEST(env.state()["phase"] == "installed");
    BOOST_TEST(env.pebble().requestCount("POST /order-plz") == 1u); // the same order
}

BOOST_AUTO_TEST_CASE(kill_after_finalize_then_the_next_run_installs_that_order) {
    AcmeEnv env;
    env.configure();
    env.cert("shop", env.httpCert(kNames));
    auto killed = env.agent({"run", "--wait", "2m"}, {"CERTAGENT_FAULT=acme.after-finalize:kill"});
    BOOST_TEST(killed.exitCode != 0, killed.output);
    std::string order = env.state()["orderRef"];
    BOOST_TEST(env.state()["phase"] == "validating");
    BOOST_TEST(!order.empty());

    auto next = env.agent({"run", "--wait", "2m"});
    BOOST_TEST_REQUIRE(next.exitCode == 0, next.output);
    BOOST_TEST(env.state()["phase"] == "installed");
    BOOST_TEST(env.state()["orderRef"] == order);
    BOOST_TEST(env.pebble().requestCount("POST /order-plz") == 1u);
    BOOST_TEST(env.pebble().requestCount("POST /finalize-order/") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
