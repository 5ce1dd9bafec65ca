#include "cluster/FleetLock.h"

#include "FakeEtcd.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::cluster;
using namespace certagent::cluster::test;
using std::chrono::seconds;

namespace {

const std::string kLock = "/certagent/v1/web-eu/lock/shop";
const std::string kCurrent = "/certagent/v1/web-eu/current/shop";
const long long kLease = 5986869654962789896LL;

std::string lockRange(long long create, const std::string& holder, const std::string& lease) {
    return R"({"response_range":{"header":{"revision":"9"},"kvs":[)" +
           kv(kLock, holder, create, create, 1, lease) + R"(],"count":"1"}})";
}

FleetLock lockOver(EtcdClient& client, Harness& h) {
    return FleetLock(client, KeyPaths("web-eu"), h.clock);
}

} // namespace

BOOST_AUTO_TEST_SUITE(FleetLockTxn)

BOOST_AUTO_TEST_CASE(lock_value_names_host_pid_and_time) {
    BOOST_TEST(lockValue("web-02", 4242, 1764547200) ==
               "web-02 pid 4242 since 2025-12-01T00:00:00Z");
}

BOOST_AUTO_TEST_CASE(try_lock_that_creates_the_key_leads_with_its_revision_as_fence) {
    Harness h;
    h.script->steps = {ok(kE1, "{" + header(2) +
                                   R"(,"succeeded":true,"responses":[{"response_put":{"header":)"
                                   R"({"revision":"2"}}}]})")};
    auto client = h.client();
    FleetLock lock = lockOver(*client, h);
    const LockOutcome out = lock.tryLock("shop", kLease, "web-02 pid 1");
    BOOST_REQUIRE(std::holds_alternative<Leading>(out));
    BOOST_TEST(std::get<Leading>(out).fence == 2);
    BOOST_TEST(h.script->sent.at(0).request.body ==
               R"({"compare":[{"result":"EQUAL","target":"CREATE","key":")" + b64(kLock) +
                   R"(","createRevision":"0"}],"success":[{"requestPut":{"key":")" + b64(kLock) +
                   R"(","value":")" + b64("web-02 pid 1") +
                   R"(","lease":"5986869654962789896"}}],)"
                   R"("failure":[{"requestRange":{"key":")" +
                   b64(kLock) + R"("}}]})");
}

BOOST_AUTO_TEST_CASE(try_lock_on_a_held_key_follows_and_names_the_holder) {
    Harness h;
    h.script->steps = {ok(kE1, "{" + header(9) + R"(,"responses":[)" +
                                   lockRange(7, "host-a pid 7\x1b", "111") + "]}")};
    auto client = h.client();
    FleetLock lock = lockOver(*client, h);
    const LockOutcome out = lock.tryLock("shop", kLease, "web-02 pid 1");
    BOOST_REQUIRE(std::holds_alternative<Following>(out));
    BOOST_TEST(std::get<Following>(out).holder == "host-a pid 7\\x1B");
    BOOST_TEST(std::get<Following>(out).lease == 111);
}

BOOST_AUTO_TEST_CASE(try_lock_finding_our_own_lease_leads) {
    // Our first attempt reached etcd but its reply was lost; the repeat sees our own key.
    Harness h;
    h.script->steps = {ok(kE1, "{" + header(9) + R"(,"responses":[)" +
                                   lockRange(7, "web-02 pid 1", std::to_string(kLease)) + "]}")};
    auto client = h.client();
    FleetLock lock = lockOver(*client, h);
    const LockOutcome out = lock.tryLock("shop", kLease, "web-02 pid 1");
    BOOST_REQUIRE(std::holds_alternative<Leading>(out));
    BOOST_TEST(std::get<Leading>(out).fence == 7);
}

BOOST_AUTO_TEST_CASE(fenced_txn_compares_the_fence_first) {
    Harness h;
    h.script->steps = {ok(kE1, "{" + header(10) +
                                   R"(,"succeeded":true,"responses":[{"response_put":{"header":)"
                                   R"({"revision":"10"}}}]})")};
    auto client = h.client();
    FleetLock lock = lockOver(*client, h);
    const TxnResult r =
        lock.fencedTxn("shop", 7, {Compare::modRevision(kCurrent, 3)}, {Op::put(kCurrent, "v2")});
    BOOST_TEST(r.succeeded);
    BOOST_TEST(r.revision == 10);
    BOOST_TEST(h.script->sent.at(0).request.body ==
               R"({"compare":[{"result":"EQUAL","target":"CREATE","key":")" + b64(kLock) +
                   R"(","createRevision":"7"},{"result":"EQUAL","target":"MOD","key":")" +
                   b64(kCurrent) + R"(","modRevision":"3"}],"success":[{"requestPut":{"key":")" +
                   b64(kCurrent) + R"(","value":")" + b64("v2") +
                   R"("}}],"failure":[{"requestRange":{"key":")" + b64(kLock) + R"("}}]})");
}

