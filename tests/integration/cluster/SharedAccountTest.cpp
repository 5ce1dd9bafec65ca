// The fleet's one ACME account per CA (design-fleet §3.8) through a real etcd: shared sealed by
// the first host, adopted into each host's store (0600), a race lost to another host's account,
// and a host with another fleet key refused.
#include "EtcdEnv.h"
#include "TestEnv.h"
#include "cluster/SharedAcmeAccounts.h"
#include "core/Coordinator.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

using namespace certagent;
using namespace certagent::cluster;
using namespace certagent::test;

namespace {

const std::string kDirectory = "https://ca.example.test/dir";

/// One host: its store, its coordinator over the shared cluster, its shared accounts.
struct Host {
    TempDir store;
    std::vector<std::string> logs;
    std::unique_ptr<EtcdCoordinator> fleet;
    std::unique_ptr<SharedAcmeAccounts> accounts;
    core::AcmeAccountFiles* files = nullptr;

    Host(const std::string& cluster, const std::string& name, const Secret& fleetKey,
         const Secret* oldKey = nullptr) {
        FleetKeyRing ring{FleetKey::fromBase64(fleetKey.reveal(), "fleet_key"), std::nullopt};
        if (oldKey)
            ring.old = FleetKey::fromBase64(oldKey->reveal(), "fleet_key_old");
        FleetSettings settings;
        settings.cluster = cluster;
        settings.host = name;
        settings.info = [this](const std::string& line) { logs.push_back(line); };
        fleet = std::make_unique<EtcdCoordinator>(agentClient(sharedCluster()), std::move(ring),
                                                  settings);
        auto local = std::make_unique<core::AcmeAccountFiles>(store.path());
        files = local.get();
        accounts = std::make_unique<SharedAcmeAccounts>(std::move(local), *fleet);
    }

    /// An account registered by this host alone.
    void ownAccount(const std::string& url, const std::string& keyPem) {
        accounts->addKey(kDirectory, keyPem);
        core::AcmeAccountRecord r;
        r.directoryUrl = kDirectory;
        r.accountUrl = url;
        r.createdAt = "2026-12-01T10:00:00Z";
        accounts->saveRecord(r);
    }
    std::string url() { return accounts->record(kDirectory).value().accountUrl; }
    std::string key() { return accounts->key(kDirectory).value().reveal(); }
    mode_t keyMode() const {
        struct stat st {};
        ::stat((files->where(kDirectory) + "/account.key").c_str(), &st);
        return st.st_mode & 0777;
    }
};

const std::string kKeyA = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
const std::string kKeyB = "-----BEGIN PRIVATE KEY-----\nBBBB\n-----END PRIVATE KEY-----\n";

std::string sharedValue(const std::string& cluster) {
    auto client = agentClient(sharedCluster());
    RangeRequest read;
    read.key = KeyPaths(cluster).acmeAccount(kDirectory);
    auto kvs = client->range(read).kvs;
    return kvs.empty() ? "" : kvs.front().value;
}

} // namespace

BOOST_AUTO_TEST_SUITE(SharedAccount)

BOOST_AUTO_TEST_CASE(the_first_account_is_shared_sealed_and_every_other_host_adopts_it) {
    const std::string cluster = freshCluster("acct");
    const Secret fleetKey = FleetKey::generateText();
    Host a(cluster, "web-1", fleetKey), b(cluster, "web-2", fleetKey),
        c(cluster, "web-3", fleetKey);
    a.ownAccount("https://ca.example.test/acct/1", kKeyA);
    a.accounts->sync(kDirectory); // an account from before the fleet: offered to it
    BOOST_TEST(a.logs.at(0) == "acme: shared this host's account https://ca.example.test/acct/1 "
                               "at https://ca.example.test/dir with the fleet");
    const std::string stored = sharedValue(cluster);
    BOOST_TEST(stored.find("acct/1") != std::string::npos);
    BOOST_TEST(stored.find("PRIVATE KEY") == std::string::npos);
    BOOST_TEST(stored.find("AAAA") == std::string::npos);

    b.accounts->sync(kDirectory); // none of its own: adopts
    BOOST_TEST(b.url() == "https://ca.example.test/acct/1");
    BOOST_TEST(b.key() == kKeyA);
    BOOST_TEST(b.keyMode() == 0600u);
    BOOST_TEST(b.logs == std::vector<std::string>{
                             "acme: using the fleet's account https://ca.example.test/acct/1 at "
                             "https://ca.example.test/dir (shared by web-1)"});

    c.ownAccount("https://ca.example.test/acct/2", kKeyB); // its own from before: replaced
    c.accounts->sync(kDirectory);
    BOOST_TEST(c.url() == "https://ca.example.test/acct/1");
    BOOST_TEST(c.key() == kKeyA);
    BOOST_TEST(c.logs == std::vector<std::string>{
                             "acme: this host's account https://ca.example.test/acct/2 at "
                             "https://ca.example.test/dir is replaced by the fleet's account "
                             "https://ca.example.test/acct/1 (shared by web-1)"});
    BOOST_TEST(sharedValue(cluster) == stored); // nobody wrote it again
}

