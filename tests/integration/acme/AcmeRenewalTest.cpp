// Renewal of 10-minute pebble certificates through the real binary, with ACME Renewal Information
// from the AriShim in front of pebble: a window ahead is kept and shown, a window that has come
// makes the certificate due with `replaces`, a broken ARI endpoint changes nothing but the time
// of the next question, and the local policy still renews on its own.

#include "AcmeEnv.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

#include <ctime>

using namespace certagent;
using namespace certagent::test;

namespace {

struct Fixture {
    AcmeEnv env{[] {
        AcmeEnvOptions o;
        o.ariShim = true;
        o.pebble.certificateValidityPeriod = 600;
        return o;
    }()};
    std::string metrics = env.dir() / "certagent.prom";

    Fixture() {
        env.configure("[renewal]\nbefore = 1/2\n[metrics]\ntextfile = " + metrics + "\n");
        env.cert("shop", env.httpCert({"shop.example.test"}));
        auto first = env.agent({"run", "--wait", "2m"});
        BOOST_TEST_REQUIRE(first.exitCode == 0, first.output);
    }
    long long stateTime(const std::string& key) {
        auto text = env.state()[key];
        std::tm tm{};
        BOOST_REQUIRE(strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm));
        return static_cast<long long>(timegm(&tm));
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(AcmeRenewal)

BOOST_FIXTURE_TEST_CASE(a_window_ahead_is_kept_shown_and_asked_again_only_later, Fixture) {
    std::time_t now = std::time(nullptr);
    env.shim().setWindow(now + 3600, now + 7200, 3600);
    std::string cert = env.liveCert();
    auto run = env.agent({"run"});
    BOOST_TEST(run.exitCode == 0, run.output);
    BOOST_TEST(env.shim().askedCertIds().size() == 1u);
    auto state = env.state();
    BOOST_TEST(state["ariCertId"] == env.shim().askedCertIds().at(0));
    long long chosen = stateTime("ariChosen");
    BOOST_TEST(chosen >= now + 3600);
    BOOST_TEST(chosen < now + 7200);
    BOOST_TEST(stateTime("ariNextCheck") >= now + 3600);
    BOOST_TEST(env.liveCert() == cert); // not due: the window has not come, the policy neither

    auto again = env.agent({"run"});
    BOOST_TEST(again.exitCode == 0, again.output);
    BOOST_TEST(env.shim().askedCertIds().size() == 1u); // Retry-After not over: no question
    BOOST_TEST(stateTime("ariChosen") == chosen);       // the time chosen stays

    auto status = env.agent({"status", "--json"});
    auto row =
        Poco::JSON::Parser().parse(status.output).extract<Poco::JSON::Array::Ptr>()->getObject(0);
    BOOST_TEST(row->getObject("ari_window")->getValue<std::string>("start") ==
               state["ariWindowStart"]);
    BOOST_TEST(row->getValue<std::string>("ari_chosen") == state["ariChosen"]);
    BOOST_TEST(contains(readFile(metrics), "certagent_cert_ari_renew_at_seconds{name=\"shop\"} " +
                                               std::to_string(chosen)),
               readFile(metrics));
    auto table = env.agent({"status"});
    BOOST_TEST(contains(table.output, "renewal window (CA): " + state["ariWindowStart"]),
               table.output);
}

BOOST_FIXTURE_TEST_CASE(a_window_that_has_come_renews_with_replaces, Fixture) {
    std::time_t now = std::time(nullptr);
    env.shim().setWindow(now - 7200, now - 3600);
    std::string cert = env.liveCert();
    auto run = env.agent({"run", "--wait", "2m"});
    BOOST_TEST_REQUIRE(run.exitCode == 0, run.output);
    BOOST_TEST(contains(run.output, "the CA suggests renewal now"), run.output);
    BOOST_TEST(env.liveCert() != cert);
    BOOST_REQUIRE(env.shim().askedCertIds().size() == 1u);
    auto replaces = env.shim().replaces();
    BOOST_REQUIRE(replaces.size() == 2u); // the first order, then the renewal
    BOOST_TEST(replaces[0].empty());
    BOOST_TEST(replaces[1] == env.shim().askedCertIds()[0]);
    BOOST_TEST(env.state()["ariCertId"].empty()); // a new certificate: asked about afresh
}

BOOST_FIXTURE_TEST_CASE(a_broken_ari_endpoint_changes_only_the_next_question, Fixture) {
    env.shim().failWith(500);
    std::time_t now = std::time(nullptr);
    std::string cert = env.liveCert();
    auto run = env.agent({"run"});
    BOOST_TEST(run.exitCode == 0, run.output);
    BOOST_TEST(contains(run.output, "renewal information: acme renewalInfo"), run.output);
    BOOST_TEST(stateTime("ariNextCheck") >= now + 6 * 3600 - 5);
    BOOST_TEST(env.state()["backoffUntil"].empty());
    BOOST_TEST(env.liveCert() == cert);
}

BOOST_FIXTURE_TEST_CASE(the_local_policy_renews_ten_minute_certificates_on_its_own, Fixture) {
    // renew 10m before notAfter of a 10-minute certificate: due at once, ARI or not.
    std::time_t now = std::time(nullptr);
    env.shim().setWindow(now + 86400, now + 2 * 86400);
    env.configure("[renewal]\nbefore = 10m\n");
    std::string cert = env.liveCert();
    auto run = env.agent({"run", "--wait", "2m"});
    BOOST_TEST_REQUIRE(run.exitCode == 0, run.output);
    BOOST_TEST(contains(run.output, "due: expires in"), run.output);
    BOOST_TEST(env.liveCert() != cert);
    // The window was asked first, so the renewal names the certificate it replaces.
    auto replaces = env.shim().replaces();
    BOOST_REQUIRE(replaces.size() == 2u);
    BOOST_TEST(replaces[1] == env.shim().askedCertIds().at(0));
}

BOOST_AUTO_TEST_SUITE_END()
