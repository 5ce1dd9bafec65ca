#include "EtcdEnv.h"
#include "TestCa.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::cluster;
using namespace certagent::test;
using std::chrono::seconds;

namespace {

std::string valueAt(EtcdClient& client, const std::string& key, bool serializable) {
    RangeRequest r;
    r.key = key;
    r.serializable = serializable;
    const RangeResult result = client.range(r);
    return result.kvs.empty() ? "<none>" : result.kvs[0].value;
}

} // namespace

BOOST_AUTO_TEST_SUITE(EtcdFailures)

BOOST_AUTO_TEST_CASE(a_killed_member_is_skipped_and_a_restarted_one_catches_up) {
    EtcdCluster etcd;
    const std::size_t lead = etcd.leader();
    const std::size_t victim = (lead + 1) % etcd.size();
    const std::size_t third = (lead + 2) % etcd.size();
    std::vector<std::string> logs;
    EtcdClient client(
        agentSettings(etcd, {etcd.endpoint(victim), etcd.endpoint(lead), etcd.endpoint(third)},
                      seconds(5), &logs));
    client.put("/certagent/v1/t/k", "before");
    BOOST_TEST(client.currentEndpoint() == etcd.endpoint(victim));

    etcd.kill(victim); // a follower: the other two keep quorum and their leader
    client.put("/certagent/v1/t/k", "after");
    BOOST_TEST(client.currentEndpoint() == etcd.endpoint(lead));
    BOOST_REQUIRE(logs.size() == 1u);
    BOOST_TEST(logs[0].find("etcd kv/put: " + etcd.endpoint(victim) + ": ") == 0u);

    etcd.restart(victim); // --initial-cluster-state existing, same data dir
    EtcdClient direct(agentSettings(etcd, {etcd.endpoint(victim)}));
    BOOST_TEST(eventually([&] { return valueAt(direct, "/certagent/v1/t/k", true) == "after"; },
                          seconds(20)));

    // Now the leader dies: the survivors elect a new one and accept writes again.
    etcd.kill(lead);
    BOOST_TEST(
        eventuallySucceeds([&] { client.put("/certagent/v1/t/k", "new leader"); }, seconds(30)));
    BOOST_TEST(valueAt(client, "/certagent/v1/t/k", false) == "new leader");
    BOOST_TEST(client.currentEndpoint() != etcd.endpoint(lead));
}

BOOST_AUTO_TEST_CASE(quorum_loss_fails_writes_retryably_while_serializable_reads_answer) {
    EtcdCluster etcd;
    auto all = agentClient(etcd);
    all->put("/certagent/v1/q/current/shop", "v7");
    const std::size_t survivor = etcd.leader(); // also works for a follower; the leader steps down
    EtcdClient alone(agentSettings(etcd, {etcd.endpoint(survivor)}, seconds(2)));
    BOOST_REQUIRE(eventually(
        [&] { return valueAt(alone, "/certagent/v1/q/current/shop", true) == "v7"; }, seconds(10)));
    for (std::size_t i = 0; i < etcd.size(); ++i) {
        if (i != survivor) {
            etcd.stop(i);
        }
    }

    const EtcdError write = failureOf([&] { alone.put("/certagent/v1/q/current/shop", "v8"); });
    BOOST_TEST(write.exitCode() == 3);
    BOOST_TEST(write.retryable());
    BOOST_TEST(write.maybeProcessed()); // a write that reached a member without an answer
    const EtcdError read =
        failureOf([&] { valueAt(alone, "/certagent/v1/q/current/shop", false); });
    BOOST_TEST(read.exitCode() == 3);
    BOOST_TEST(valueAt(alone, "/certagent/v1/q/current/shop", true) == "v7");
    const std::vector<KeyValue> listed = alone.rangePrefix("/certagent/v1/q/current/", true);
    BOOST_TEST(listed.size() == 1u);

    for (std::size_t i = 0; i < etcd.size(); ++i) {
        if (i != survivor) {
            etcd.resume(i);
        }
    }
    BOOST_TEST(
        eventuallySucceeds([&] { alone.put("/certagent/v1/q/current/shop", "v8"); }, seconds(30)));
    BOOST_TEST(valueAt(*all, "/certagent/v1/q/current/shop", false) == "v8");
}

BOOST_AUTO_TEST_CASE(a_client_without_a_certificate_or_with_another_ca_is_refused) {
    EtcdCluster& etcd = sharedCluster();
    EtcdSettings noCert = agentSettings(etcd, {etcd.endpoint(0)});
    noCert.tls.clientCertFile.clear();
    noCert.tls.clientKeyFile.clear();
    EtcdClient anonymous(noCert);
    const EtcdError refused = failureOf([&] { anonymous.put("/certagent/v1/x", "y"); });
    BOOST_TEST_MESSAGE("without a client certificate: " << refused.what());
    BOOST_TEST(std::string(refused.what()).find("etcd kv/put: no member answered") == 0u);
    BOOST_TEST(refused.exitCode() == 4); // the member refused our (missing) certificate

    TempDir dir;
    TestCa::makeRoot("some other CA").save(dir / "other.pem", dir / "other.key");
    EtcdSettings otherCa = agentSettings(etcd);
    otherCa.tls.caFile = dir / "other.pem";
    EtcdClient misled(otherCa);
    const EtcdError untrusted = failureOf([&] { misled.put("/certagent/v1/x", "y"); });
    BOOST_TEST(untrusted.exitCode() == 4); // every member failed verification: not an outage
    BOOST_TEST(std::string(untrusted.what()).find("certificate verify failed") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_client_key_that_does_not_match_its_certificate_is_a_config_error) {
    EtcdCluster& etcd = sharedCluster();
    EtcdSettings s = agentSettings(etcd);
    const auto [cert, key] = etcd.certWithCn("mismatch");
    s.tls.clientKeyFile = key; // the agent certificate with another certificate's key
    const auto configError = [](const EtcdSettings& settings) -> std::string {
        try {
            EtcdClient client(settings);
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "accepted";
    };
    const std::string files = "[cluster] TLS files (ca_file " + etcd.caFile() + ", cert_file " +
                              s.tls.clientCertFile + ", key_file ";
    BOOST_TEST(configError(s) == files + key + "): the key does not match the client certificate");
    s.tls.clientKeyFile.clear();
    BOOST_TEST(configError(s) ==
               files + "): a client certificate needs both cert_file and key_file");
    s.tls.clientKeyFile = key;
    s.tls.caFile = "/nonexistent/etcd-ca.pem";
    BOOST_TEST(configError(s).find("[cluster] TLS files (ca_file /nonexistent/etcd-ca.pem") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