BOOST_AUTO_TEST_CASE(a_host_that_registered_after_losing_the_race_adopts_the_winners_account) {
    const std::string cluster = freshCluster("acct");
    const Secret fleetKey = FleetKey::generateText();
    Host a(cluster, "web-1", fleetKey), b(cluster, "web-2", fleetKey);
    a.accounts->sync(kDirectory); // both looked before registering: nothing shared yet
    b.accounts->sync(kDirectory);
    a.ownAccount("https://ca.example.test/acct/1", kKeyA);
    BOOST_TEST(a.accounts->share(kDirectory));
    b.ownAccount("https://ca.example.test/acct/2", kKeyB);
    BOOST_TEST(!b.accounts->share(kDirectory));
    BOOST_TEST(b.url() == "https://ca.example.test/acct/1");
    BOOST_TEST(b.key() == kKeyA);
    BOOST_TEST(b.keyMode() == 0600u);
    BOOST_TEST(a.accounts->share(kDirectory)); // its own, already shared
}

BOOST_AUTO_TEST_CASE(a_host_with_another_fleet_key_is_refused_with_exit_4_and_keeps_nothing) {
    const std::string cluster = freshCluster("acct");
    Host a(cluster, "web-1", FleetKey::generateText());
    Host other(cluster, "web-9", FleetKey::generateText());
    a.ownAccount("https://ca.example.test/acct/1", kKeyA);
    BOOST_TEST(a.accounts->share(kDirectory));
    try {
        other.accounts->sync(kDirectory);
        BOOST_FAIL("no error");
    } catch (const core::FleetError& e) {
        BOOST_TEST(e.exitCode() == kExitRefused);
        BOOST_TEST(
            std::string(e.what()).find("sealed data at /certagent/v1/" + cluster + "/acme/") == 0,
            e.what());
    }
    BOOST_TEST(!other.accounts->key(kDirectory));
    BOOST_TEST(!other.accounts->record(kDirectory));
}

BOOST_AUTO_TEST_CASE(after_a_key_rotation_the_first_reader_seals_the_account_again) {
    const std::string cluster = freshCluster("acct");
    const Secret oldKey = FleetKey::generateText();
    const Secret newKey = FleetKey::generateText();
    Host a(cluster, "web-1", oldKey);
    a.ownAccount("https://ca.example.test/acct/1", kKeyA);
    BOOST_TEST(a.accounts->share(kDirectory));
    const std::string before = sharedValue(cluster);

    Host b(cluster, "web-2", newKey, &oldKey); // fleet_key new, fleet_key_old the old one
    b.accounts->sync(kDirectory);
    BOOST_TEST(b.url() == "https://ca.example.test/acct/1");
    BOOST_TEST(b.logs.back() == "acme: the fleet's account at https://ca.example.test/dir is "
                                "sealed again under the current fleet key");
    BOOST_TEST(sharedValue(cluster) != before);

    Host c(cluster, "web-3", newKey); // fleet_key_old removed: still opens
    c.accounts->sync(kDirectory);
    BOOST_TEST(c.key() == kKeyA);
    BOOST_TEST(c.logs.size() == 1u); // adopted, nothing sealed again
}

BOOST_AUTO_TEST_SUITE_END()
