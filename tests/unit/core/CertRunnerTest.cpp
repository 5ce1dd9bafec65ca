#include "core/CertRunner.h"

#include "TestCa.h"
#include "TestEnv.h"
#include "core/backends/GoGetSslBackend.h"
#include "crypto/Dcv.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

using namespace certagent;
using namespace certagent::core;
using certagent::test::TempDir;

namespace {

/// The API as a script: records calls, issues from the CSR it was sent once `issue` is set.
test::CertSpec otherSpec() {
    test::CertSpec spec;
    spec.names = {"shop.example.test"};
    return spec;
}

class FakeOrders : public OrderService {
  public:
    FakeOrders()
        : root(test::TestCa::makeRoot("Fake Root")), inter(root.makeIntermediate("Fake CA")) {}

    api::OrderStatus status(long long orderId) override {
        calls.push_back("status");
        api::OrderStatus st;
        st.orderId = orderId;
        st.status = current;
        st.timeStamp = timeStamp;
        if (rejectOnce) {
            rejectOnce = false;
            current = "processing";
        }
        st.approver = dcv();
        if (current == "active") {
            if ((issuedFor != csrPem || otherKey) && !stale) {
                auto csr = test::csrFromPem(csrPem);
                auto leaf = otherKey ? inter.issue(*test::makeKey(), otherSpec())
                                     : inter.issueFromCsr(*csr, spec);
                issuedPem = test::toPem(*leaf);
                issuedFor = otherKey ? "" : csrPem;
            }
            st.crtCode = emptyCrt ? "" : issuedPem;
            st.caCode = emptyCrt ? "" : inter.certPem();
        }
        return st;
    }
    std::vector<api::BatchStatus> statuses(const std::vector<long long>&) override { return {}; }
    api::NewOrderResult addOrder(const api::NewOrderRequest& r) override {
        calls.push_back("addOrder");
        csrPem = r.csr;
        webserverType = r.webserverType;
        api::NewOrderResult res;
        res.orderId = 7;
        res.orderStatus = "processing";
        res.approver = dcv();
        return res;
    }
    api::NewOrderResult renewOrder(const api::NewOrderRequest& r) override {
        calls.push_back("renewOrder");
        return addOrder(r);
    }
    api::ReissueResult reissue(long long id, const api::ReissueRequest& r) override {
        calls.push_back("reissue");
        csrPem = r.csr;
        webserverType = r.webserverType;
        api::ReissueResult res;
        res.orderId = id;
        res.orderStatus = "reissue";
        res.validation = dcv();
        return res;
    }
    void revalidate(long long, const std::string&) override { calls.push_back("revalidate"); }
    api::OrderList orders(int, int offset) override {
        calls.push_back("orders");
        api::OrderList list;
        if (offset == 0)
            list.orders = accountOrders;
        list.count = static_cast<long long>(accountOrders.size());
        return list;
    }
    int webserverTypeFor(long long productId) override {
        return productId == 42 ? 18 : -1; // 42: a GeoTrust product
    }
    std::vector<api::OrderSummary> recentOrders(int) override {
        calls.push_back("recentOrders");
        return {};
    }

    api::DcvInfo dcv() const {
        api::DcvInfo i;
        if (csrPem.empty())
            return i;
        auto values = crypto::sectigoDcv(*test::csrFromPem(csrPem));
        if (method == "dns") {
            i.method = "dns";
            i.dnsName = values.dnsName("shop.example.test");
            i.dnsType = "CNAME";
            i.dnsTarget = values.dnsTargetPrefix() + ".abc.sectigo.com";
            i.dnsRecord = i.dnsName + " CNAME " + i.dnsTarget;
            return i;
        }
        i.method = "http";
        i.fileName = values.fileName;
        i.link = "http://shop.example.test/.well-known/pki-validation/" + i.fileName;
        i.content = values.fileFirstLine + "\r\nsectigo.com\r\nabc";
        return i;
    }

