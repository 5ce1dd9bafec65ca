// Three hosts behind a round-robin balancer share one certificate through etcd (design-fleet §4):
// one order at the CA, every host serves the same leaf, no key in clear in etcd.
#include "FleetEnv.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::test;

namespace {

/// Every host joins (a heartbeat), so the DCV barrier waits for each of them.
void joinAll(FleetEnv& env) {
    for (std::size_t i = 0; i < env.size(); ++i) {
        auto out = env.host(i).agent({"cluster", "status"});
        BOOST_TEST_REQUIRE(out.exitCode == 0, out.output);
    }
}

Poco::JSON::Object::Ptr statusJson(FleetHost& host) {
    auto out = host.agent({"--json", "cluster", "status"});
    BOOST_TEST_REQUIRE(out.exitCode == 0, out.output);
    Poco::JSON::Parser parser;
    return parser.parse(out.output.substr(out.output.find('{'))).extract<Poco::JSON::Object::Ptr>();
}

void checkNoSecretsInEtcd(FleetEnv& env) {
    std::string dump = env.etcdDump();
    BOOST_TEST(!dump.empty());
    BOOST_TEST(dump.find("PRIVATE KEY") == std::string::npos);
    BOOST_TEST(dump.find(env.sandbox().pass()) == std::string::npos);
}

} // namespace

BOOST_AUTO_TEST_SUITE(Fleet)

BOOST_AUTO_TEST_CASE(three_hosts_one_order_every_host_serves_the_same_leaf) {
    FleetEnv env;
    joinAll(env);
    auto a = env.host(0).agent({"run"});
    BOOST_TEST_REQUIRE(a.exitCode == 0, a.output);
    BOOST_TEST(a.output.find("waiting for") != std::string::npos, a.output);
    BOOST_TEST(env.host(0).dcvFiles().size() == 1u);
    std::string outputs = env.runUntilConverged();
    BOOST_TEST_MESSAGE(a.output + outputs);
    BOOST_TEST_REQUIRE(env.converged(), outputs);
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"addSSLOrder"});
    for (std::size_t i = 0; i < env.size(); ++i) {
        BOOST_TEST(env.host(i).liveCert() == env.host(0).liveCert());
        BOOST_TEST(env.host(i).dcvFiles().empty(), env.host(i).name());
    }
    auto status = statusJson(env.host(1));
    auto cert = status->getArray("certificates")->getObject(0);
    BOOST_TEST(cert->getValue<std::string>("name") == "shop");
    BOOST_TEST(cert->getValue<int>("version") == 1);
    BOOST_TEST(cert->getValue<std::string>("phase") == "installed");
    BOOST_TEST(cert->getValue<bool>("converged"), status->getArray("certificates")->size());
    BOOST_TEST(cert->getArray("hosts")->size() == 3u);
    checkNoSecretsInEtcd(env);

    auto idle = env.host(2).agent({"run"});
    BOOST_TEST(idle.exitCode == 0, idle.output);
    BOOST_TEST(env.orderCalls().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
