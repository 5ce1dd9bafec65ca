// `certagent discover`, `status --served` and `verify` with the real binary against a private
// nginx: every TLS name and default block with the block that serves it and why, the certificate
// it serves now, who manages it; `discover --write` takes a name over; after an install the same
// commands show certagent's certificate and the block that serves it.
#include "AgentEnv.h"
#include "NginxProcess.h"
#include "TestCa.h"
#include "crypto/CertFacts.h"
#include "util/IsoTime.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

#include <regex>
#include <sstream>
#include <sys/stat.h>

using namespace certagent;
using namespace certagent::test;

namespace {

/// A hand-installed pair: leaf for `names` with `kind`'s key from `ca`, written to DIR/cert.pem
/// (leaf + `chain`) and DIR/key.pem.
void handPair(const std::string& dir, const TestCa& ca, const std::vector<std::string>& names,
              KeyKind kind, const std::string& chain = "") {
    ::mkdir(dir.c_str(), 0755);
    crypto::EvpPkeyPtr key = makeKey(kind);
    CertSpec spec;
    spec.names = names;
    writeFile(dir + "/cert.pem", toPem(*ca.issue(*key, spec)) + chain);
    writeFile(dir + "/key.pem", keyToPem(*key), 0600);
}

Poco::JSON::Object::Ptr parsed(const std::string& json) {
    Poco::JSON::Parser parser;
    return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

/// The lines of `output`, with "(89 days)" as "(N days)": the count depends on the second it runs.
std::vector<std::string> outputLines(const std::string& output) {
    static const std::regex days("\\([0-9]+ days\\)");
    std::vector<std::string> lines;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);)
        lines.push_back(std::regex_replace(line, days, "(N days)"));
    return lines;
}

/// notAfter of the first certificate in `path`, as discover prints it.
std::string notAfterOf(const std::string& path) {
    crypto::X509Ptr cert = certFromPem(readFile(path).substr(0, readFile(path).find("-----END")) +
                                       "-----END CERTIFICATE-----\n");
    return formatIsoUtc(std::chrono::system_clock::to_time_t(crypto::certFacts(*cert).notAfter));
}

} // namespace

BOOST_AUTO_TEST_SUITE(NginxDiscover)

