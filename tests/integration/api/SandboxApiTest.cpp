// The API client over real TLS against the real sandbox (tests/sandbox).

#include "SandboxProcess.h"
#include "TestCa.h"
#include "TestEnv.h"
#include "api/ApiClient.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

using namespace certagent;
using namespace certagent::api;
using certagent::test::SandboxOptions;
using certagent::test::SandboxProcess;
using certagent::test::TempDir;

namespace {

/// A started sandbox plus client settings that trust it.
struct Fixture {
    TempDir dir;
    SandboxProcess sandbox;
    std::vector<std::string> logs;

    explicit Fixture(SandboxOptions options = autoValidate()) : sandbox(std::move(options)) {}

    static SandboxOptions autoValidate() {
        SandboxOptions o;
        o.autoValidate = true;
        return o;
    }

    ApiSettings settings() {
        ApiSettings s;
        s.url = sandbox.url();
        s.caFile = sandbox.apiCaPath();
        s.timeout = std::chrono::seconds(20);
        s.retryDeadline = std::chrono::seconds(60);
        s.retryBase = std::chrono::milliseconds(50);
        s.keyCachePath = dir / "auth.key";
        s.log = [this](const std::string& line) { logs.push_back(line); };
        return s;
    }

    std::unique_ptr<ApiClient> client(ApiSettings s) {
        return std::make_unique<ApiClient>(std::move(s),
                                           Credentials{sandbox.user(), Secret(sandbox.pass())});
    }
    std::unique_ptr<ApiClient> client() { return client(settings()); }