    test::TestCa root;
    test::TestCa inter;
    std::string csrPem;
    std::string issuedPem, issuedFor; ///< the same certificate on every status call
    std::string current = "processing";
    bool otherKey = false;
    bool rejectOnce = false;
    bool stale = false;                 ///< keep showing the previously issued certificate
    bool emptyCrt = false;              ///< "active" with empty crt_code / ca_code
    std::optional<long long> timeStamp; ///< the API's clock in status replies
    test::CertSpec spec; ///< for certificates issued from the CSR (names from the CSR)
    std::string method = "http";
    std::vector<std::string> calls;
    std::vector<api::OrderSummary> accountOrders; ///< getAllSSLOrders
    int webserverType = 0;                        ///< as sent with the last order or reissue
};

struct Fixture {
    TempDir dir;
    config::Config config;
    config::CertConfig cert;
    std::unique_ptr<store::Store> store;
    FakeOrders api;
    CaBackends backends; ///< the GoGetSSL backend over the scripted API
    SystemCommandRunner runner;
    HookRunner hooks{HookSettings{dir / "hooks", std::chrono::seconds(5)}, runner,
                     [](const std::string&) {}};
    std::unique_ptr<RunContext> ctx;

    Fixture() {
        config.storeDir = dir / "store";
        config.trustCaFile = dir / "root.pem";
        test::writeFile(config.trustCaFile, api.root.certPem());
        cert.name = "shop";
        cert.domains = {"shop.example.test"};
        cert.productId = 65;
        cert.webroot = dir / "www";
        ::mkdir(cert.webroot.c_str(), 0755);
        config.certs.push_back(cert);
        store = std::make_unique<store::Store>(config.storeDir, 5);
        store->ensureLayout();
        InstallerFactory none = [](const std::string&, const InstallerContext&) {
            return std::unique_ptr<Installer>();
        };
        backends.add("gogetssl", [this] { return std::make_unique<GoGetSslBackend>(api); });
        ctx = std::make_unique<RunContext>(RunContext{config,
                                                      *store,
                                                      backends,
                                                      none,
                                                      runner,
                                                      hooks,
                                                      [] { return std::time(nullptr); },
                                                      [](std::chrono::seconds) {},
                                                      {},
                                                      std::nullopt});
    }
    int process(const RunOptions& options = {}) {
        CertRunner certRunner(*ctx, config.certs[0]);
        return certRunner.process(options);
    }
    store::CertState state() { return store->loadState("shop").value_or(store::CertState{}); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(CertRunnerTest)

BOOST_FIXTURE_TEST_CASE(new_order_then_validating_then_installed, Fixture) {
    BOOST_TEST(process() == 0);
    auto s = state();
    BOOST_TEST(s.phase == store::Phase::Validating);
    BOOST_TEST(s.order.id == "7");
    BOOST_TEST(s.dcvFiles.size() == 1u);
    BOOST_TEST(store->hasPendingKey("shop"));
    BOOST_TEST(api.calls ==
               (std::vector<std::string>{"addOrder", "status", "revalidate", "status"}));
    api.calls.clear();
    BOOST_TEST(process() == 0); // still processing: one status call, nothing else
    BOOST_TEST(api.calls == std::vector<std::string>{"status"});
    BOOST_TEST(state().phase == store::Phase::Validating);

    api.current = "active";
    BOOST_TEST(process() == 0);
    s = state();
    BOOST_TEST(s.phase == store::Phase::Installed);
    BOOST_TEST(s.dcvFiles.empty());
    BOOST_TEST(!store->hasPendingKey("shop"));
    BOOST_TEST(store->liveVersion("shop").value_or(0) == 1);
    BOOST_TEST(!test::exists(dir / "www/.well-known/pki-validation/" + api.dcv().fileName));

    api.calls.clear();
    BOOST_TEST(process() == 0); // not due: no API call at all
    BOOST_TEST(api.calls.empty());
}

BOOST_FIXTURE_TEST_CASE(run_killed_after_the_switch_deploys_on_the_next_run, Fixture) {
    api.current = "active";
    BOOST_TEST(process() == 0);
    auto s = state();
    std::string sha = s.deployedSha256;
    // As if killed after switchLive, before the deploy finished and state said "installed".
    s.phase = store::Phase::Issued;
    s.deployedSha256.clear();
    store->saveState("shop", s);
    api.calls.clear();
    BOOST_TEST(process() == 0);
    BOOST_TEST(api.calls == std::vector<std::string>{"status"});
    BOOST_TEST(state().phase == store::Phase::Installed);
    BOOST_TEST(state().deployedSha256 == sha);
    BOOST_TEST(store->versions("shop") == std::vector<int>{1}); // not written twice
}

BOOST_FIXTURE_TEST_CASE(old_certificate_after_a_reissue_means_not_ready, Fixture) {
    api.current = "active";
    BOOST_TEST(process() == 0);
    RunOptions force;
    force.force = true;
    api.stale = true; // the reissue is requested, the order still shows version 1
    BOOST_TEST(process(force) == 0);
    BOOST_TEST(state().phase == store::Phase::Validating);
    BOOST_TEST(store->liveVersion("shop").value_or(0) == 1);
    BOOST_TEST(store->hasPendingKey("shop"));
    api.stale = false;
    BOOST_TEST(process() == 0);
    BOOST_TEST(state().phase == store::Phase::Installed);
    BOOST_TEST(store->liveVersion("shop").value_or(0) == 2);
}

BOOST_FIXTURE_TEST_CASE(key_mismatch_fails_once_and_never_reorders, Fixture) {
    api.current = "active";
    api.otherKey = true;
    BOOST_TEST(process() == 4);
    BOOST_TEST(state().phase == store::Phase::Failed);
    BOOST_TEST(!store->liveVersion("shop"));
    BOOST_TEST(state().dcvFiles.empty());
    api.calls.clear();
    BOOST_TEST(process() == 4);
    BOOST_TEST(api.calls.empty());
    RunOptions force;
    force.force = true; // `certagent issue` starts over
    api.otherKey = false;
    BOOST_TEST(process(force) == 0);
    BOOST_TEST(state().phase == store::Phase::Installed);
}

BOOST_FIXTURE_TEST_CASE(terminal_status_removes_dcv_files, Fixture) {
    BOOST_TEST(process() == 0);
    BOOST_TEST(state().dcvFiles.size() == 1u);
    api.current = "rejected";
    BOOST_TEST(process() == 4);
    BOOST_TEST(state().phase == store::Phase::Failed);
    BOOST_TEST(state().lastError == "order 7 is rejected; the deployed certificate stays");
    BOOST_TEST(!test::exists(dir / "www/.well-known/pki-validation/" + api.dcv().fileName));
}

BOOST_FIXTURE_TEST_CASE(issue_after_a_rejected_order_places_a_new_one, Fixture) {
    BOOST_TEST(process() == 0);
    api.current = "rejected";
    BOOST_TEST(process() == 4);
    api.calls.clear();
    BOOST_TEST(process() == 4); // cron: needs a human, no API call
    BOOST_TEST(api.calls.empty());
    RunOptions force;
    force.force = true;
    api.rejectOnce = true; // the old order still reads rejected, the new one processes
    BOOST_TEST(process(force) == 0);
    BOOST_TEST(state().phase == store::Phase::Validating);
    BOOST_TEST(api.calls.at(0) == "status");
    BOOST_TEST(api.calls.at(1) == "addOrder");
}

BOOST_FIXTURE_TEST_CASE(unknown_status_keeps_polling, Fixture) {
    BOOST_TEST(process() == 0);
    api.current = "Active"; // odd case is not "active"
    BOOST_TEST(process() == 0);
    BOOST_TEST(state().phase == store::Phase::Validating);
    BOOST_TEST(state().lastStatus == "Active");
}

BOOST_FIXTURE_TEST_CASE(dry_run_writes_nothing, Fixture) {
    RunOptions dry;
    dry.dryRun = true;
    BOOST_TEST(process(dry) == 0);
    BOOST_TEST(api.calls.empty());
    BOOST_TEST(!store->loadState("shop"));
    BOOST_TEST(!store->hasPendingKey("shop"));
}

BOOST_FIXTURE_TEST_CASE(dns_validation_goes_through_dns_hooks, Fixture) {
    std::string log = dir / "dns.log";
    test::writeFile(dir / "hooks/dns.d/10-record",
                    "#!/bin/sh\necho \"$CERTAGENT_DNS_ACTION $CERTAGENT_DNS_NAME "
                    "$CERTAGENT_DNS_TARGET\" >> " +
                        log + "\n",
                    0755);
    config.certs[0].dcv = config::DcvMethod::Dns;
    config.certs[0].webroot.clear();
    api.method = "dns";
    BOOST_TEST(process() == 0);
    BOOST_TEST(state().dnsRecords.size() == 1u);
    auto values = crypto::sectigoDcv(*test::csrFromPem(api.csrPem));
    std::string record =
        values.dnsName("shop.example.test") + " " + values.dnsTargetPrefix() + ".abc.sectigo.com";
    BOOST_TEST(test::readFile(log) == "add " + record + "\n");
    api.current = "active";
    BOOST_TEST(process() == 0);
    BOOST_TEST(state().phase == store::Phase::Installed);
    BOOST_TEST(state().dnsRecords.empty());
    BOOST_TEST(test::readFile(log) == "add " + record + "\nremove " + record + "\n");
}

BOOST_FIXTURE_TEST_CASE(active_without_crt_code_is_not_ready, Fixture) {
    BOOST_TEST(process() == 0);
    api.current = "active";
    api.emptyCrt = true;
    BOOST_TEST(process() == 0);
    BOOST_TEST(state().phase == store::Phase::Validating);
    BOOST_TEST(state().lastError.empty());
    BOOST_TEST(!store->liveVersion("shop"));
    BOOST_TEST(store->versions("shop").empty()); // no empty files written anywhere
    BOOST_TEST(store->hasPendingKey("shop"));
    api.emptyCrt = false;
    BOOST_TEST(process() == 0);
    BOOST_TEST(state().phase == store::Phase::Installed);
    BOOST_TEST(store->liveVersion("shop").value_or(0) == 1);
}

BOOST_FIXTURE_TEST_CASE(older_certificate_than_the_deployed_one_is_refused, Fixture) {
    api.current = "active";
    BOOST_TEST(process() == 0);
    std::string sha = state().deployedSha256;
    RunOptions force;
    force.force = true;
    api.spec.notBeforeOffset = -2L * 86400; // issued before the deployed one (-1h)
    BOOST_TEST(process(force) == 4);
    BOOST_TEST(state().phase == store::Phase::Failed);
    BOOST_TEST(state().lastError.find("refusing the downgrade") != std::string::npos,
               state().lastError);
    BOOST_TEST(store->liveVersion("shop").value_or(0) == 1);
    BOOST_TEST(store->versions("shop") == std::vector<int>{1});
    BOOST_TEST(state().deployedSha256 == sha);
}

BOOST_FIXTURE_TEST_CASE(same_certificate_as_deployed_runs_no_hooks, Fixture) {
    std::string log = dir / "deploy.log";
    test::writeFile(dir / "hooks/deploy.d/10-record",
                    "#!/bin/sh\necho \"$CERTAGENT_EVENT $CERTAGENT_NAME\" >> " + log + "\n", 0755);
    api.current = "active";
    BOOST_TEST(process() == 0);
    BOOST_TEST(test::readFile(log) == "deploy shop\n"); // first issuance runs deploy hooks
    // The order is polled again (state says validating, no pending key) and still shows the
    // deployed certificate: nothing is written, no hook runs.
    auto s = state();
    s.phase = store::Phase::Validating;
    store->saveState("shop", s);
    api.calls.clear();
    BOOST_TEST(process() == 0);
    BOOST_TEST(api.calls == std::vector<std::string>{"status"});
    BOOST_TEST(state().phase == store::Phase::Installed);
    BOOST_TEST(store->versions("shop") == std::vector<int>{1});
    BOOST_TEST(test::readFile(log) == "deploy shop\n");
}

BOOST_FIXTURE_TEST_CASE(clock_far_off_the_api_places_no_expiry_renewal, Fixture) {
    api.current = "active";
    BOOST_TEST(process() == 0);
    // The local clock jumps 80 days ahead: the 90-day certificate looks due (renew at 1/3).
    std::time_t later = std::time(nullptr) + 80L * 86400;
    ctx->now = [later] { return later; };
    api.timeStamp = std::time(nullptr); // the API still says today
    api.calls.clear();
    BOOST_TEST(process() == 0);
    BOOST_TEST(api.calls == std::vector<std::string>{"status"}); // no reissue
    BOOST_TEST(store->versions("shop") == std::vector<int>{1});
    BOOST_TEST(!store->hasPendingKey("shop"));
    // Once the API agrees with the local clock the renewal goes ahead.
    api.timeStamp = later;
    api.calls.clear();
    process();
    BOOST_TEST(api.calls.size() >= 2u);
    BOOST_TEST(api.calls.at(1) == "reissue");
}

BOOST_FIXTURE_TEST_CASE(webserver_type_follows_the_brand_unless_configured, Fixture) {
    BOOST_TEST(process() == 0);
    BOOST_TEST(api.webserverType == -1); // product 65: a Sectigo product
    auto& shop = config.certs[0];
    shop.productId = 42;
    RunOptions force;
    force.force = true;
    store->removeState("shop");
    BOOST_TEST(process(force) == 0);
    BOOST_TEST(api.webserverType == 18); // a GeoTrust product
    shop.webserverType = 3;
    store->removeState("shop");
    BOOST_TEST(process(force) == 0);
    BOOST_TEST(api.webserverType == 3); // the certificate file's word wins
}

BOOST_AUTO_TEST_SUITE_END()
