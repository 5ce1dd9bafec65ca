// `certagent discover`, `status --served` and `verify` with the real binary against a private
// apache2: Debian's default-ssl.conf without ServerName serves every unnamed name, a named vhost
// serves its own; `discover --write` takes an unnamed name over; after an install `verify` says
// which vhost serves each name.
#include "AgentEnv.h"
#include "ApacheProcess.h"
#include "TestCa.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

using namespace certagent;
using namespace certagent::test;

namespace {

/// A hand-installed self-signed pair for `name` with `kind`'s key, DIR/cert.pem and DIR/key.pem.
void selfSigned(const std::string& dir, const std::string& name, KeyKind kind) {
    ::mkdir(dir.c_str(), 0755);
    TestCa::makeRoot(name, kind).save(dir + "/cert.pem", dir + "/key.pem");
}

std::string vhost(const std::string& address, const std::string& serverName,
                  const std::string& dir) {
    return "<IfModule mod_ssl.c>\n\t<VirtualHost " + address + ">\n" +
           (serverName.empty() ? "" : "\t\tServerName " + serverName + "\n") +
           "\t\tSSLEngine on\n\t\tSSLCertificateFile\t" + dir +
           "/cert.pem\n\t\tSSLCertificateKeyFile " + dir +
           "/key.pem\n\t</VirtualHost>\n</IfModule>\n";
}

} // namespace

BOOST_AUTO_TEST_SUITE(ApacheDiscover)

BOOST_AUTO_TEST_CASE(discover_write_status_and_verify_name_the_vhost_and_why) {
    ApacheProcess apache;
    AgentEnv env;
    std::string p = std::to_string(apache.httpsPort());
    std::string defDir = env.dir() / "snakeoil", shopDir = env.dir() / "shop";
    selfSigned(defDir, "localhost", KeyKind::Rsa2048);
    selfSigned(shopDir, "shop.example.test", KeyKind::EcP384);
    apache.addSiteFile("default-ssl", vhost("_default_:" + p, "", defDir));
    apache.addSiteFile("shop", vhost("*:" + p, "shop.example.test", shopDir));
    std::string multi = vhost("*:" + p, "multi.example.test", shopDir);
    multi.replace(multi.find("\t\tSSLEngine"), 0, "\t\tServerAlias extra.example.test\n");
    apache.addSiteFile("zz-multi", multi);
    apache.start();
    std::string cert = env.defaultCert();
    cert.replace(cert.find("www.shop.example.test"), 21, "shop2.example.test");
    cert.replace(cert.find("installer = none"), std::string::npos, "installer = apache\n");
    env.configure(cert, "[apache]\nbinary = " + ApacheProcess::binary() +
                            "\nconfig = " + apache.configPath() + "\nreload = signal\n");
    const std::string defSite = apache.sitesDir() + "/default-ssl.conf:2";
    const std::string shopSite = apache.sitesDir() + "/shop.conf:2";

    CommandOutput json = env.agent({"discover", "--installer", "apache", "--json"});
    BOOST_TEST_REQUIRE(json.exitCode == 0, json.output);
    Poco::JSON::Parser parser;
    auto servers =
        parser.parse(json.output).extract<Poco::JSON::Object::Ptr>()->getArray("servers");
    BOOST_REQUIRE_EQUAL(servers->size(), 1u);
    auto names = servers->getObject(0)->getArray("names");
    std::vector<std::string> seen;
    for (size_t i = 0; i < names->size(); ++i) {
        auto n = names->getObject(static_cast<unsigned>(i));
        auto c = n->getObject("certificate");
        seen.push_back(
            n->getValue<std::string>("name") + " @" + n->getValue<std::string>("address") + " " +
            n->getValue<std::string>("block") + " (" + n->getValue<std::string>("why") + ") " +
            c->getValue<std::string>("file") + " " + c->getValue<std::string>("key_type") + " " +
            c->getValue<std::string>("subject"));
    }
    const std::vector<std::string> expected{
        " @*:" + p + " " + defSite + " (first vhost of *:" + p + ") " + defDir +
            "/cert.pem rsa-2048 CN = localhost",
        "shop.example.test @*:" + p + " " + shopSite + " (ServerName) " + shopDir +
            "/cert.pem ec-p384 CN = shop.example.test",
        "multi.example.test @*:" + p + " " + apache.sitesDir() + "/zz-multi.conf:2 (ServerName) " +
            shopDir + "/cert.pem ec-p384 CN = shop.example.test",
        "extra.example.test @*:" + p + " " + apache.sitesDir() +
            "/zz-multi.conf:2 (ServerAlias extra.example.test) " + shopDir +
            "/cert.pem ec-p384 CN = shop.example.test"};
    BOOST_TEST(seen == expected, boost::test_tools::per_element());

    // Apache reads _default_:PORT as *:PORT. shop2 has no vhost of its own: the default one.
    CommandOutput status = env.agent({"status", "--served"});
    BOOST_TEST_REQUIRE(status.exitCode == 0, status.output);
    BOOST_TEST(status.output.find("\n    served: shop.example.test on *:" + p + ": " + shopSite +
                                  " (ServerName)\n") != std::string::npos,
               status.output);

    CommandOutput write =
        env.agent({"discover", "--write", "other", "--domains", "other.example.test",
                   "--product-id", "65", "--installer", "apache"});
    BOOST_TEST_REQUIRE(write.exitCode == 0, write.output);
    std::string other = readFile(env.etc() + "/certs.d/other.conf");
    BOOST_TEST(other.find(";   other.example.test on *:" + p + ": " + defSite +
                          " (first vhost of *:" + p + "), certificate " + defDir + "/cert.pem\n") !=
                   std::string::npos,
               other);
    for (const char* line : {"\nproduct_id = 65\nperiod = 12\n", "\nkey = rsa-2048\n",
                             "\ninstaller = apache\n", "\nwebroot = auto\n"})
        BOOST_TEST(other.find(line) != std::string::npos, line);
    // A name served by a vhost that names other names too is refused as a deploy would be.
    CommandOutput refused =
        env.agent({"discover", "--write", "x", "--domains", "multi.example.test", "--order-id", "7",
                   "--installer", "apache"});
    BOOST_TEST(refused.exitCode == 2);
    BOOST_TEST(refused.output == "certagent: apache: the block at " + apache.sitesDir() +
                                     "/zz-multi.conf:2 also serves extra.example.test, which the "
                                     "certificate's domains do not cover; add them to domains "
                                     "or give them their own <VirtualHost>\n");
    BOOST_TEST(!exists(env.etc() + "/certs.d/x.conf"));

    // After an install, verify says which vhost serves each name, and why.
    CommandOutput run = env.agent({"run", "--cert", "shop"});
    BOOST_TEST_REQUIRE(run.exitCode == 0, run.output);
    CommandOutput verify = env.agent({"verify", "shop"});
    BOOST_TEST_REQUIRE(verify.exitCode == 0, verify.output);
    BOOST_TEST(verify.output.find("shop: apache serves the live certificate\n"
                                  "shop: shop.example.test on *:" +
                                  p + ": " + shopSite +
                                  " (ServerName)\nshop: shop2.example.test on " + "*:" + p + ": " +
                                  defSite + " (first vhost of *:" + p + ")\n") != std::string::npos,
               verify.output);
}

BOOST_AUTO_TEST_SUITE_END()