BOOST_AUTO_TEST_CASE(discover_shows_each_name_and_default_then_write_and_install_take_over) {
    AgentEnv env;
    TestCa hand = TestCa::makeRoot("Hand Root");
    TestCa handCa = hand.makeIntermediate("Hand CA");
    std::string shopDir = env.dir() / "shop", defDir = env.dir() / "default";
    handPair(shopDir, handCa, {"shop.example.test", "www.shop.example.test"}, KeyKind::EcP256,
             handCa.certPem());
    handPair(defDir, hand, {"localhost"}, KeyKind::Rsa2048);
    NginxProcess nginx;
    int port = freePort(), http = freePort();
    std::string p = std::to_string(port);
    std::string shopSite = nginx.addServerFile(
        "10-shop.conf",
        NginxProcess::tlsServerBlock({"shop.example.test", "www.shop.example.test"}, port,
                                     shopDir + "/cert.pem", shopDir + "/key.pem"));
    // Mozilla's generator: a catch-all TLS block without server_name.
    std::string defSite = nginx.addServerFile(
        "20-default.conf",
        "server {\n\tlisten 127.0.0.1:" + p + " ssl default_server;\n\tssl_certificate " + defDir +
            "/cert.pem;\n\tssl_certificate_key " + defDir + "/key.pem;\n\treturn 444;\n}\n");
    nginx.addHttpSite("30-http", {"shop.example.test", "blog.example.test"}, http,
                      env.dir() / "www-http");
    nginx.start({port, http});
    std::string cert = env.defaultCert();
    cert.replace(cert.find("installer = none"), std::string::npos, "installer = nginx\n");
    env.configure(cert, "[nginx]\nbinary = " + NginxProcess::binary() +
                            "\nconfig = " + nginx.configPath() + "\nreload = signal\n");

    const std::string shopBlock = shopSite + ":1 (exact name)";
    const std::string defBlock = defSite + ":1 (default server of 127.0.0.1:" + p + ")";
    const std::string notTrusted = "chain does NOT verify: verifying chain: no valid path to a "
                                   "trusted root in " +
                                   env.sandbox().issuingRootPath() +
                                   ": unable to get local issuer certificate";

    CommandOutput table = env.agent({"discover", "--installer", "nginx"});
    BOOST_TEST_REQUIRE(table.exitCode == 0, table.output);
    std::vector<std::string> lines = outputLines(table.output);
    BOOST_REQUIRE_EQUAL(lines.size(), 9u);
    BOOST_TEST(lines[0] == "nginx:");
    BOOST_TEST(lines[1] == "  shop.example.test on 127.0.0.1:" + p + ": " + shopBlock);
    BOOST_TEST(lines[2] ==
               "    certificate " + shopDir +
                   "/cert.pem: CN = shop.example.test; issuer CN = " + "Hand CA; not after " +
                   notAfterOf(shopDir + "/cert.pem") + " (N days); ec-p256; " + notTrusted +
                   " (depth 1, CN=Hand CA); not managed by certagent");
    BOOST_TEST(lines[3] == "  www.shop.example.test on 127.0.0.1:" + p + ": " + shopBlock);
    BOOST_TEST(lines[4] == lines[2]);
    BOOST_TEST(lines[5] == "  (any other name) on 127.0.0.1:" + p + ": " + defBlock);
    BOOST_TEST(lines[6] == "    certificate " + defDir +
                               "/cert.pem: CN = localhost; issuer CN = Hand Root; not after " +
                               notAfterOf(defDir + "/cert.pem") + " (N days); rsa-2048; " +
                               notTrusted + " (depth 0, CN=localhost); not managed by certagent");
    BOOST_TEST(lines[8] == "To take names over: certagent discover --write NAME --domains "
                           "NAME1,NAME2 [--order-id ID | --product-id ID]");

    CommandOutput json = env.agent({"discover", "--installer", "nginx", "--json"});
    BOOST_TEST_REQUIRE(json.exitCode == 0, json.output);
    auto servers = parsed(json.output)->getArray("servers");
    BOOST_REQUIRE_EQUAL(servers->size(), 1u);
    auto nginxReport = servers->getObject(0);
    BOOST_TEST(nginxReport->getValue<std::string>("installer") == "nginx");
    BOOST_TEST(nginxReport->getValue<std::string>("error") == "");
    auto names = nginxReport->getArray("names");
    BOOST_REQUIRE_EQUAL(names->size(), 3u);
    auto fallback = names->getObject(2);
    BOOST_TEST(fallback->getValue<std::string>("name") == "");
    BOOST_TEST(fallback->getValue<std::string>("address") == "127.0.0.1:" + p);
    BOOST_TEST(fallback->getValue<std::string>("block") == defSite + ":1");
    BOOST_TEST(fallback->getValue<std::string>("why") == "default server of 127.0.0.1:" + p);
    BOOST_TEST(fallback->getValue<std::string>("managed_by") == "");
    auto served = fallback->getObject("certificate");
    BOOST_TEST(served->getValue<std::string>("file") == defDir + "/cert.pem");
    BOOST_TEST(served->getValue<std::string>("key_file") == defDir + "/key.pem");
    BOOST_TEST(served->getValue<std::string>("subject") == "CN = localhost");
    BOOST_TEST(served->getValue<std::string>("key_type") == "rsa-2048");
    BOOST_TEST(served->getValue<std::string>("not_after") == notAfterOf(defDir + "/cert.pem"));
    BOOST_TEST(served->getValue<long long>("days_left") >= 88);
    BOOST_TEST(served->getValue<bool>("chain_verifies") == false);

    // A name nobody lists falls to the default block: take it over with a file of its own.
    std::vector<std::string> writeArgs{"discover",  "--write",           "blog",
                                       "--domains", "blog.example.test", "--order-id",
                                       "5",         "--installer",       "nginx"};
    CommandOutput write = env.agent(writeArgs);
    BOOST_TEST_REQUIRE(write.exitCode == 0, write.output);
    std::string blogFile = env.etc() + "/certs.d/blog.conf";
    BOOST_TEST(write.output ==
               "wrote " + blogFile + " (1 name(s), installer = nginx, key = rsa-2048)\n");
    std::string blog = readFile(blogFile);
    BOOST_TEST(blog.find(";   blog.example.test on 127.0.0.1:" + p + ": " + defBlock +
                         ", certificate " + defDir + "/cert.pem\n") != std::string::npos,
               blog);
    for (const char* line :
         {"\ndomains = blog.example.test\n", "\norder_id = 5\n", "\ndcv = http\nwebroot = auto\n",
          "\nkey = rsa-2048\n", "\ninstaller = nginx\n"})
        BOOST_TEST(blog.find(line) != std::string::npos, line);
    struct stat st {};
    BOOST_TEST(::stat(blogFile.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 07777) == 0644u);
    CommandOutput again = env.agent(writeArgs);
    BOOST_TEST(again.exitCode == 2);
    BOOST_TEST(again.output == "certagent: discover: " + blogFile + " exists; not replacing it\n");
    BOOST_TEST(readFile(blogFile) == blog);

    // status asks the server only with --served; its table stays as it was otherwise.
    CommandOutput status = env.agent({"status", "--served"});
    BOOST_TEST_REQUIRE(status.exitCode == 0, status.output);
    lines = outputLines(status.output);
    BOOST_REQUIRE_EQUAL(lines.size(), 6u);
    BOOST_TEST(lines[2] == "    served: blog.example.test on 127.0.0.1:" + p + ": " + defBlock);
    BOOST_TEST(lines[4] == "    served: shop.example.test on 127.0.0.1:" + p + ": " + shopBlock);
    BOOST_TEST(lines[5] ==
               "    served: www.shop.example.test on 127.0.0.1:" + p + ": " + shopBlock);
    BOOST_TEST(outputLines(env.agent({"status"}).output).size() == 3u);

    // After an install: certagent's certificate, verified, in the same block.
    CommandOutput run = env.agent({"run", "--cert", "shop"});
    BOOST_TEST_REQUIRE(run.exitCode == 0, run.output);
    CommandOutput verify = env.agent({"verify", "shop"});
    BOOST_TEST_REQUIRE(verify.exitCode == 0, verify.output);
    BOOST_TEST(verify.output.find("shop: nginx serves the live certificate\n"
                                  "shop: shop.example.test on 127.0.0.1:" +
                                  p + ": " + shopBlock + "\nshop: www.shop.example.test on " +
                                  "127.0.0.1:" + p + ": " + shopBlock + "\n") != std::string::npos,
               verify.output);
    CommandOutput after = env.agent({"discover", "--installer", "nginx"});
    BOOST_TEST_REQUIRE(after.exitCode == 0, after.output);
    lines = outputLines(after.output);
    std::string live = env.store() + "/live/shop/fullchain.pem";
    BOOST_TEST(lines[2] == "    certificate " + live +
                               ": CN = shop.example.test; issuer CN = certagent-sandbox DV "
                               "Intermediate; not after " +
                               notAfterOf(live) +
                               " (N days); ec-p256; chain verifies; managed by certagent (shop)");
    CommandOutput statusJson = env.agent({"status", "shop", "--served", "--json"});
    BOOST_TEST_REQUIRE(statusJson.exitCode == 0, statusJson.output);
    Poco::JSON::Parser parser;
    auto rows = parser.parse(statusJson.output).extract<Poco::JSON::Array::Ptr>();
    auto row = rows->getObject(0);
    BOOST_TEST(row->getValue<std::string>("phase") == "installed");
    BOOST_TEST(row->has("next_action"));
    auto servedBy = row->getArray("served_by");
    BOOST_REQUIRE_EQUAL(servedBy->size(), 2u);
    auto first = servedBy->getObject(0);
    BOOST_TEST(first->getValue<std::string>("name") == "shop.example.test");
    BOOST_TEST(first->getValue<std::string>("address") == "127.0.0.1:" + p);
    BOOST_TEST(first->getValue<std::string>("block") == shopSite + ":1");
    BOOST_TEST(first->getValue<std::string>("why") == "exact name");
    BOOST_TEST(first->getValue<std::string>("cert_file") == live);
    BOOST_TEST(!row->has("served_by_error"));
    BOOST_TEST(!parser.parse(env.agent({"status", "--json"}).output)
                    .extract<Poco::JSON::Array::Ptr>()
                    ->getObject(0)
                    ->has("served_by"));
}

