#include "FleetChecks.h"

#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <thread>

namespace certagent::test {

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

std::string killedAt(FleetEnv& env, const std::string& point) {
    joinAll(env);
    std::string outputs;
    bool killed = false;
    for (int round = 0; round < 8 && !killed; ++round) {
        auto a = env.host(0).agent({"run"}, {"CERTAGENT_FAULT=" + point + ":kill"});
        outputs += "--- web-1 (" + point + "):\n" + a.output;
        killed = a.exitCode == 128 + SIGKILL;
        BOOST_TEST_REQUIRE((killed || a.exitCode == 0), outputs);
        for (std::size_t i : {1u, 2u})
            if (!killed)
                outputs +=
                    "--- " + env.host(i).name() + " sync:\n" + env.host(i).agent({"sync"}).output;
    }
    BOOST_TEST_REQUIRE(killed, outputs);
    std::this_thread::sleep_for(std::chrono::seconds(6)); // its 5 s lease ends
    for (int round = 0; round < 6 && !env.converged(); ++round)
        for (std::size_t i : {1u, 2u, 0u})
            outputs += "--- " + env.host(i).name() + ":\n" + env.host(i).agent({"run"}).output;
    BOOST_TEST_MESSAGE(outputs);
    BOOST_TEST(env.converged(), outputs);
    const std::string call = env.options().acme ? "newOrder" : "addSSLOrder";
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{call}, outputs);
    checkNoSecretsInEtcd(env);
    return outputs;
}

} // namespace certagent::test
