// The idle run and the daily check over a real store and index (core/IdleCheck.h): what is
// noticed on the next run, what within a day, and that an idle run reads stamps and writes
// nothing.
#include "TestCa.h"
#include "TestEnv.h"
#include "api/ApiError.h"
#include "core/IdleCheck.h"
#include "core/RunCertificates.h"
#include "core/backends/GoGetSslBackend.h"
#include "crypto/CertFacts.h"

#include <boost/test/unit_test.hpp>

#include <dirent.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

using namespace certagent;
using namespace certagent::core;
using certagent::test::TempDir;

namespace {

/// An API that must not be needed while nothing is due: every call is recorded and fails.
class NoOrders : public OrderService {
  public:
    [[noreturn]] void fail(const std::string& method) {
        calls.push_back(method);
        api::ApiError::Details d;
        d.method = method;
        d.retryable = true;
        throw api::ApiError(d, "no API in this test");
    }
    api::OrderStatus status(long long) override { fail("getOrderStatus"); }
    std::vector<api::BatchStatus> statuses(const std::vector<long long>&) override {
        fail("getOrdersStatus");
    }
    api::NewOrderResult addOrder(const api::NewOrderRequest&) override { fail("addSSLOrder"); }
    api::NewOrderResult renewOrder(const api::NewOrderRequest&) override {
        fail("addSSLRenewOrder");
    }
    api::ReissueResult reissue(long long, const api::ReissueRequest&) override {
        fail("reissueSSLOrder");
    }
    void revalidate(long long, const std::string&) override { fail("revalidate"); }
    api::OrderList orders(int, int) override { fail("getAllSSLOrders"); }
    int webserverTypeFor(long long) override { return -1; }
    std::vector<api::OrderSummary> recentOrders(int) override { fail("getAllSSLOrders"); }
    std::vector<std::string> calls;
};

/// A store with one live certificate "shop" (leaf ← intermediate ← root), its config files and
/// a clock that the test moves. Each run() is what one cron run does: load the configuration
/// with the index's help, run every certificate, write the index.
struct Fixture {
    TempDir dir;
    std::string etc = dir / "etc";
    std::string storeDir = dir / "store";
    test::TestCa root = test::TestCa::makeRoot("Idle Root");
    test::TestCa inter = root.makeIntermediate("Idle CA");
    crypto::EvpPkeyPtr key = test::makeKey();
    NoOrders api;
    CaBackends backends;
    SystemCommandRunner runner;
    HookRunner hooks{HookSettings{dir / "hooks", std::chrono::seconds(5)}, runner,
                     [](const std::string&) {}};
    std::time_t clock = std::time(nullptr) + 60; // past the racy window of the files written now

    Fixture() {
        test::writeFile(etc + "/certagent.conf",
                        "[store]\ndir = " + storeDir + "\n[trust]\nca_file = " + etc +
                            "/root.pem\n[hooks]\ndir = " + dir / "hooks" + "\n",
                        0644);
        test::writeFile(etc + "/root.pem", root.certPem());
        test::writeFile(etc + "/certs.d/shop.conf",
                        "domains = shop.example.test\norder_id = 7\ndcv = email\n");
        ::chmod((etc + "/certs.d").c_str(), 0755);
        ::chmod(etc.c_str(), 0755);
        backends.add("gogetssl", [this] { return std::make_unique<GoGetSslBackend>(api); });
        store::Store store(storeDir, 5);
        store.ensureLayout();
        writeLive(inter, *key);
    }

    /// Writes a new live version issued by `ca` for `leafKey`.
    void writeLive(const test::TestCa& ca, const EVP_PKEY& leafKey) {
        test::CertSpec spec;
        spec.names = {"shop.example.test"};
        auto leaf = ca.issue(leafKey, spec);
        store::VersionFiles files;
        files.privkeyPem = test::keyToPem(leafKey);
        files.certPem = test::toPem(*leaf);
        files.chainPem = ca.certPem();
        files.fullchainPem = files.certPem + files.chainPem;
        auto facts = crypto::certFacts(*leaf);
        files.meta.sha256 = facts.sha256;
        files.meta.names = facts.names;
        files.meta.notBefore = formatIso(facts.notBefore);
        files.meta.notAfter = formatIso(facts.notAfter);
        files.meta.keyType = "ec-p256";
        store::Store store(storeDir, 5);
        store.switchLive("shop", store.writeVersion("shop", files));
        store::CertState state;
        state.phase = store::Phase::Installed;
        state.deployedSha256 = facts.sha256;
        store.saveState("shop", state);
    }