    long count(const std::string& method) {
        const auto calls = sandbox.calls();
        return std::count(calls.begin(), calls.end(), method);
    }
};

NewOrderRequest orderFor(const std::vector<std::string>& names) {
    const auto key = test::makeKey();
    NewOrderRequest r;
    r.productId = 65;
    r.period = 12;
    r.csr = test::csrToPem(*test::makeCsr(*key, names));
    r.dcvMethod = "http";
    r.contacts = {{"admin_firstname", "Ilze"},
                  {"admin_lastname", "Kalnina"},
                  {"admin_phone", "37120000000"},
                  {"admin_title", "Ms"},
                  {"admin_email", "ops@example.net"},
                  {"tech_firstname", "Ilze"},
                  {"tech_lastname", "Kalnina"},
                  {"tech_phone", "37120000000"},
                  {"tech_title", "Ms"},
                  {"tech_email", "ops@example.net"}};
    for (std::size_t i = 1; i < names.size(); ++i) {
        r.dnsNames.push_back(names[i]);
        r.approverEmails.push_back("http");
    }
    return r;
}

/// Polls until the order is active with a certificate (auto-validate issues on a status call).
OrderStatus waitActive(ApiClient& client, long long orderId, const std::string& notCrt = "") {
    OrderStatus s;
    for (int i = 0; i < 100; ++i) {
        s = client.getOrderStatus(orderId);
        if (s.status == "active" && !s.crtCode.empty() && s.crtCode != notCrt) {
            return s;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    BOOST_FAIL("order " << orderId << " never became active (status " << s.status << ")");
    return s;
}

/// True when `f` throws an ApiError that is an error envelope (exit 4).
bool expectRefused(const std::function<void()>& f) {
    try {
        f();
    } catch (const ApiError& e) {
        return e.isEnvelope() && e.exitCode() == 4;
    }
    return false;
}

void verifyChain(const Fixture& f, const OrderStatus& s) {
    test::writeFile(f.dir / "leaf.pem", s.crtCode);
    test::writeFile(f.dir / "ca.pem", s.caCode);
    const auto out = test::runCommand({"openssl", "verify", "-CAfile", f.sandbox.issuingRootPath(),
                                       "-untrusted", f.dir / "ca.pem", f.dir / "leaf.pem"});
    BOOST_TEST(out.exitCode == 0, out.output);
}

} // namespace

BOOST_AUTO_TEST_SUITE(ApiSandbox)

BOOST_AUTO_TEST_CASE(auth_and_account_balance) {
    Fixture f;
    auto client = f.client();
    client->authenticate();
    const AccountBalance b = client->getAccountBalance();
    BOOST_TEST(!b.balance.empty());
    BOOST_TEST(f.count("auth") == 1);
    BOOST_TEST(test::exists(f.dir / "auth.key"));
    auto second = f.client(); // reuses the cached key
    second->getAccountBalance();
    BOOST_TEST(f.count("auth") == 1);
    for (const auto& line : f.logs) {
        BOOST_TEST(line.find(f.sandbox.pass()) == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(order_issue_reissue_and_batch) {
    Fixture f;
    auto client = f.client();
    const NewOrderResult created =
        client->addSSLOrder(orderFor({"shop.example.net", "api.example.net"}));
    BOOST_TEST(created.orderId > 0);
    BOOST_TEST(created.approver.method == "http");
    BOOST_TEST(!created.approver.fileName.empty());
    BOOST_TEST(created.approver.content.find("\r\n") != std::string::npos);

    const OrderStatus active = waitActive(*client, created.orderId);
    BOOST_TEST(active.orderId == created.orderId);
    BOOST_TEST(active.domain == "shop.example.net");
    BOOST_TEST(active.validTill.has_value());
    BOOST_TEST(active.crtCode.rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0u);
    verifyChain(f, active);

    ReissueRequest re;
    re.csr = orderFor({"shop.example.net", "api.example.net"}).csr;
    re.dcvMethod = "dns";
    re.dnsNames = {"api.example.net"};
    re.approverEmails = {"dns"};
    const ReissueResult reissued = client->reissueSSLOrder(created.orderId, re);
    BOOST_TEST(reissued.orderId == created.orderId);
    BOOST_TEST(reissued.orderStatus == "reissue");
    const OrderStatus again = waitActive(*client, created.orderId, active.crtCode);
    BOOST_TEST(again.crtCode != active.crtCode);
    verifyChain(f, again);

    const NewOrderResult second = client->addSSLOrder(orderFor({"www.example.org"}));
    const auto batch = client->getOrdersStatus({created.orderId, second.orderId});
    BOOST_REQUIRE(batch.size() == 2u);
    for (const auto& b : batch) {
        BOOST_TEST((b.orderId == created.orderId || b.orderId == second.orderId));
        BOOST_TEST(!b.status.empty());
    }
    const OrderList all = client->getAllSSLOrders(10, 0);
    BOOST_TEST(all.orders.size() == 2u);
}

BOOST_AUTO_TEST_CASE(error_envelope_exits_4) {
    Fixture f;
    auto client = f.client();
    const NewOrderResult created = client->addSSLOrder(orderFor({"shop.example.net"}));
    ReissueRequest re;
    re.csr = orderFor({"shop.example.net"}).csr;
    try {
        client->reissueSSLOrder(created.orderId, re); // still processing: not reissuable
        BOOST_FAIL("expected an error envelope");
    } catch (const ApiError& e) {
        BOOST_TEST(e.exitCode() == 4);
        BOOST_TEST(e.isEnvelope());
        BOOST_TEST(e.description() == "Order can't be processed with reissue procedure!");
    }
    f.sandbox.setFault("error_envelope", "", 1);
    try {
        client->getAccountBalance();
        BOOST_FAIL("expected an error envelope");
    } catch (const ApiError& e) {
        BOOST_TEST(e.exitCode() == 4);
    }
}

BOOST_AUTO_TEST_CASE(placed_order_with_odd_details_keeps_its_id) {
    Fixture f;
    auto client = f.client();
    f.sandbox.setFault("odd_approver_method", "", 1);
    const NewOrderResult created =
        client->addSSLOrder(orderFor({"shop.example.net", "api.example.net"}));
    BOOST_TEST(created.orderId > 0);
    BOOST_TEST(created.unreadableDetails == "approver_method: not an object");
    BOOST_TEST(created.approver.empty());
    BOOST_TEST(f.count("addSSLOrder") == 1);
    const OrderStatus st = client->getOrderStatus(created.orderId); // where the details are
    BOOST_TEST(st.approver.method == "http");
    BOOST_TEST(!st.approver.fileName.empty());
    BOOST_TEST(st.san.size() == 1u);

    f.sandbox.setFault("odd_san", "", 1);
    const NewOrderResult renewed =
        client->addSSLRenewOrder(orderFor({"www.example.org", "api.example.org"}));
    BOOST_TEST(renewed.orderId > created.orderId);
    BOOST_TEST(renewed.unreadableDetails == "san[0]: not an object");
    BOOST_TEST(f.count("addSSLRenewOrder") == 1);

    waitActive(*client, created.orderId);
    ReissueRequest re;
    re.csr = orderFor({"shop.example.net"}).csr;
    re.dcvMethod = "http";
    f.sandbox.setFault("odd_approver_method", "", 1);
    const ReissueResult reissued = client->reissueSSLOrder(created.orderId, re);
    BOOST_TEST(reissued.orderId == created.orderId);
    BOOST_TEST(reissued.unreadableDetails == "validation: not an object");
    BOOST_TEST(f.count("reissueSSLOrder") == 1);
}

BOOST_AUTO_TEST_CASE(webserver_type_follows_the_product_brand) {
    Fixture f;
    auto client = f.client();
    BOOST_TEST(client->webserverTypeFor(65) == -1); // comodo
    BOOST_TEST(client->webserverTypeFor(66) == -1); // comodo_ggssl
    for (long long digicertFamily : {41, 42, 43, 44}) {
        BOOST_TEST(client->webserverTypeFor(digicertFamily) == 18);
    }
    BOOST_TEST(client->webserverTypeFor(42) == 18);
    BOOST_TEST(f.count("getProductDetails") == 6); // once per product

    NewOrderRequest geotrust = orderFor({"shop.example.net"});
    geotrust.productId = 42;
    try {
        client->addSSLOrder(geotrust); // the old constant -1
        BOOST_FAIL("expected the sandbox to refuse webserver_type -1 for a GeoTrust product");
    } catch (const ApiError& e) {
        BOOST_TEST(e.exitCode() == 4);
        BOOST_TEST(
            e.description() ==
            "webserver_type -1 is not valid for geotrust products (see /tools/webservers/2)");
    }
    geotrust.webserverType = client->webserverTypeFor(geotrust.productId);
    const NewOrderResult placed = client->addSSLOrder(geotrust);
    BOOST_TEST(placed.orderId > 0);
    BOOST_TEST(client->getOrderStatus(placed.orderId).webserverType == 18);

    waitActive(*client, placed.orderId);
    ReissueRequest re;
    re.csr = orderFor({"shop.example.net"}).csr;
    re.dcvMethod = "http";
    BOOST_TEST(expectRefused([&] { client->reissueSSLOrder(placed.orderId, re); }));
    re.webserverType = 18;
    BOOST_TEST(client->reissueSSLOrder(placed.orderId, re).orderStatus == "reissue");

    NewOrderRequest sectigo = orderFor({"www.example.org"});
    sectigo.webserverType = 18; // list 2's OTHER is Oracle in list 1: accepted
    BOOST_TEST(client->addSSLOrder(sectigo).orderId > 0);
    sectigo.webserverType = 37;
    BOOST_TEST(expectRefused([&] { client->addSSLOrder(sectigo); }));
}

BOOST_AUTO_TEST_CASE(invalidated_key_means_one_reauth) {
    Fixture f;
    auto client = f.client();
    const long long id = client->addSSLOrder(orderFor({"shop.example.net"})).orderId;
    BOOST_TEST(f.count("auth") == 1);
    f.sandbox.invalidateKeys();
    BOOST_TEST(client->getOrderStatus(id).orderId == id);
    BOOST_TEST(f.count("auth") == 2);
}

BOOST_AUTO_TEST_CASE(invalidated_key_reported_with_http_200_means_one_reauth) {
    Fixture f;
    auto client = f.client();
    const long long id = client->addSSLOrder(orderFor({"shop.example.net"})).orderId;
    f.sandbox.invalidateKeys();
    f.sandbox.setFault("auth200", "", 1);
    BOOST_TEST(client->getOrderStatus(id).orderId == id);
    BOOST_TEST(f.count("auth") == 2);
}

BOOST_AUTO_TEST_CASE(transient_faults_are_retried) {
    Fixture f;
    auto client = f.client();
    const long long id = client->addSSLOrder(orderFor({"shop.example.net"})).orderId;
    f.sandbox.clearCalls();
    f.sandbox.setFault("http500", std::to_string(id), 2);
    BOOST_TEST(client->getOrderStatus(id).orderId == id);
    BOOST_TEST(f.count("getOrderStatus") == 3);
    f.sandbox.setFault("html", std::to_string(id), 1);
    f.sandbox.setFault("truncated_json", std::to_string(id), 1);
    f.sandbox.setFault("http429", std::to_string(id), 1, "1");
    BOOST_TEST(client->getOrderStatus(id).orderId == id);
    BOOST_TEST(f.count("getOrderStatus") == 7);
}

BOOST_AUTO_TEST_CASE(unknown_ca_is_refused_before_credentials) {
    Fixture f;
    ApiSettings s = f.settings();
    s.caFile.clear();
    try {
        f.client(s)->getAccountBalance();
        BOOST_FAIL("expected a TLS refusal");
    } catch (const ApiError& e) {
        BOOST_TEST(e.exitCode() == 4, e.what());
        BOOST_TEST(std::string(e.what()).find("TLS verification") != std::string::npos, e.what());
    }
    BOOST_TEST(f.sandbox.calls().empty());
}

BOOST_AUTO_TEST_CASE(host_name_mismatch_is_refused_before_credentials) {
    Fixture f;
    // An IPv4-mapped IPv6 literal reaches the 127.0.0.1 listener but is not in the certificate
    // (localhost, 127.0.0.1, ::1).
    ApiSettings s = f.settings();
    s.url = "https://[::ffff:127.0.0.1]:" + std::to_string(f.sandbox.port()) + "/api";
    try {
        f.client(s)->getAccountBalance();
        BOOST_FAIL("expected a TLS refusal");
    } catch (const ApiError& e) {
        BOOST_TEST(e.exitCode() == 4, e.what());
        BOOST_TEST(std::string(e.what()).find("TLS verification") != std::string::npos, e.what());
    }
    BOOST_TEST(f.sandbox.calls().empty());
    // The same listener under a name in the certificate works.
    ApiSettings good = f.settings();
    good.url = "https://localhost:" + std::to_string(f.sandbox.port()) + "/api";
    BOOST_CHECK_NO_THROW(f.client(good)->getAccountBalance());
}

BOOST_AUTO_TEST_CASE(raw_call_returns_json) {
    Fixture f;
    auto client = f.client();
    const long long id = client->addSSLOrder(orderFor({"shop.example.net"})).orderId;
    const std::string json = client->callRaw("getOrderStatus", {{"order_id", std::to_string(id)}});
    BOOST_TEST(json.find("\"order_id\"") != std::string::npos);
    const std::string auth = client->callRaw("/account/balance/", {});
    BOOST_TEST(auth.find("balance") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
