#include "EtcdEnv.h"
#include "cluster/Envelope.h"
#include "cluster/FleetLock.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::cluster;
using namespace certagent::test;
using std::chrono::seconds;

BOOST_AUTO_TEST_SUITE(EtcdKv)

BOOST_AUTO_TEST_CASE(put_range_and_compare_and_swap_against_a_real_cluster) {
    auto client = agentClient(sharedCluster());
    const std::string p = freshPrefix("kv");
    const std::int64_t rev1 = client->put(p + "current", "v1");
    RangeRequest one;
    one.key = p + "current";
    const RangeResult r = client->range(one);
    BOOST_REQUIRE(r.kvs.size() == 1u);
    BOOST_TEST(r.kvs[0].value == "v1");
    BOOST_TEST(r.kvs[0].modRevision == rev1);
    BOOST_TEST(r.kvs[0].createRevision == rev1);
    BOOST_TEST(r.kvs[0].version == 1);
    BOOST_TEST(r.count == 1);

    // CAS on mod_revision: the first swap wins, a repeat with the old revision loses.
    Txn cas;
    cas.compare = {Compare::modRevision(p + "current", rev1)};
    cas.success = {Op::put(p + "current", "v2")};
    cas.failure = {Op::range(p + "current")};
    const TxnResult won = client->txn(cas);
    BOOST_TEST(won.succeeded);
    BOOST_TEST(won.revision > rev1);
    const TxnResult lost = client->txn(cas);
    BOOST_TEST(!lost.succeeded); // the gateway leaves "succeeded" out
    BOOST_TEST(lost.responses.at(0).range.kvs.at(0).value == "v2");

    // VERSION = 0: create only if absent.
    Txn create;
    create.compare = {Compare::version(p + "versions/0001", 0)};
    create.success = {Op::put(p + "versions/0001", std::string("\0\x01\xff", 3))};
    BOOST_TEST(client->txn(create).succeeded);
    BOOST_TEST(!client->txn(create).succeeded);
    one.key = p + "versions/0001";
    BOOST_TEST(client->range(one).kvs.at(0).value == std::string("\0\x01\xff", 3));

    RangeRequest missing;
    missing.key = p + "nothing";
    const RangeResult none = client->range(missing);
    BOOST_TEST(none.kvs.empty());
    BOOST_TEST(none.count == 0);
}

BOOST_AUTO_TEST_CASE(prefix_listing_pages_and_deleting_a_range) {
    auto client = agentClient(sharedCluster());
    const std::string p = freshPrefix("pages");
    for (const char* name : {"a", "b", "c", "d", "e"}) {
        client->put(p + "order/" + name, name);
    }
    client->put(p + "orderly", "not under order/");
    const std::vector<KeyValue> all = client->rangePrefix(p + "order/", true, 2);
    BOOST_REQUIRE(all.size() == 5u);
    BOOST_TEST(all.front().key == p + "order/a");
    BOOST_TEST(all.back().key == p + "order/e");
    BOOST_TEST(client->deleteRange(p + "order/", prefixEnd(p + "order/")) == 5);
    BOOST_TEST(client->rangePrefix(p + "order/").empty());
}

