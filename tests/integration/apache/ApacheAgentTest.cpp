// The real certagent binary with `installer = apache`: an order through the sandbox, HTTP DCV
// served by the test's apache2 (webroot = auto), installed, served, and an idle second run.
#include "AgentEnv.h"
#include "ApacheProcess.h"
#include "TestCa.h"
#include "crypto/TlsProbe.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

using namespace certagent;
using namespace certagent::test;

namespace {

const std::vector<std::string> kNames{"shop.example.test", "www.shop.example.test"};

std::string sites(const ApacheProcess& apache, const std::string& webroot, const std::string& cert,
                  const std::string& key) {
    std::string http = std::to_string(apache.httpPort());
    std::string https = std::to_string(apache.httpsPort());
    return "<VirtualHost 127.0.0.1:" + http +
           ">\n"
           "    ServerName shop.example.test\n"
           "    ServerAlias www.shop.example.test\n"
           "    DocumentRoot \"" +
           webroot +
           "\"\n"
           "    <Directory \"" +
           webroot +
           "\">\n"
           "        Require all granted\n"
           "    </Directory>\n"
           "</VirtualHost>\n"
           "<VirtualHost 127.0.0.1:" +
           https +
           ">\n"
           "    ServerName shop.example.test\n"
           "    ServerAlias www.shop.example.test\n"
           "    SSLEngine on\n"
           "    SSLCertificateFile " +
           cert +
           "\n"
           "    SSLCertificateKeyFile " +
           key +
           "\n"
           "</VirtualHost>\n";
}

} // namespace

BOOST_AUTO_TEST_SUITE(ApacheAgent)

BOOST_AUTO_TEST_CASE(run_orders_validates_over_apache_installs_and_then_idles) {
    ApacheProcess apache;
    SandboxOptions options;
    options.dcvConnect = "127.0.0.1:" + std::to_string(apache.httpPort());
    AgentEnv env(options);
    ::chmod(env.dir().path().c_str(), 0755); // apache's children (www-data) read the web root

    // Before certagent: a self-signed pair of the administrator's.
    TestCa self = TestCa::makeRoot("shop.example.test");
    std::string oldCert = env.dir() / "old/cert.pem", oldKey = env.dir() / "old/key.pem";
    self.save(oldCert, oldKey);
    apache.addSiteFile("shop", sites(apache, env.webroot(), oldCert, oldKey));
    std::string site = apache.sitesDir() + "/shop.conf";
    apache.start();

    std::string cert = env.defaultCert();
    cert.replace(cert.find("webroot = "), std::string::npos,
                 "webroot = auto\ninstaller = apache\n");
    env.configure(cert, "[apache]\nbinary = " + ApacheProcess::binary() +
                            "\nconfig = " + apache.configPath() + "\nreload = signal\n");
    CommandOutput first = env.agent({"run"});
    BOOST_TEST_REQUIRE(first.exitCode == 0, first.output);
    BOOST_TEST(env.liveLink() == "../archive/shop/0001");
    BOOST_TEST(env.dcvFiles().empty());
    std::string installed = readFile(site);
    BOOST_TEST(installed.find(env.store() + "/live/shop/fullchain.pem") != std::string::npos,
               installed);

    std::string live =
        sha256Fingerprint(*certFromPem(readFile(env.store() + "/live/shop/cert.pem")));
    for (const std::string& name : kNames) {
        BOOST_TEST(crypto::probeTls("127.0.0.1", apache.httpsPort(), name).leafSha256 == live);
        CommandOutput verify =
            runCommand({"/usr/bin/openssl", "s_client", "-connect",
                        "127.0.0.1:" + std::to_string(apache.httpsPort()), "-servername", name,
                        "-verify_return_error", "-verify_hostname", name, "-CAfile",
                        env.sandbox().issuingRootPath()},
                       {}, 30);
        BOOST_TEST(verify.output.find("Verify return code: 0 (ok)") != std::string::npos,
                   verify.output);
    }

    CommandOutput second = env.agent({"run"});
    BOOST_TEST(second.exitCode == 0, second.output);
    BOOST_TEST(readFile(site) == installed);
    BOOST_TEST(env.liveLink() == "../archive/shop/0001");
}

BOOST_AUTO_TEST_SUITE_END()
