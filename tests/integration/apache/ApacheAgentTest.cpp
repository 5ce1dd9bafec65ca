// The real certagent binary with `installer = apache`: an order through the sandbox, HTTP DCV
// served by the test's apache2 (webroot = auto), installed, served, and an idle second run; a
// server found serving something else on the daily check is reported and redeployed.
#include "AgentEnv.h"
#include "ApacheProcess.h"
#include "TestCa.h"
#include "crypto/TlsProbe.h"

#include <boost/test/unit_test.hpp>

#include <csignal>
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

/// The configuration of `sites` with certagent's cert in place (a sandbox env over `apache`).
std::string certText(const AgentEnv& env) {
    std::string cert = env.defaultCert();
    cert.replace(cert.find("webroot = "), std::string::npos,
                 "webroot = auto\ninstaller = apache\n");
    return cert;
}

SandboxOptions validatingThrough(const ApacheProcess& apache) {
    SandboxOptions options;
    options.dcvConnect = "127.0.0.1:" + std::to_string(apache.httpPort());
    return options;
}

/// A private apache2 serving shop.example.test with a self-signed pair of the administrator's
/// (before certagent), and a sandbox validating through it.
struct ApacheShop {
    ApacheProcess apache;
    AgentEnv env{validatingThrough(apache)};
    std::string oldCert = env.dir() / "old/cert.pem", oldKey = env.dir() / "old/key.pem";
    std::string before; ///< the site file as the administrator wrote it
    std::string site = apache.sitesDir() + "/shop.conf";

    ApacheShop() {
        ::chmod(env.dir().path().c_str(), 0755); // apache's children (www-data) read the web root
        TestCa::makeRoot("shop.example.test").save(oldCert, oldKey);
        before = sites(apache, env.webroot(), oldCert, oldKey);
        apache.addSiteFile("shop", before);
        apache.start();
    }
    /// certagent.conf with [apache] for this server plus `extraMain`, and certs.d/shop.conf.
    void configure(const std::string& extraMain = "") {
        env.configure(certText(env), "[apache]\nbinary = " + ApacheProcess::binary() +
                                         "\nconfig = " + apache.configPath() +
                                         "\nreload = signal\n" + extraMain);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(ApacheAgent)

BOOST_AUTO_TEST_CASE(run_orders_validates_over_apache_installs_and_then_idles) {
    ApacheShop shop;
    ApacheProcess& apache = shop.apache;
    AgentEnv& env = shop.env;
    const std::string& site = shop.site;
    shop.configure();
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

BOOST_AUTO_TEST_CASE(drift_found_on_the_daily_check_is_reported_and_redeployed) {
    ApacheShop shop;
    ApacheProcess& apache = shop.apache;
    AgentEnv& env = shop.env;
    const std::string& site = shop.site;
    const std::string metrics = env.dir() / "certagent.prom";
    shop.configure("[metrics]\ntextfile = " + metrics + "\n");
    CommandOutput first = env.agent({"run"});
    BOOST_TEST_REQUIRE(first.exitCode == 0, first.output);
    const std::string installed = readFile(site);
    const std::string live =
        sha256Fingerprint(*certFromPem(readFile(env.store() + "/live/shop/cert.pem")));
    const int port = apache.httpsPort();
    BOOST_TEST(crypto::probeTls("127.0.0.1", port, kNames[0]).leafSha256 == live);

    // The daily check of a server that serves the live certificate: the metric says so.
    env.ageDailyCheck();
    CommandOutput daily = env.agent({"run"});
    BOOST_TEST_REQUIRE(daily.exitCode == 0, daily.output);
    BOOST_TEST(readFile(metrics).find("certagent_cert_served_matches_live{name=\"shop\"} 1") !=
                   std::string::npos,
               readFile(metrics));

    // An admin restores the old site file and reloads gracefully: nothing tells certagent.
    writeFile(site, shop.before);
    BOOST_TEST_REQUIRE(::kill(apache.pid(), SIGUSR1) == 0);
    BOOST_TEST(servedOnceChanged(port, kNames[0], live) != live);
    CommandOutput idle = env.agent({"run"}); // not the daily slice: no probe, nothing noticed yet
    BOOST_TEST(idle.exitCode == 0, idle.output);
    BOOST_TEST(env.state()["servedOther"].empty());

    env.ageDailyCheck();
    CommandOutput found = env.agent({"run"});
    BOOST_TEST(found.exitCode == 0, found.output);
    BOOST_TEST(found.output.find("apache does not serve the live certificate") != std::string::npos,
               found.output);
    BOOST_TEST(!env.state()["servedOther"].empty());
    BOOST_TEST(readFile(metrics).find("certagent_cert_served_matches_live{name=\"shop\"} 0") !=
                   std::string::npos,
               readFile(metrics));
    CommandOutput status = env.agent({"status", "--json"});
    BOOST_TEST(status.output.find("\"served_matches_live\": false") != std::string::npos,
               status.output);

    // The next run deploys the live version again: edit, configtest, reload, probe.
    CommandOutput redeploy = env.agent({"run"});
    BOOST_TEST(redeploy.exitCode == 0, redeploy.output);
    BOOST_TEST(crypto::probeTls("127.0.0.1", port, kNames[0]).leafSha256 == live);
    BOOST_TEST(readFile(site) == installed);
    BOOST_TEST(env.state()["servedOther"].empty());
    BOOST_TEST(env.orderCalls().size() == 1u); // no new order: the live version was deployed
}

BOOST_AUTO_TEST_SUITE_END()
