#include "SandboxTestUtil.h"

#include <Poco/JSON/Array.h>
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

using namespace certagent;
using namespace certagent::test;
using namespace certagent::test::sandboxtest;

namespace {

struct Csr {
    explicit Csr(const std::vector<std::string>& names) : key(makeKey()) {
        auto req = makeCsr(*key, names);
        pem = csrToPem(*req);
        der = csrToDer(*req);
    }
    crypto::EvpPkeyPtr key;
    std::string pem;
    std::string der;
};

/// Runs `openssl verify` on an order's crt_code/ca_code against issuing-root.pem.
CommandOutput opensslVerify(SandboxProcess& sb, const Poco::JSON::Object::Ptr& status,
                            const TempDir& dir) {
    writeFile(dir / "leaf.pem", status->getValue<std::string>("crt_code"));
    writeFile(dir / "ca.pem", status->getValue<std::string>("ca_code"));
    return runCommand({"/usr/bin/openssl", "verify", "-purpose", "sslserver", "-CAfile",
                       sb.issuingRootPath(), "-untrusted", dir / "ca.pem", dir / "leaf.pem"});
}

} // namespace

BOOST_AUTO_TEST_SUITE(SandboxTest)

BOOST_AUTO_TEST_CASE(authAndEnvelopes) {
    SandboxProcess sb;
    BOOST_TEST(sb.url().rfind("https://127.0.0.1:", 0) == 0);
    BOOST_TEST(exists(sb.apiCaPath()));
    BOOST_TEST(exists(sb.issuingRootPath()));

    auto ok = sb.request("/api/auth/", {{"user", sb.user()}, {"pass", sb.pass()}});
    BOOST_TEST(ok.status == 200);
    BOOST_TEST(ok.contentType.find("application/json") == 0u);
    auto okJson = parse(ok.body);
    BOOST_TEST(okJson->getValue<bool>("success"));
    BOOST_TEST(!okJson->getValue<std::string>("key").empty());

    auto bad = sb.request("/api/auth", {{"user", sb.user()}, {"pass", "wrong"}});
    BOOST_TEST(bad.status == 200);
    BOOST_TEST(parse(bad.body)->getValue<bool>("error"));
    auto none = sb.request("/api/auth/", {}, "POST");
    BOOST_TEST(parse(none.body)->getValue<std::string>("message") ==
               "Username and/or password not supplied");

    auto noKey = sb.request("/api/account/balance/");
    BOOST_TEST(noKey.status == 403);
    BOOST_TEST(parse(noKey.body)->getValue<bool>("error"));

    Client client(sb);
    BOOST_TEST(client.get("/account/balance").status == 200);
    auto missing = parse(client.get("/orders/status/999").body);
    BOOST_TEST(missing->getValue<std::string>("message") == "Order not found");
    auto noCsr = parse(client.post("/orders/add_ssl_order/", {{"product_id", "65"}}).body);
    BOOST_TEST(noCsr->getValue<bool>("error"));

    sb.invalidateKeys();
    BOOST_TEST(client.get("/account/balance").status == 403);
    sb.setFault("auth401");
    BOOST_TEST(client.get("/account/balance").status == 401);
    auto calls = sb.calls();
    BOOST_TEST(calls.front() == "auth");
    BOOST_TEST(calls.back() == "getAccountBalance");
    sb.clearCalls();
    BOOST_TEST(sb.calls().empty());
}

