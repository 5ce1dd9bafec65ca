#include "AgentEnv.h"

#include <boost/test/unit_test.hpp>

using namespace certagent::test;

namespace {

/// Version 1 installed, then `issue shop` dies (or fails) at `fault`; the next plain `run`
/// must finish the job with a consistent store.
void resumesAfter(const std::string& fault, int expectedExit, const std::string& expectedLink) {
    AgentEnv env;
    env.configure(env.defaultCert());
    BOOST_TEST_REQUIRE(env.agent({"run"}).exitCode == 0);
    std::string v1 = env.liveCertText();

    auto crashed = env.agentWithEnv({"issue", "shop"}, {"CERTAGENT_FAULT=" + fault});
    BOOST_TEST(crashed.exitCode == expectedExit, fault << ": " << crashed.output);
    BOOST_TEST(env.liveLink() == expectedLink, fault);
    BOOST_TEST(env.opensslVerify().exitCode == 0, fault); // old or new set, always complete

    auto resumed = env.agent({"run"});
    BOOST_TEST(resumed.exitCode == 0, fault << ": " << resumed.output);
    auto st = env.state();
    BOOST_TEST(st["phase"] == "installed", fault);
    BOOST_TEST(env.liveLink() == "../archive/shop/0002", fault);
    BOOST_TEST(env.liveCertText() != v1, fault);
    BOOST_TEST(!exists(env.store() + "/archive/shop/0003"), fault);
    BOOST_TEST(!exists(env.store() + "/pending/shop/privkey.pem"), fault);
    BOOST_TEST(env.dcvFiles().empty(), fault);
    BOOST_TEST(env.opensslVerify().exitCode == 0, fault);
}

} // namespace

BOOST_AUTO_TEST_SUITE(AgentCrash)

BOOST_AUTO_TEST_CASE(killed_after_the_version_was_written) {
    resumesAfter("store.write.after-rename:kill", 128 + 9, "../archive/shop/0001");
}

BOOST_AUTO_TEST_CASE(killed_after_the_live_switch) {
    resumesAfter("store.switch.after-rename:kill", 128 + 9, "../archive/shop/0002");
}

BOOST_AUTO_TEST_CASE(disk_full_while_writing_the_version) {
    resumesAfter("store.write.begin:enospc", 7, "../archive/shop/0001");
}

BOOST_AUTO_TEST_SUITE_END()
