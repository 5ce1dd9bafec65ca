// The fleet with an ACME CA (design-fleet §3.8, case 12): pebble validates http-01 through the
// round-robin balancer, so every host must serve the token; the three hosts share one account
// (sealed in etcd), one order, one leaf, and a host taking over goes on with the same order.
#include "FleetChecks.h"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <sys/wait.h>

using namespace certagent;
using namespace certagent::test;

namespace {

FleetOptions acmeFleet() {
    FleetOptions options;
    options.acme = true;
    return options;
}

std::string stateOrder(FleetHost& host) {
    return jsonFields(host.store() + "/state/shop.json")["orderRef"];
}

/// Every host shows the one account (adopting it when it kept none): the same URL everywhere;
/// pebble saw `registrations` new accounts.
void checkOneAccount(FleetEnv& env, std::size_t registrations = 1) {
    for (std::size_t i = 0; i < env.size(); ++i) {
        auto out = env.host(i).agent({"acme", "account"});
        BOOST_TEST_REQUIRE(out.exitCode == 0, out.output);
        BOOST_TEST(env.host(i).acmeAccountUrl() == env.host(0).acmeAccountUrl(), out.output);
    }
    BOOST_TEST(!env.host(0).acmeAccountUrl().empty());
    BOOST_TEST(env.acmeAccountsMade() == registrations, env.pebble().log());
    BOOST_TEST(env.etcdDump().find("/acme/") != std::string::npos);
}

} // namespace

BOOST_AUTO_TEST_SUITE(FleetAcme)

BOOST_AUTO_TEST_CASE(three_hosts_one_account_one_order_every_host_serves_the_same_leaf) {
    FleetEnv env(acmeFleet());
    joinAll(env);
    auto a = env.host(0).agent({"run"});
    BOOST_TEST_REQUIRE(a.exitCode == 0, a.output);
    BOOST_TEST(a.output.find("waiting for") != std::string::npos, a.output);
    std::string outputs = env.runUntilConverged();
    BOOST_TEST_MESSAGE(a.output + outputs);
    BOOST_TEST_REQUIRE(env.converged(), a.output + outputs);
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"newOrder"});
    for (std::size_t i = 0; i < env.size(); ++i) {
        BOOST_TEST(env.host(i).liveCert() == env.host(0).liveCert());
        BOOST_TEST(env.host(i).dcvFiles().empty(), env.host(i).name());
    }
    checkOneAccount(env);
    BOOST_TEST(env.acmeCertificatesIssued() == 1u, env.pebble().log());
    checkNoSecretsInEtcd(env);
}

BOOST_AUTO_TEST_CASE(the_holder_killed_after_new_order_another_host_finds_that_order_in_the_list) {
    FleetEnv env(acmeFleet());
    std::string outputs = killedAt(env, "order.after-send");
    BOOST_TEST(outputs.find("the order request of an interrupted run reached the CA: going on with "
                            "order https://") != std::string::npos,
               outputs);
    BOOST_TEST(outputs.find("acme: using the fleet's account ") != std::string::npos, outputs);
    checkOneAccount(env);
    BOOST_TEST(env.acmeCertificatesIssued() == 1u, env.pebble().log());
}

BOOST_AUTO_TEST_CASE(the_holder_killed_after_finalize_another_host_downloads_that_order) {
    FleetEnv env(acmeFleet());
    std::string outputs = killedAt(env, "acme.after-finalize");
    std::string order = stateOrder(env.host(0));
    BOOST_TEST(!order.empty(), outputs);
    for (std::size_t i = 0; i < env.size(); ++i)
        BOOST_TEST(stateOrder(env.host(i)) == order, outputs);
    checkOneAccount(env);
    BOOST_TEST(env.acmeCertificatesIssued() == 1u, env.pebble().log());
}

BOOST_AUTO_TEST_CASE(two_hosts_registering_at_once_end_with_the_account_shared_first) {
    FleetEnv env(acmeFleet());
    // web-1 registers and stops before sharing; web-2, finding nothing shared, registers and
    // shares its own; web-1 wakes up, loses the create-if-absent write and adopts web-2's.
    int pid = env.host(0).spawn({"acme", "register"}, {"CERTAGENT_FAULT=acme.before-share:stop"});
    int status = 0;
    BOOST_TEST_REQUIRE(::waitpid(pid, &status, WUNTRACED) == pid);
    BOOST_TEST_REQUIRE(WIFSTOPPED(status), env.host(0).spawnedOutput());
    auto b = env.host(1).agent({"acme", "register"});
    BOOST_TEST_REQUIRE(b.exitCode == 0, b.output);
    const std::string shared = env.host(1).acmeAccountUrl();
    ::kill(pid, SIGCONT);
    BOOST_TEST_REQUIRE(::waitpid(pid, &status, 0) == pid);
    const std::string woke = env.host(0).spawnedOutput();
    BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 0), woke);
    BOOST_TEST(woke.find(" is replaced by the fleet's account " + shared + " (shared by web-2)") !=
                   std::string::npos,
               woke);
    checkOneAccount(env, 2);
    BOOST_TEST(env.host(0).acmeAccountUrl() == shared);

    joinAll(env); // and web-1 orders with the shared account
    auto a = env.host(0).agent({"run"});
    BOOST_TEST_REQUIRE(a.exitCode == 0, a.output);
    std::string outputs = env.runUntilConverged();
    BOOST_TEST_REQUIRE(env.converged(), a.output + outputs);
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"newOrder"});
    BOOST_TEST(env.acmeCertificatesIssued() == 1u, env.pebble().log());
}

BOOST_AUTO_TEST_SUITE_END()