BOOST_AUTO_TEST_CASE(orderCarriesSectigoDcvValues) {
    SandboxProcess sb;
    Client client(sb);
    Csr csr({"shop.example.net", "api.example.net"});
    Form form = orderForm(csr.pem, "http");
    form.emplace_back("dns_names", "api.example.net");
    form.emplace_back("approver_emails", "dns");
    form.emplace_back("unique_code", "k7Qm2Rz9Lw4Xp8Tn");
    auto reply = client.post("/orders/add_ssl_order/", form);
    // PHP-style escaping of slashes in the raw text.
    BOOST_TEST(reply.body.find("http:\\/\\/shop.example.net\\/.well-known\\/pki-validation\\/") !=
               std::string::npos);
    auto order = parse(reply.body);
    BOOST_TEST(order->getValue<std::string>("order_status") == "processing");
    std::string id = order->getValue<std::string>("order_id");

    std::string md5 = hexDigest(EVP_md5(), csr.der, true);
    std::string sha = hexDigest(EVP_sha256(), csr.der, true);
    std::string shaLower = hexDigest(EVP_sha256(), csr.der, false);
    auto status = client.status(id);
    BOOST_TEST(status->getValue<std::string>("status") == "processing");
    BOOST_TEST(status->getValue<std::string>("valid_from") == "0000-00-00");
    BOOST_TEST(status->getValue<std::string>("crt_code").empty());
    auto http = status->getObject("approver_method")->getObject("http");
    BOOST_TEST(http->getValue<std::string>("filename") == md5 + ".txt");
    BOOST_TEST(http->getValue<std::string>("content") ==
               sha + "\r\nsectigo.com\r\nk7Qm2Rz9Lw4Xp8Tn");
    BOOST_TEST(http->getValue<std::string>("link") ==
               "http://shop.example.net/.well-known/pki-validation/" + md5 + ".txt");
    auto san = status->getArray("san")->getObject(0);
    BOOST_TEST(san->getValue<std::string>("san_name") == "api.example.net");
    BOOST_TEST(san->getValue<int>("status") == 1);
    BOOST_TEST(san->getObject("validation")->getObject("dns")->getValue<std::string>("record") ==
               "_" + md5 + ".api.example.net CNAME " + shaLower.substr(0, 32) + "." +
                   shaLower.substr(32) + ".k7qm2rz9lw4xp8tn.sectigo.com");
    BOOST_TEST(status->getValue<long>("time_stamp") > 0);
    // No --dcv-connect: the http name cannot validate, the order stays processing.
    BOOST_TEST(client.status(id)->getValue<std::string>("status") == "processing");
}

BOOST_AUTO_TEST_CASE(autoValidateIssuesVerifiableChain) {
    SandboxOptions options;
    options.autoValidate = true;
    options.validityDays = 30;
    SandboxProcess sb(options);
    Client client(sb);
    Csr csr({"www.example.org", "example.org"});
    Form form = orderForm(csr.pem, "dns");
    form.emplace_back("dns_names", "example.org");
    std::string id =
        parse(client.post("/orders/add_ssl_order", form).body)->getValue<std::string>("order_id");
    auto status = client.status(id);
    BOOST_TEST(status->getValue<std::string>("status") == "active");
    BOOST_TEST(status->getArray("san")->getObject(0)->getValue<int>("status") == 2);
    TempDir dir;
    auto verified = opensslVerify(sb, status, dir);
    BOOST_TEST(verified.exitCode == 0, verified.output);
    auto leaf = certFromPem(status->getValue<std::string>("crt_code"));
    BOOST_TEST(X509_check_private_key(leaf.get(), csr.key.get()) == 1);
    BOOST_TEST(X509_check_host(leaf.get(), "example.org", 0, 0, nullptr) == 1);
    BOOST_TEST(status->getValue<std::string>("valid_till") != "0000-00-00");

    auto batch = parse(client.post("/orders/statuses/", {{"cids", id + ",77"}}).body);
    auto certs = batch->getArray("certificates");
    BOOST_TEST(certs->size() == 1u);
    BOOST_TEST(certs->getObject(0)->getValue<std::string>("expires") ==
               status->getValue<std::string>("valid_till"));

    // Reissue with a new key → reissue → active with a certificate for the new key.
    Csr second({"www.example.org"});
    auto reissue = parse(
        client.post("/orders/ssl/reissue/" + id, {{"csr", second.pem}, {"webserver_type", "-1"}})
            .body);
    BOOST_TEST(reissue->getValue<std::string>("order_status") == "reissue");
    auto after = client.status(id);
    BOOST_TEST(after->getValue<std::string>("status") == "active");
    auto newLeaf = certFromPem(after->getValue<std::string>("crt_code"));
    BOOST_TEST(X509_check_private_key(newLeaf.get(), second.key.get()) == 1);

    // Restart keeps orders and keys; the issuing root does not change.
    std::string root = readFile(sb.issuingRootPath());
    sb.restart();
    BOOST_TEST(readFile(sb.issuingRootPath()) == root);
    auto reloaded = client.status(id);
    BOOST_TEST(reloaded->getValue<std::string>("crt_code") ==
               after->getValue<std::string>("crt_code"));
    sb.advance(id, "expired");
    BOOST_TEST(client.status(id)->getValue<std::string>("status") == "expired");
}

