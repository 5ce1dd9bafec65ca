#include "SandboxTestUtil.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeParser.h>
#include <Poco/JSON/JSONException.h>
#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::test;
using namespace certagent::test::sandboxtest;

namespace {

struct Fixture {
    Fixture() : sb(options()), client(sb) {}
    static SandboxOptions options() {
        SandboxOptions o;
        o.autoValidate = true;
        return o;
    }
    /// Places an order (not yet issued: issuing happens on the first status call).
    std::string order(const EVP_PKEY& key, const std::string& name = "shop.example.net") {
        auto reply = client.post("/orders/add_ssl_order/",
                                 orderForm(csrToPem(*makeCsr(key, {name})), "dns"));
        return parse(reply.body)->getValue<std::string>("order_id");
    }
    SandboxProcess sb;
    Client client;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(SandboxFaultTest, Fixture)

BOOST_AUTO_TEST_CASE(transportFaultsCountDown) {
    sb.setFault("http500", "", 2);
    BOOST_TEST(client.get("/account/balance").status == 500);
    BOOST_TEST(client.get("/account/balance").status == 500);
    BOOST_TEST(client.get("/account/balance").status == 200);

    sb.setFault("http429", "", 1, "7");
    auto limited = client.get("/account/balance");
    BOOST_TEST(limited.status == 429);
    BOOST_TEST(limited.retryAfter == "7");

    sb.setFault("truncated_json", "", 1);
    auto truncated = client.get("/account/balance");
    BOOST_TEST(truncated.status == 200);
    BOOST_CHECK_THROW(parse(truncated.body), Poco::Exception);

    sb.setFault("html", "", 1);
    auto html = client.get("/account/balance");
    BOOST_TEST(html.status == 200);
    BOOST_TEST(html.body.find("<html>") != std::string::npos);

    sb.setFault("date_offset", "", 1, "-86400");
    auto skewed = client.get("/account/balance");
    int tzd = 0;
    Poco::DateTime date = Poco::DateTimeParser::parse(skewed.date, tzd);
    BOOST_TEST((Poco::Timestamp() - date.timestamp()) >
               Poco::Timespan(80000, 0).totalMicroseconds());

    sb.setFault("error_envelope");
    BOOST_TEST(parse(client.get("/account/balance").body)->getValue<bool>("error"));
    sb.reset();
    BOOST_TEST(parse(client.get("/account/balance").body)->getValue<bool>("success"));
    auto calls = sb.calls();
    BOOST_TEST(std::count(calls.begin(), calls.end(), "getAccountBalance") == 9);
}

BOOST_AUTO_TEST_CASE(certificateFaults) {
    auto key = makeKey();
    std::string other = order(*key);
    sb.setFault("other_key", other);
    auto leaf = certFromPem(client.status(other)->getValue<std::string>("crt_code"));
    BOOST_TEST(X509_check_private_key(leaf.get(), key.get()) == 0);

    auto key2 = makeKey();
    std::string expired = order(*key2, "old.example.net");
    sb.setFault("expired_cert", expired, 1);
    auto expiredLeaf = certFromPem(client.status(expired)->getValue<std::string>("crt_code"));
    BOOST_TEST(X509_cmp_current_time(X509_get0_notAfter(expiredLeaf.get())) < 0);

    auto key3 = makeKey();
    std::string wrong = order(*key3, "wrong.example.net");
    sb.setFault("wrong_intermediate", wrong);
    auto status = client.status(wrong);
    TempDir dir;
    writeFile(dir / "leaf.pem", status->getValue<std::string>("crt_code"));
    writeFile(dir / "ca.pem", status->getValue<std::string>("ca_code"));
    auto verified = runCommand({"/usr/bin/openssl", "verify", "-CAfile", sb.issuingRootPath(),
                                "-untrusted", dir / "ca.pem", dir / "leaf.pem"});
    BOOST_TEST(verified.exitCode != 0);
}

BOOST_AUTO_TEST_CASE(responseFaults) {
    auto key = makeKey();
    std::string id = order(*key);
    sb.setFault("missing_crt", id, 1);
    auto missing = client.status(id);
    BOOST_TEST(missing->getValue<std::string>("status") == "active");
    BOOST_TEST(missing->getValue<std::string>("crt_code").empty());
    BOOST_TEST(!client.status(id)->getValue<std::string>("crt_code").empty());

    sb.setFault("wrong_order_id", id, 1);
    BOOST_TEST(client.status(id)->getValue<std::string>("order_id") != id);
    sb.setFault("cancelled", id, 1);
    BOOST_TEST(client.status(id)->getValue<std::string>("status") == "cancelled");
    BOOST_TEST(client.status(id)->getValue<std::string>("status") == "active");

    SandboxOptions plain;
    SandboxProcess manual(plain);
    Client c2(manual);
    manual.setFault("hostile_dcv_filename", "", 1);
    manual.setFault("hostile_dcv_content", "", 1);
    auto reply = c2.post("/orders/add_ssl_order/",
                         orderForm(csrToPem(*makeCsr(*key, {"shop.example.net"})), "http"));
    auto http = parse(reply.body)->getObject("approver_method")->getObject("http");
    BOOST_TEST(http->getValue<std::string>("filename") == "../../etc/cron.d/x.txt");
    BOOST_TEST(http->getValue<std::string>("link").find("/../../etc/cron.d/x.txt") !=
               std::string::npos);
    BOOST_TEST(http->getValue<std::string>("content").find("$(reboot)") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