BOOST_AUTO_TEST_CASE(lease_expiry_releases_the_lock_and_fences_out_the_stale_holder) {
    auto client = agentClient(sharedCluster());
    const std::string cluster = freshCluster("lock");
    FleetLock lock(*client, KeyPaths(cluster));
    const KeyPaths paths(cluster);

    const Lease a = client->leaseGrant(seconds(2));
    const Lease b = client->leaseGrant(seconds(30));
    const LockOutcome first = lock.tryLock("shop", a.id, "host-a pid 1");
    BOOST_REQUIRE(std::holds_alternative<Leading>(first));
    const std::int64_t fenceA = std::get<Leading>(first).fence;
    lock.ensureLeader("shop", a.id, seconds(2));

    const LockOutcome contended = lock.tryLock("shop", b.id, "host-b pid 2");
    BOOST_REQUIRE(std::holds_alternative<Following>(contended));
    BOOST_TEST(std::get<Following>(contended).holder == "host-a pid 1");
    BOOST_TEST(std::get<Following>(contended).lease == a.id);

    // A publishes v1 under its fence.
    BOOST_TEST(lock.fencedTxn("shop", fenceA, {Compare::version(paths.current("shop"), 0)},
                              {Op::put(paths.current("shop"), "v1")})
                   .succeeded);

    // A stops renewing: the lease expires and etcd deletes the lock key.
    RangeRequest lockKey;
    lockKey.key = paths.lock("shop");
    BOOST_REQUIRE(eventually([&] { return client->range(lockKey).kvs.empty(); }, seconds(20)));
    BOOST_TEST(!client->leaseKeepAlive(a.id).has_value()); // lost: 200 without TTL
    const EtcdError lost = failureOf([&] { lock.ensureLeader("shop", a.id, seconds(2)); });
    BOOST_TEST((lost.reason() == EtcdError::Reason::LostLease));
    BOOST_TEST(lost.exitCode() == 3);
    BOOST_TEST(!client->leaseTimeToLive(a.id).alive);

    // B takes over with a larger fence; A's late write is refused and changes nothing.
    const LockOutcome second = lock.tryLock("shop", b.id, "host-b pid 2");
    BOOST_REQUIRE(std::holds_alternative<Leading>(second));
    BOOST_TEST(std::get<Leading>(second).fence > fenceA);
    const EtcdError late = failureOf(
        [&] { lock.fencedTxn("shop", fenceA, {}, {Op::put(paths.current("shop"), "v2-late")}); });
    BOOST_TEST((late.reason() == EtcdError::Reason::LostLock));
    BOOST_TEST(std::string(late.what()).find("held now by \"host-b pid 2\"") != std::string::npos);
    RangeRequest current;
    current.key = paths.current("shop");
    BOOST_TEST(client->range(current).kvs.at(0).value == "v1");

    // Releasing = revoking the lease, which deletes the lock at once.
    client->leaseRevoke(b.id);
    BOOST_TEST(client->range(lockKey).kvs.empty());
    client->leaseRevoke(b.id); // already gone: fine
}

BOOST_AUTO_TEST_CASE(a_put_on_an_expired_lease_is_a_lost_lease) {
    auto client = agentClient(sharedCluster());
    const Lease gone = client->leaseGrant(seconds(5));
    client->leaseRevoke(gone.id);
    const EtcdError e = failureOf([&] { client->put(freshPrefix("lease") + "k", "v", gone.id); });
    BOOST_TEST((e.reason() == EtcdError::Reason::LostLease));
    BOOST_TEST(e.httpStatus() == 404);
    BOOST_TEST(e.grpcCode() == 5);
    const LeaseStatus status = client->leaseTimeToLive(gone.id);
    BOOST_TEST(!status.alive);
}

BOOST_AUTO_TEST_CASE(a_sealed_blob_travels_through_etcd_and_only_opens_at_its_path) {
    auto client = agentClient(sharedCluster());
    const KeyPaths paths(freshCluster("sealed"));
    const std::string key = paths.version("shop", 12);
    const Secret keyText = FleetKey::generateText();
    const FleetKeyRing ring{FleetKey::fromBase64(keyText.reveal(), "fleet_key"), std::nullopt};
    const std::string secret = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n";
    client->put(key, sealEnvelope(ring.current, secret, paths.aad(key)));

    RangeRequest read;
    read.key = key;
    read.serializable = true;
    const std::string stored = client->range(read).kvs.at(0).value;
    BOOST_TEST(stored.find("PRIVATE KEY") == std::string::npos);
    BOOST_TEST(openEnvelope(ring, stored, paths.aad(key), key).reveal() == secret);

    const std::string other = paths.version("shop", 13);
    client->put(other, stored); // replayed under another version
    const std::string replayed =
        client->range(RangeRequest{other, "", 0, 0, false, false, false}).kvs.at(0).value;
    BOOST_CHECK_THROW(openEnvelope(ring, replayed, paths.aad(other), other), EnvelopeError);
}

BOOST_AUTO_TEST_SUITE_END()