BOOST_AUTO_TEST_CASE(httpDcvIsReallyFetched) {
    DcvServer web;
    SandboxOptions options;
    options.dcvConnect = web.address();
    SandboxProcess sb(options);
    Client client(sb);
    Csr csr({"shop.example.net"});
    std::string id = parse(client.post("/orders/add_ssl_order/", orderForm(csr.pem)).body)
                         ->getValue<std::string>("order_id");
    auto http = client.status(id)->getObject("approver_method")->getObject("http");
    std::string path = "/.well-known/pki-validation/" + http->getValue<std::string>("filename");
    std::string content = http->getValue<std::string>("content");

    web.put("shop.example.net", path, "wrong content\n");
    BOOST_TEST(client.status(id)->getValue<std::string>("status") == "processing");
    BOOST_TEST(web.hits() >= 1);
    web.put("other.example.net", path, content); // right content, wrong Host
    BOOST_TEST(client.status(id)->getValue<std::string>("status") == "processing");

    std::string lf = content;
    for (auto pos = lf.find("\r\n"); pos != std::string::npos; pos = lf.find("\r\n"))
        lf.replace(pos, 2, "\n");
    web.put("shop.example.net", path, lf + "\n");
    auto status = client.status(id);
    BOOST_TEST(status->getValue<std::string>("status") == "active");
    TempDir dir;
    auto verified = opensslVerify(sb, status, dir);
    BOOST_TEST(verified.exitCode == 0, verified.output);
}

BOOST_AUTO_TEST_CASE(inputValidation) {
    SandboxProcess sb;
    Client client(sb);
    Csr csr({"*.example.com"});
    auto wildcardHttp = parse(client.post("/orders/add_ssl_order/", orderForm(csr.pem)).body);
    BOOST_TEST(wildcardHttp->getValue<bool>("error"));
    auto badCsr = parse(client.post("/orders/add_ssl_order/", orderForm("not a csr", "dns")).body);
    BOOST_TEST(badCsr->getValue<std::string>("message") == "Invalid CSR");
    Csr multi({"a.example.com"});
    Form mismatch = orderForm(multi.pem, "dns");
    mismatch.emplace_back("dns_names", "b.example.com,c.example.com");
    mismatch.emplace_back("approver_emails", "dns");
    BOOST_TEST(
        parse(client.post("/orders/add_ssl_order/", mismatch).body)->getValue<bool>("error"));
    Form email = orderForm(multi.pem, "email");
    BOOST_TEST(parse(client.post("/orders/add_ssl_order/", email).body)->getValue<bool>("error"));
    email.emplace_back("approver_email", "admin@a.example.com");
    auto ok = parse(client.post("/orders/add_ssl_order/", email).body);
    std::string id = ok->getValue<std::string>("order_id");
    BOOST_TEST(ok->getObject("approver_method")->getValue<std::string>("email") ==
               "admin@a.example.com");
    auto changed = parse(client
                             .post("/orders/ssl/change_validation_method/" + id,
                                   {{"domain", "a.example.com"}, {"new_method", "dns"}})
                             .body);
    BOOST_TEST(changed->getValue<bool>("success"));
    BOOST_TEST(client.status(id)->getValue<std::string>("dcv_method") == "dns");
    auto decoded = parse(client.post("/tools/csr/decode/", {{"csr", multi.pem}}).body);
    BOOST_TEST(decoded->getObject("csrResult")->getValue<std::string>("CN") == "a.example.com");
    auto cancelled = parse(
        client.post("/orders/cancel_ssl_order/", {{"order_id", id}, {"reason", "test"}}).body);
    BOOST_TEST(cancelled->getValue<bool>("success"));
    BOOST_TEST(client.status(id)->getValue<std::string>("status") == "cancelled");
}