BOOST_AUTO_TEST_CASE(discover_usage_errors_exit_2_with_one_line) {
    AgentEnv env;
    env.configure(env.defaultCert());
    auto expect = [&](const std::vector<std::string>& args, const std::string& message) {
        CommandOutput out = env.agent(args);
        BOOST_TEST(out.exitCode == 2);
        BOOST_TEST(out.output == "certagent: discover: " + message + "\n");
    };
    expect({"discover", "--installer", "iis"},
           "--installer: expected nginx or apache, not \"iis\"");
    expect({"discover", "--domains", "a.test"}, "--domains goes with --write NAME");
    expect({"discover", "--write", "x"}, "--write needs --domains NAME1,NAME2");
    expect({"discover", "shop"}, "unexpected argument \"shop\" (see certagent --help)");
    expect({"discover", "--write", "a/b", "--domains", "a.test", "--installer", "nginx"},
           "--write: bad certificate name \"a/b\" (letters, digits, . _ -, at most 64, starting "
           "with a letter or digit, no \"..\")");
    expect({"discover", "--write", "x", "--domains", "a.test,10.0.0.1", "--installer", "nginx"},
           "--domains: \"10.0.0.1\" is not a DNS name");
    BOOST_TEST(!exists(env.etc() + "/certs.d/x.conf"));
}

BOOST_AUTO_TEST_SUITE_END()
