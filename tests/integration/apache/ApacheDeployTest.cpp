// End to end through the apache Installer and core::deploy() against a real apache2.
#include "ApacheFixture.h"
#include "plugins/Plugins.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

using namespace certagent;
using namespace certagent::test;

namespace {

unsigned modeOf(const std::string& path) {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return st.st_mode & 07777;
}

} // namespace

BOOST_AUTO_TEST_SUITE(ApacheDeploy)

BOOST_AUTO_TEST_CASE(installs_serves_and_a_renewal_changes_no_config) {
    ApacheFixture f;
    CertVersion old = f.issue({"a.test", "www.a.test"});
    f.writeOldPair(f.dir / "old", old);
    std::string site = f.apache.sitesDir() + "/a.conf";
    f.apache.addSiteFile("a", sslVhost(f.apache.httpsPort(), "a.test", "www.a.test",
                                       f.dir / "old/cert.pem", f.dir / "old/key.pem"));
    ::chmod(site.c_str(), 0640);
    std::string original = readFile(site);
    f.apache.start();
    int pid = f.apache.pid();
    BOOST_REQUIRE_EQUAL(f.served("a.test"), old.sha256);

    CertVersion v1 = f.issue({"a.test", "www.a.test"});
    f.writeVersion(1, v1);
    f.switchTo(1);
    core::DeployOutcome first = f.deploy({"a.test", "www.a.test"}, v1, old.sha256, 0);
    BOOST_TEST_REQUIRE(first.exitCode == 0, first.error);
    BOOST_TEST(first.changed);
    BOOST_TEST(f.served("a.test") == v1.sha256);
    BOOST_TEST(f.served("www.a.test") == v1.sha256);
    BOOST_TEST(f.verifiesWithOpenssl("a.test"));
    BOOST_TEST(f.apache.pid() == pid); // graceful, not a restart
    std::string installed = readFile(site);
    BOOST_TEST(installed.find("SSLCertificateFile " + f.storeDir + "/live/site/fullchain.pem\n") !=
                   std::string::npos,
               installed);
    BOOST_TEST(modeOf(site) == 0640u);

    // The backup: outside the sites directory, the original bytes, and a manifest.
    std::vector<std::string> backups = listDir(f.storeDir + "/backup/apache");
    BOOST_REQUIRE_EQUAL(backups.size(), 1u);
    std::string backupDir = f.storeDir + "/backup/apache/" + backups[0];
    BOOST_TEST(readFile(backupDir + site) == original);
    BOOST_TEST(readFile(backupDir + "/manifest.json").find(site) != std::string::npos);
    BOOST_TEST(listDir(f.apache.sitesDir()).size() == 1u); // no temp or backup files left there

    // Renewal: the live link moves, the configuration does not.
    CertVersion v2 = f.issue({"a.test", "www.a.test"});
    f.writeVersion(2, v2);
    f.switchTo(2);
    core::DeployOutcome renewal = f.deploy({"a.test", "www.a.test"}, v2, v1.sha256, 1);
    BOOST_TEST_REQUIRE(renewal.exitCode == 0, renewal.error);
    BOOST_TEST(!renewal.changed);
    BOOST_TEST(readFile(site) == installed);
    BOOST_TEST(listDir(f.storeDir + "/backup/apache").size() == 1u);
    BOOST_TEST(f.served("www.a.test") == v2.sha256);
    BOOST_TEST(f.verifiesWithOpenssl("www.a.test"));
}

