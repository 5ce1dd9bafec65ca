// A run stopped while an order request is in flight (kill -9, systemctl stop, reboot): the next
// run settles it with the CA through the order's CSR instead of stalling until a human looks.
#include "AgentEnv.h"

#include <boost/test/unit_test.hpp>

#include <csignal>

using namespace certagent::test;

namespace {

using Calls = std::vector<std::string>;

/// The next plain run finishes the job: version 2 live and verified, nothing pending.
void nextRunFinishes(AgentEnv& env, const std::string& v1, const std::string& expected) {
    auto resumed = env.agent({"run"});
    BOOST_TEST(resumed.exitCode == 0, resumed.output);
    BOOST_TEST(resumed.output.find(expected) != std::string::npos, resumed.output);
    auto st = env.state();
    BOOST_TEST(st["phase"] == "installed");
    BOOST_TEST(st["placing"] == "");
    BOOST_TEST(env.liveCertText() != v1);
    BOOST_TEST(!exists(env.store() + "/pending/shop/privkey.pem"));
    BOOST_TEST(env.opensslVerify().exitCode == 0);
}

/// Version 1 installed, then `issue shop` is stopped with `signal` while reissueSSLOrder is in
/// flight: the sandbox took the reissue, its answer never arrives.
void stoppedDuringReissue(int signal) {
    AgentEnv env;
    env.configure(env.defaultCert());
    BOOST_TEST_REQUIRE(env.agent({"run"}).exitCode == 0);
    std::string v1 = env.liveCertText();
    std::string order = env.state()["orderRef"];

    env.sandbox().setFault("slow_reply", "", 1, "reissueSSLOrder:20");
    auto stopped = env.agentStoppedDuring({"issue", "shop"}, "reissueSSLOrder", signal);
    BOOST_TEST_REQUIRE(stopped.exitCode == 128 + signal, stopped.output);
    BOOST_TEST(env.state()["phase"] == "ordering");
    BOOST_TEST(env.state()["placing"] == "reissue");

    nextRunFinishes(env, v1, "reached the CA: order " + order + " carries the CSR that was sent");
    BOOST_TEST(env.liveLink() == "../archive/shop/0002");
    BOOST_TEST(env.orderCalls() == (Calls{"addSSLOrder", "reissueSSLOrder"}));
}

} // namespace

BOOST_AUTO_TEST_SUITE(AgentResume)

BOOST_AUTO_TEST_CASE(killed_during_the_reissue_request) {
    stoppedDuringReissue(SIGKILL);
}

BOOST_AUTO_TEST_CASE(stopped_during_the_reissue_request) {
    stoppedDuringReissue(SIGTERM);
}

BOOST_AUTO_TEST_CASE(killed_before_the_reissue_was_sent) {
    AgentEnv env;
    env.configure(env.defaultCert());
    BOOST_TEST_REQUIRE(env.agent({"run"}).exitCode == 0);
    std::string v1 = env.liveCertText();
    std::string order = env.state()["orderRef"];

    auto killed = env.agentWithEnv({"issue", "shop"}, {"CERTAGENT_FAULT=core.place.before:kill"});
    BOOST_TEST_REQUIRE(killed.exitCode == 128 + SIGKILL, killed.output);
    BOOST_TEST(env.state()["phase"] == "ordering");
    BOOST_TEST(env.orderCalls() == (Calls{"addSSLOrder"}));

    // The order is still active with its first CSR: the reissue is sent again (it costs nothing).
    nextRunFinishes(
        env, v1, "never reached the CA: order " + order + " is still active with its previous CSR");
    BOOST_TEST(env.orderCalls() == (Calls{"addSSLOrder", "reissueSSLOrder"}));
}

BOOST_AUTO_TEST_CASE(killed_during_a_new_order_request) {
    AgentEnv env;
    env.configure(env.defaultCert());
    env.sandbox().setFault("slow_reply", "", 1, "addSSLOrder:20");
    auto stopped = env.agentStoppedDuring({"run"}, "addSSLOrder", SIGKILL);
    BOOST_TEST_REQUIRE(stopped.exitCode == 128 + SIGKILL, stopped.output);
    BOOST_TEST(env.state()["phase"] == "ordering");
    BOOST_TEST(env.state()["placing"] == "new order");

    // Found among the account's orders by its CSR: followed, never ordered (and paid) twice.
    nextRunFinishes(env, "", "carries the CSR that was sent");
    BOOST_TEST(env.orderCalls() == (Calls{"addSSLOrder"}));
}

BOOST_AUTO_TEST_CASE(a_new_order_that_cannot_be_found_needs_a_human) {
    AgentEnv env;
    env.configure(env.defaultCert());
    auto killed = env.agentWithEnv({"run"}, {"CERTAGENT_FAULT=core.place.before:kill"});
    BOOST_TEST_REQUIRE(killed.exitCode == 128 + SIGKILL, killed.output);

    auto next = env.agent({"run"});
    BOOST_TEST(next.exitCode == 4, next.output);
    BOOST_TEST(next.output.find("no recent order of the account carries the CSR that was sent; "
                                "check the account, then set order_id, or run certagent issue "
                                "shop") != std::string::npos,
               next.output);
    BOOST_TEST(env.orderCalls().empty());
    BOOST_TEST(env.state()["phase"] == "ordering");

    auto issued = env.agent({"issue", "shop"}); // the human's answer: place it
    BOOST_TEST(issued.exitCode == 0, issued.output);
    BOOST_TEST(env.orderCalls() == (Calls{"addSSLOrder"}));
    BOOST_TEST(env.state()["phase"] == "installed");
}

BOOST_AUTO_TEST_SUITE_END()
