// The test server itself: stopping it stops every process it started, also when its
// configuration no longer parses or its master died.
#include "ApacheFixture.h"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <thread>

using namespace certagent;
using namespace certagent::test;

BOOST_AUTO_TEST_SUITE(ApacheProcessLifetime)

BOOST_AUTO_TEST_CASE(stop_ends_every_process_when_the_config_no_longer_parses) {
    // The binary-level test's shape: the site points at a store that is deleted before apache2
    // is stopped, so `apache2 -k stop` (which parses the configuration first) cannot stop it.
    ApacheFixture f;
    auto store = std::make_unique<TempDir>();
    CertVersion cert = f.issue({"a.test"});
    f.writeOldPair(store->path(), cert);
    f.apache.addSiteFile(
        "a", sslVhost(f.apache.httpsPort(), "a.test", "", *store / "cert.pem", *store / "key.pem"));
    f.apache.start();
    BOOST_REQUIRE(!processesMentioning(f.apache.prefix() + "/").empty());
    store.reset();
    f.apache.stop();
    BOOST_TEST(processesMentioning(f.apache.prefix() + "/").empty());
    BOOST_TEST(!f.apache.isRunning());
}

BOOST_AUTO_TEST_CASE(workers_of_a_dead_master_are_found_and_stopped) {
    ApacheProcess apache;
    apache.start();
    // The sockets accept before the first worker is forked: wait for one.
    for (int i = 0; i < 500 && processesMentioning(apache.prefix() + "/").size() < 2; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ::kill(apache.pid(), SIGKILL); // the master only: its workers stay, detached
    while (apache.isRunning())
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::vector<int> orphans = processesMentioning(apache.prefix() + "/");
    BOOST_REQUIRE(!orphans.empty());
    bool listed = false;
    for (const std::string& line : testProcessLeftovers())
        listed = listed || line.find(apache.prefix() + "/") != std::string::npos;
    BOOST_TEST(listed);
    apache.stop();
    BOOST_TEST(processesMentioning(apache.prefix() + "/").empty());
}

BOOST_AUTO_TEST_SUITE_END()