BOOST_AUTO_TEST_CASE(fenced_txn_of_a_stale_holder_is_refused_as_a_lost_lock) {
    Harness h;
    h.script->steps = {ok(kE1, "{" + header(12) + R"(,"responses":[)" +
                                   lockRange(11, "host-b pid 9", "222") + "]}"),
                       ok(kE1, "{" + header(12) +
                                   R"(,"responses":[{"response_range":{"header":)"
                                   R"({"revision":"12"}}}]})")};
    auto client = h.client();
    FleetLock lock = lockOver(*client, h);
    const EtcdError taken =
        expectEtcdError([&] { lock.fencedTxn("shop", 7, {}, {Op::put(kCurrent, "late")}); });
    BOOST_TEST(taken.what() == std::string("etcd lock shop: lost the lock (fence 7): held now by "
                                           "\"host-b pid 9\"; nothing was written"));
    BOOST_TEST(taken.exitCode() == 3);
    BOOST_TEST((taken.reason() == EtcdError::Reason::LostLock));
    const EtcdError gone =
        expectEtcdError([&] { lock.fencedTxn("shop", 7, {}, {Op::put(kCurrent, "late")}); });
    BOOST_TEST(gone.what() == std::string("etcd lock shop: lost the lock (fence 7): nobody holds "
                                          "it now; nothing was written"));
}

BOOST_AUTO_TEST_CASE(fenced_txn_with_the_fence_held_reports_the_callers_failed_compare) {
    Harness h;
    h.script->steps = {ok(kE1, "{" + header(12) + R"(,"responses":[)" +
                                   lockRange(7, "web-02 pid 1", "5") + "," +
                                   R"({"response_range":{"header":{"revision":"12"},"kvs":[)" +
                                   kv(kCurrent, "v9", 3, 11, 4) + R"(],"count":"1"}}]})")};
    auto client = h.client();
    FleetLock lock = lockOver(*client, h);
    const TxnResult r = lock.fencedTxn("shop", 7, {Compare::modRevision(kCurrent, 3)},
                                       {Op::put(kCurrent, "v2")}, {Op::range(kCurrent)});
    BOOST_TEST(!r.succeeded);
    BOOST_REQUIRE(r.responses.size() == 1u); // the lock's own read is not the caller's business
    BOOST_TEST(r.responses[0].range.kvs.at(0).modRevision == 11);
}

BOOST_AUTO_TEST_CASE(ensure_leader_needs_two_thirds_of_the_ttl_after_the_keepalive) {
    Harness h;
    const std::string full = R"({"result":{)" + header(3) + R"(,"ID":"5","TTL":"60"}})";
    h.script->steps = {ok(kE1, full), ok(kE1, full),
                       ok(kE1, R"({"result":{)" + header(3) + R"(,"ID":"5"}})")};
    auto client = h.client();
    FleetLock lock = lockOver(*client, h);
    lock.ensureLeader("shop", 5, seconds(60));

    // A keepalive that itself took 25 s leaves 35 s for sure, less than 40.
    h.script->clock = &h.clock;
    h.script->cost = std::chrono::seconds(25);
    const EtcdError slow = expectEtcdError([&] { lock.ensureLeader("shop", 5, seconds(60)); });
    BOOST_TEST(slow.what() == std::string("etcd lock shop: the lease has 35000 ms of 60 s left "
                                          "after the keepalive, less than two thirds"));
    BOOST_TEST(slow.exitCode() == 3);

    h.script->cost = std::chrono::seconds(0);
    const EtcdError lost = expectEtcdError([&] { lock.ensureLeader("shop", 5, seconds(60)); });
    BOOST_TEST(lost.what() == std::string("etcd lock shop: the lease expired; another host may "
                                          "hold the lock now"));
    BOOST_TEST((lost.reason() == EtcdError::Reason::LostLease));
}

BOOST_AUTO_TEST_SUITE_END()