BOOST_AUTO_TEST_CASE(issueDelayAndListings) {
    SandboxOptions options;
    options.autoValidate = true;
    options.issueDelaySeconds = 3600; // far beyond the test: the order must stay processing
    SandboxProcess sb(options);
    Client client(sb);
    Csr csr({"mail.example.com"});
    Form form = orderForm(csr.pem, "email");
    form.emplace_back("approver_email", "admin@mail.example.com");
    std::string id =
        parse(client.post("/orders/add_ssl_order/", form).body)->getValue<std::string>("order_id");
    BOOST_TEST(client.status(id)->getValue<std::string>("status") == "processing");
    auto revalidated =
        parse(client.post("/orders/ssl/revalidate/" + id, {{"domain", "mail.example.com"}}).body);
    BOOST_TEST(revalidated->getValue<bool>("success"));
    BOOST_TEST(client.status(id)->getValue<std::string>("status") == "processing");
    BOOST_TEST(parse(client.get("/orders/ssl/resend_validation_email/" + id).body)
                   ->getValue<bool>("success"));
    auto all = parse(client.get("/orders/ssl/all/").body);
    BOOST_TEST(all->getArray("orders")->getObject(0)->getValue<std::string>("order_id") == id);
    auto emails =
        parse(client.post("/tools/domain/emails/", {{"domain", "mail.example.com"}}).body);
    BOOST_TEST(emails->getArray("ComodoApprovalEmails")->getElement<std::string>(0) ==
               "admin@mail.example.com");
    BOOST_TEST(
        parse(client.get("/products/details/65").body)->getValue<std::string>("product_id") ==
        "65");
    // The same CSR cannot be ordered twice while the first order is processing.
    auto duplicate = parse(client.post("/orders/add_ssl_order/", form).body);
    BOOST_TEST(duplicate->getValue<std::string>("description").find(id) != std::string::npos);
    sb.advance(id, "active");
    BOOST_TEST(!client.status(id)->getValue<std::string>("crt_code").empty());
}

BOOST_AUTO_TEST_CASE(eachChangeWritesOnlyItsOrder) {
    SandboxProcess sb;
    Client client(sb);
    std::vector<std::string> ids;
    for (const char* name : {"one.example.com", "two.example.com", "three.example.com"}) {
        Csr csr({name});
        ids.push_back(parse(client.post("/orders/add_ssl_order/", orderForm(csr.pem)).body)
                          ->getValue<std::string>("order_id"));
    }
    auto inode = [&](const std::string& id) {
        struct stat st {};
        BOOST_REQUIRE(::stat((sb.dataDir() + "/orders/" + id + ".json").c_str(), &st) == 0);
        return st.st_ino;
    };
    const auto first = inode(ids[0]);
    const auto second = inode(ids[1]);
    client.post("/orders/cancel_ssl_order/", {{"order_id", ids[1]}, {"reason", "test"}});
    BOOST_TEST(inode(ids[0]) == first);
    BOOST_TEST(inode(ids[1]) != second);

    // A temp file left by a write cut short is ignored; orders, keys and the id counter survive.
    writeFile(sb.dataDir() + "/orders/" + ids[2] + ".json.tmp-x1y2z3", "{\"id\":");
    sb.restart();
    BOOST_TEST(client.status(ids[1])->getValue<std::string>("status") == "cancelled");
    BOOST_TEST(client.status(ids[2])->getValue<std::string>("status") == "processing");
    Csr csr({"four.example.com"});
    auto added = parse(client.post("/orders/add_ssl_order/", orderForm(csr.pem)).body);
    BOOST_TEST(added->getValue<std::string>("order_id") == std::to_string(std::stol(ids[2]) + 1));

    // An order file that does not parse stops the sandbox at start rather than losing the order.
    writeFile(sb.dataDir() + "/orders/" + ids[0] + ".json", "{\"id\":");
    BOOST_CHECK_THROW(sb.restart(), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
