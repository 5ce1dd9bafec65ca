// When a run writes its heartbeat (design-fleet §3.9): only when what it says changed or it ages
// past a quarter of member_timeout, so an idle run's only etcd request is the batched read.
#include "cluster/EtcdCoordinator.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::cluster;

namespace {

constexpr std::time_t kLast = 1'800'000'000;
const std::chrono::seconds kTimeout{3600}; // a heartbeat is due every 15 minutes

MemberRecord lastBeat() {
    MemberRecord m;
    m.agent = "1.2.0";
    m.lastRun = kLast;
    m.certs["shop"] = MemberCert{"ab12", 0, kLast};
    m.certs["mail"] = MemberCert{"cd34", 0, kLast};
    return m;
}

std::vector<core::HostReport> idleReport() {
    return {{"shop", 0, "ab12"}, {"mail", 0, "cd34"}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(ClusterHeartbeat)

BOOST_AUTO_TEST_CASE(an_idle_run_within_a_quarter_of_member_timeout_writes_nothing) {
    BOOST_TEST(!heartbeatDue(lastBeat(), idleReport(), "1.2.0", kLast + 899, kTimeout));
    BOOST_TEST(!heartbeatDue(lastBeat(), {{"shop", 0, "ab12"}}, "1.2.0", kLast + 60, kTimeout));
}

BOOST_AUTO_TEST_CASE(age_a_new_leaf_an_exit_code_or_an_upgrade_make_it_due) {
    BOOST_TEST(heartbeatDue(lastBeat(), idleReport(), "1.2.0", kLast + 900, kTimeout));
    BOOST_TEST(heartbeatDue(lastBeat(), {{"shop", 0, "ef56"}}, "1.2.0", kLast + 1, kTimeout));
    BOOST_TEST(heartbeatDue(lastBeat(), {{"shop", 3, "ab12"}}, "1.2.0", kLast + 1, kTimeout));
    BOOST_TEST(heartbeatDue(lastBeat(), {{"new", 0, ""}}, "1.2.0", kLast + 1, kTimeout));
    BOOST_TEST(heartbeatDue(lastBeat(), idleReport(), "1.3.0", kLast + 1, kTimeout));
}

BOOST_AUTO_TEST_CASE(no_last_run_or_a_clock_that_went_back_make_it_due) {
    MemberRecord never = lastBeat();
    never.lastRun.reset();
    BOOST_TEST(heartbeatDue(never, idleReport(), "1.2.0", kLast, kTimeout));
    BOOST_TEST(heartbeatDue(lastBeat(), idleReport(), "1.2.0", kLast - 1, kTimeout));
}

BOOST_AUTO_TEST_SUITE_END()