BOOST_AUTO_TEST_CASE(edits_varied_blocks_through_symlinks_and_wildcards) {
    ApacheFixture f;
    CertVersion old = f.issue({"b.test", "*.wild.test", "other.test"});
    std::string certs = f.dir / "old certs";
    f.writeOldPair(certs, old);
    writeFile(certs + "/chain.pem", old.chainPem);
    std::string p = std::to_string(f.apache.httpsPort());
    // Debian style: sites/b.conf is a symlink to a file elsewhere.
    std::string available = f.dir / "available/b.conf";
    writeFile(available, "<IfModule mod_ssl.c>\n"
                         "  <VirtualHost *:" +
                             p +
                             ">\n"
                             "    ServerName b.test\n"
                             "    ServerAlias \\\n"
                             "        *.wild.test\n"
                             "    SSLEngine on\n"
                             "    # SSLCertificateFile /commented/out.pem\n"
                             "    SSLCertificateFile \"" +
                             certs +
                             "/cert.pem\"\n"
                             "    SSLCertificateChainFile \"" +
                             certs +
                             "/chain.pem\"\n"
                             "    SSLCertificateKeyFile \"" +
                             certs +
                             "/key.pem\"\n"
                             "  </VirtualHost>\n"
                             "  <VirtualHost *:" +
                             p +
                             ">\n"
                             "    ServerName other.test\n"
                             "    SSLEngine on\n"
                             "    SSLCertificateFile \"" +
                             certs +
                             "/cert.pem\"\n"
                             "    SSLCertificateKeyFile \"" +
                             certs +
                             "/key.pem\"\n"
                             "  </VirtualHost>\n"
                             "</IfModule>\n");
    std::string link = f.apache.sitesDir() + "/b.conf";
    BOOST_REQUIRE(::symlink(available.c_str(), link.c_str()) == 0);
    f.apache.start();

    CertVersion v1 = f.issue({"b.test", "*.wild.test"});
    f.writeVersion(1, v1);
    f.switchTo(1);
    core::DeployOutcome outcome = f.deploy({"b.test", "*.wild.test"}, v1, old.sha256, 0);
    BOOST_TEST_REQUIRE(outcome.exitCode == 0, outcome.error);
    BOOST_TEST(f.served("b.test") == v1.sha256);
    BOOST_TEST(f.served("x.wild.test") == v1.sha256);
    BOOST_TEST(f.served("other.test") == old.sha256); // a block for other names is not touched
    struct stat st {};
    BOOST_TEST((::lstat(link.c_str(), &st) == 0 && S_ISLNK(st.st_mode)));
    std::string live = f.storeDir + "/live/site/";
    std::string expected = "<IfModule mod_ssl.c>\n"
                           "  <VirtualHost *:" +
                           p +
                           ">\n"
                           "    ServerName b.test\n"
                           "    ServerAlias \\\n"
                           "        *.wild.test\n"
                           "    SSLEngine on\n"
                           "    # SSLCertificateFile /commented/out.pem\n"
                           "    SSLCertificateFile " +
                           live +
                           "fullchain.pem\n"
                           "    SSLCertificateKeyFile " +
                           live +
                           "privkey.pem\n"
                           "  </VirtualHost>\n"
                           "  <VirtualHost *:" +
                           p +
                           ">\n"
                           "    ServerName other.test\n"
                           "    SSLEngine on\n"
                           "    SSLCertificateFile \"" +
                           certs +
                           "/cert.pem\"\n"
                           "    SSLCertificateKeyFile \"" +
                           certs +
                           "/key.pem\"\n"
                           "  </VirtualHost>\n"
                           "</IfModule>\n";
    BOOST_TEST(readFile(available) == expected);
}

BOOST_AUTO_TEST_CASE(probe_after_discover_alone_checks_what_is_served) {
    // `certagent verify` discovers and probes without deploying.
    ApacheFixture f;
    CertVersion served = f.issue({"v.test"});
    f.writeVersion(1, served);
    f.switchTo(1);
    f.apache.addSiteFile("v", sslVhost(f.apache.httpsPort(), "v.test", "",
                                       f.storeDir + "/live/site/fullchain.pem",
                                       f.storeDir + "/live/site/privkey.pem"));
    f.apache.start();
    core::InstallerContext context = f.context();
    context.probeWithin = std::chrono::seconds(2);
    auto installer = plugins::makeInstaller("apache", context);
    installer->discover(f.target({"v.test"}));
    BOOST_CHECK_NO_THROW(installer->probe(served.sha256));
    BOOST_CHECK_THROW(installer->probe(std::string(64, 'a')), InstallError);
    f.apache.stop();
    try {
        installer->probe(served.sha256);
        BOOST_FAIL("no error");
    } catch (const InstallError& e) {
        BOOST_TEST(std::string(e.what()).find("no longer running") != std::string::npos, e.what());
    }
}

BOOST_AUTO_TEST_CASE(resolves_through_the_plugin_table) {
    ApacheFixture f;
    BOOST_TEST(f.installer()->kind() == "apache");
}

BOOST_AUTO_TEST_SUITE_END()
