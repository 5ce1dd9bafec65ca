// What a run promises not to exceed, through the real binary: a dry run writes nothing, and
// --wait bounds every call to the CA (not only the waiting between calls).
#include "AgentEnv.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>

using namespace certagent::test;

namespace {

/// Every path below `dir` with its mode, size and modification time, sorted.
std::string tree(const std::string& dir) {
    return runCommand({"sh", "-c", "find \"$0\" -printf '%p %m %s %T@\\n' | sort", dir}).output;
}

} // namespace

BOOST_AUTO_TEST_SUITE(AgentBounds)

// Issue 11: README says --dry-run changes nothing; it made the store layout and the lock file.
BOOST_AUTO_TEST_CASE(dry_run_on_a_new_store_writes_nothing) {
    AgentEnv env;
    env.configure(env.defaultCert());
    auto r = env.agent({"run", "--dry-run"});
    BOOST_TEST(r.exitCode == 0, r.output);
    BOOST_TEST(r.output.find("dry run: would place a new order") != std::string::npos, r.output);
    BOOST_TEST(!exists(env.store()), "the dry run made " << tree(env.store()));
    BOOST_TEST(env.orderCalls().empty());
}

BOOST_AUTO_TEST_CASE(dry_run_on_an_installed_store_changes_nothing) {
    AgentEnv env;
    env.configure(env.defaultCert());
    auto first = env.agent({"run"});
    BOOST_TEST_REQUIRE(first.exitCode == 0, first.output);
    BOOST_TEST_REQUIRE(::unlink((env.store() + "/lock").c_str()) == 0);
    BOOST_TEST_REQUIRE(::unlink((env.store() + "/auth.key").c_str()) == 0);
    const std::string before = tree(env.store());

    auto r = env.agent({"issue", "shop", "--dry-run"});
    BOOST_TEST(r.exitCode == 0, r.output);
    BOOST_TEST(r.output.find("dry run: would place a reissue") != std::string::npos, r.output);
    BOOST_TEST(tree(env.store()) == before);
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"addSSLOrder"});
}

// Issue 11: --wait 10s took about a minute because every API call had its own fixed deadline.
// The status call answers after 30 s; a run bounded by 10 s must give up on it, not wait (no
// timed assertion: without the bound the run waits for the answer and succeeds).
BOOST_AUTO_TEST_CASE(wait_bounds_a_slow_api_call) {
    AgentEnv env;
    env.configure(env.defaultCert());
    BOOST_TEST_REQUIRE(env.agent({"run"}).exitCode == 0);
    const std::string v1 = env.liveCertText();

    env.sandbox().setFault("slow_reply", "", 1, "getOrderStatus:30");
    auto r = env.agent({"issue", "shop", "--wait", "10s"});
    BOOST_TEST(r.exitCode == 3, r.output);
    BOOST_TEST(r.output.find("getOrderStatus") != std::string::npos, r.output);
    BOOST_TEST(r.output.find("before the run's deadline") != std::string::npos, r.output);
    BOOST_TEST(env.liveCertText() == v1);

    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"addSSLOrder"}); // stopped before

    auto next = env.agent({"issue", "shop"}); // nothing was left half done
    BOOST_TEST(next.exitCode == 0, next.output);
    BOOST_TEST(env.orderCalls() == (std::vector<std::string>{"addSSLOrder", "reissueSSLOrder"}));
    BOOST_TEST(env.liveCertText() != v1);
}

BOOST_AUTO_TEST_SUITE_END()