    static std::string formatIso(std::chrono::system_clock::time_point t) {
        std::time_t s = std::chrono::system_clock::to_time_t(t);
        std::tm tm{};
        ::gmtime_r(&s, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return buf;
    }

    int run(std::time_t at) {
        store::Index index;
        config::Config config = config::loadConfig(etc + "/certagent.conf", false,
                                                   knownFromIndex(index, [at] { return at; }));
        store::Store store(config.storeDir, 5);
        InstallerFactory none = [](const std::string&, const InstallerContext&) {
            return std::unique_ptr<Installer>();
        };
        RunContext ctx{config,
                       store,
                       backends,
                       none,
                       runner,
                       hooks,
                       [at] { return at; },
                       [](std::chrono::seconds) {},
                       {},
                       std::nullopt};
        deferred = config.deferred.size();
        return runCertificates(ctx, runList(config), RunOptions{}, &index, true);
    }

    store::IndexEntry entry() {
        auto index = store::Index::load(storeDir + "/index");
        auto* e = index.find("shop");
        BOOST_REQUIRE(e != nullptr);
        return *e;
    }

    /// path → stamp of every file below the store.
    std::map<std::string, std::string> stamps(const std::string& path) {
        std::map<std::string, std::string> out;
        std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(path.c_str()), ::closedir);
        if (!d)
            return out;
        while (dirent* e = ::readdir(d.get())) {
            std::string name = e->d_name;
            if (name == "." || name == "..")
                continue;
            std::string full = path + "/" + name;
            out[full] = stampOf(full, false).text();
            if (e->d_type == DT_DIR)
                for (auto& [p, s] : stamps(full))
                    out[p] = s;
        }
        return out;
    }

    std::string archive(const std::string& file) { return storeDir + "/archive/shop/0001/" + file; }

    std::size_t deferred = 0;
};

} // namespace

BOOST_AUTO_TEST_SUITE(IdleRunTest)

BOOST_FIXTURE_TEST_CASE(idle_run_reads_stamps_and_writes_nothing, Fixture) {
    BOOST_TEST(run(clock) == 0); // first run: the gate, the index written
    auto first = entry();
    BOOST_TEST(first.verified == clock);
    BOOST_TEST(first.notDue);
    BOOST_TEST(run(clock + 60) == 0); // re-records the stamps that were too fresh to trust
    auto before = stamps(storeDir);
    BOOST_TEST(run(clock + 120) == 0);
    BOOST_TEST(deferred == 1u);               // the certificate file was not even read
    BOOST_TEST(entry().verified == clock);    // no gate: the verdict holds
    BOOST_TEST((stamps(storeDir) == before)); // nothing written: no state, index or lock
    BOOST_TEST(api.calls.empty());
}

BOOST_FIXTURE_TEST_CASE(changed_live_file_is_noticed_on_the_next_run, Fixture) {
    BOOST_TEST(run(clock) == 0);
    BOOST_TEST(run(clock + 60) == 0);
    // Same bytes written again (a restore, a copy): only the stamps are re-recorded.
    test::writeFile(archive("cert.pem"), test::readFile(archive("cert.pem")));
    BOOST_TEST(run(clock + 120) == 0);
    BOOST_TEST(entry().verified == clock);
    BOOST_TEST(api.calls.empty());
    // Another certificate for another key in its place: the gate refuses, a renewal starts.
    test::CertSpec spec;
    spec.names = {"shop.example.test"};
    auto other = inter.issue(*test::makeKey(), spec);
    test::writeFile(archive("cert.pem"), test::toPem(*other));
    run(clock + 180);
    BOOST_TEST(!entry().notDue);
    BOOST_TEST(!api.calls.empty()); // an order was attempted for the failing live files
}

BOOST_FIXTURE_TEST_CASE(no_longer_matching_key_is_noticed_on_the_next_run, Fixture) {
    BOOST_TEST(run(clock) == 0);
    test::writeFile(archive("privkey.pem"), test::keyToPem(*test::makeKey()), 0600);
    run(clock + 60);
    BOOST_TEST(!entry().notDue);
    BOOST_TEST(!api.calls.empty());
}

BOOST_FIXTURE_TEST_CASE(trust_store_change_is_noticed_on_the_next_run, Fixture) {
    BOOST_TEST(run(clock) == 0);
    BOOST_TEST(run(clock + 60) == 0);
    BOOST_TEST(api.calls.empty());
    test::writeFile(etc + "/root.pem", test::TestCa::makeRoot("Another Root").certPem());
    run(clock + 120);
    BOOST_TEST(!entry().notDue); // no trusted path any more: due
    BOOST_TEST(!api.calls.empty());
}

BOOST_FIXTURE_TEST_CASE(expiring_intermediate_is_noticed_when_it_expires, Fixture) {
    test::CertSpec spec;
    spec.notAfterOffset = 2L * 86400; // the intermediate expires in two days, the leaf in 90
    test::TestCa shortInter = root.makeIntermediate("Short CA", spec);
    writeLive(shortInter, *key);
    BOOST_TEST(run(clock) == 0);
    auto e = entry();
    BOOST_TEST(e.chainNotAfter < e.notAfter); // the chain expires first
    BOOST_TEST(run(clock + 86400) == 0);      // one day on: still verifies
    BOOST_TEST(api.calls.empty());
    run(clock + 3 * 86400); // past the intermediate's notAfter: the gate runs and refuses
    BOOST_TEST(!entry().notDue);
    BOOST_TEST(!api.calls.empty());
}

BOOST_FIXTURE_TEST_CASE(daily_check_rereads_content_and_writes_no_state, Fixture) {
    BOOST_TEST(run(clock) == 0);
    BOOST_TEST(run(clock + 60) == 0);
    std::string state = stampOf(storeDir + "/state/shop.json").text();
    BOOST_TEST(run(clock + 86400 + 60) == 0);
    BOOST_TEST(entry().checked == clock + 86400 + 60); // the check time is in the index
    BOOST_TEST(entry().verified == clock);             // content unchanged: no gate
    BOOST_TEST(entry().reread == clock + 86400 + 60);  // read again (one certificate: each day)
    BOOST_TEST(stampOf(storeDir + "/state/shop.json").text() == state);
}

BOOST_FIXTURE_TEST_CASE(copied_store_rerecords_once_then_is_fast, Fixture) {
    BOOST_TEST(run(clock) == 0);
    BOOST_TEST(run(clock + 60) == 0);
    std::string copy = dir / "copy";
    BOOST_REQUIRE(test::runCommand({"cp", "-a", storeDir, copy}).exitCode == 0);
    test::writeFile(etc + "/certagent.conf",
                    "[store]\ndir = " + copy + "\n[trust]\nca_file = " + etc + "/root.pem\n", 0644);
    storeDir = copy;
    BOOST_TEST(run(clock + 120) == 0); // new ctimes: contents re-read, stamps re-recorded
    BOOST_TEST(entry().verified == clock);
    BOOST_TEST(run(clock + 180) == 0);
    auto before = stamps(storeDir);
    BOOST_TEST(run(clock + 240) == 0);
    BOOST_TEST((stamps(storeDir) == before));
    BOOST_TEST(api.calls.empty());
}

BOOST_FIXTURE_TEST_CASE(corrupt_index_is_rebuilt_from_the_files, Fixture) {
    BOOST_TEST(run(clock) == 0);
    std::string text = test::readFile(storeDir + "/index");
    text.replace(text.find("na="), 4, "na=9"); // a later notAfter: the checksum no longer fits
    test::writeFile(storeDir + "/index", text, 0600);
    BOOST_TEST(run(clock + 60) == 0);
    BOOST_TEST(deferred == 0u);                 // nothing vouched for: the file was read
    BOOST_TEST(entry().verified == clock + 60); // and the gate ran again
    BOOST_TEST(api.calls.empty());
}

BOOST_FIXTURE_TEST_CASE(missing_index_is_rebuilt_from_the_files, Fixture) {
    BOOST_TEST(run(clock) == 0);
    BOOST_TEST(run(clock + 60) == 0);
    BOOST_REQUIRE(::unlink((storeDir + "/index").c_str()) == 0);
    BOOST_TEST(run(clock + 120) == 0);
    BOOST_TEST(deferred == 0u);                  // nothing vouched for: the file was read
    BOOST_TEST(entry().verified == clock + 120); // the gate ran again, the index is back
    BOOST_TEST(entry().notDue);
    BOOST_TEST(api.calls.empty());
}

BOOST_AUTO_TEST_CASE(content_rereads_are_spread_oldest_first) {
    store::Index index;
    const std::time_t now = 1800000000;
    for (int i = 0; i < 28; ++i) { // read 10 h to 37 h ago; #27 the longest ago
        store::IndexEntry& e = index.entry("c" + std::to_string(100 + i));
        e.hasContent = true;
        e.reread = now - 36000 - i * 3600;
    }
    index.entry("z-nothing-live").reread = 0; // no content recorded: never chosen
    chooseRereads(index, now);
    std::vector<std::string> chosen;
    for (const auto& e : index.entries())
        if (e.rereadNow)
            chosen.push_back(e.name);
    // ceil(29 / 14) = 3 of the 14 read more than a day ago (#14..#27), the oldest first.
    BOOST_TEST(chosen == (std::vector<std::string>{"c125", "c126", "c127"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
