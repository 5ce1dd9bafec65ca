// Discovery against what the real apache2 says (-t -D DUMP_VHOSTS ...) on varied configurations.
#include "ApacheFixture.h"
#include "plugins/apache/ApacheControl.h"
#include "plugins/apache/VirtualHosts.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::test;
using namespace certagent::plugins::apache;

namespace {

const VirtualHost* find(const std::vector<VirtualHost>& vhosts, const std::string& domain,
                        bool ssl) {
    for (const VirtualHost& v : vhosts)
        if (v.ssl == ssl && v.serves(domain))
            return &v;
    return nullptr;
}

/// A varied configuration: name-based and IP-based vhosts, wildcard aliases, IfModule and
/// IfDefine sections, an Include glob in a directory with a space, quoted paths with spaces.
void writeVariedSites(ApacheFixture& f, const CertVersion& cert) {
    std::string certs = f.dir / "old certs";
    f.writeOldPair(certs, cert);
    int https = f.apache.httpsPort();
    int http = f.apache.httpPort();
    std::string p = std::to_string(https);
    f.apache.addSiteFile("10-name-based", "<IfModule mod_ssl.c>\n"
                                          "<VirtualHost *:" +
                                              p +
                                              ">\n"
                                              "    ServerName one.test\n"
                                              "    ServerAlias www.one.test \\\n"
                                              "        *.wild.test\n"
                                              "    <IfModule ssl_module>\n"
                                              "        SSLEngine on\n"
                                              "    </IfModule>\n"
                                              "    <IfDefine NEVER_DEFINED>\n"
                                              "        SSLCertificateFile /decoy/never.pem\n"
                                              "    </IfDefine>\n"
                                              "    SSLCertificateFile \"" +
                                              certs +
                                              "/cert.pem\"\n"
                                              "    SSLCertificateKeyFile '" +
                                              certs +
                                              "/key.pem'\n"
                                              "</VirtualHost>\n"
                                              "<VirtualHost *:" +
                                              p +
                                              ">\n"
                                              "    ServerName two.test\n"
                                              "    SSLEngine on\n"
                                              "    Include \"" +
                                              f.dir.path() +
                                              "/conf parts/*.inc\"\n"
                                              "</VirtualHost>\n"
                                              "</IfModule>\n"
                                              "<VirtualHost *:" +
                                              std::to_string(http) +
                                              ">\n"
                                              "    ServerName one.test\n"
                                              "    DocumentRoot \"" +
                                              f.dir.path() +
                                              "/web root\"\n"
                                              "</VirtualHost>\n");
    writeFile(f.dir / "conf parts/tls.inc", "SSLCertificateFile \"" + certs +
                                                "/cert.pem\"\nSSLCertificateKeyFile \"" + certs +
                                                "/key.pem\"\n");
    writeFile(f.dir / "web root/index.html", "x\n");
    // An IP-based block on an address of its own (on 127.0.0.1 it would take every connection
    // there away from the *: blocks).
    f.apache.addListen("127.0.0.2:" + p);
    f.apache.addSiteFile("20-ip-based", sslVhost(https, "ip.test", "", certs + "/cert.pem",
                                                 certs + "/key.pem", "127.0.0.2"));
}

} // namespace

BOOST_AUTO_TEST_SUITE(ApacheDiscovery)

BOOST_AUTO_TEST_CASE(reads_the_blocks_apache_reports) {
    ApacheFixture f;
    writeVariedSites(f, f.issue({"one.test"}));
    ApacheControl control(f.apache.settings(), f.runner);
    ServerDump dump = parseDump(control.dump("discover"));
    BOOST_TEST(dump.pidFile == f.apache.pidFile());
    BOOST_TEST(dump.modules.count("ssl_module") == 1u);
    ConfContext context;
    context.serverRoot = dump.serverRoot;
    context.modules = dump.modules;
    std::vector<VirtualHost> vhosts = loadVirtualHosts(dump, context);
    BOOST_TEST(vhosts.size() == 4u);

    const VirtualHost* one = find(vhosts, "www.one.test", true);
    BOOST_REQUIRE(one);
    BOOST_TEST(one->serves("ONE.test"));
    BOOST_TEST(one->serves("deep.wild.test"));
    BOOST_TEST(!one->serves("wild.test"));
    BOOST_REQUIRE_EQUAL(one->certFiles.size(), 1u); // the IfDefine decoy is not in effect
    BOOST_TEST(one->certFiles[0].node.args[0] == f.dir / "old certs/cert.pem");
    BOOST_TEST(one->keyFiles[0].node.args[0] == f.dir / "old certs/key.pem");
    BOOST_TEST(one->addresses[0] == "*:" + std::to_string(f.apache.httpsPort()));

    const VirtualHost* two = find(vhosts, "two.test", true);
    BOOST_REQUIRE(two);
    BOOST_REQUIRE_EQUAL(two->certFiles.size(), 1u);
    BOOST_TEST(two->certFiles[0].node.file == f.dir / "conf parts/tls.inc");
    BOOST_TEST(two->otherFiles.count(f.dir / "conf parts/tls.inc") == 1u);

    const VirtualHost* ip = find(vhosts, "ip.test", true);
    BOOST_REQUIRE(ip);
    BOOST_TEST(ip->addresses[0] == "127.0.0.2:" + std::to_string(f.apache.httpsPort()));

    const VirtualHost* plain = find(vhosts, "one.test", false);
    BOOST_REQUIRE(plain);
    BOOST_TEST(plain->documentRoot == f.dir / "web root");
}

BOOST_AUTO_TEST_CASE(installer_discovery_errors_and_webroot) {
    ApacheFixture f;
    writeVariedSites(f, f.issue({"one.test"}));
    auto installer = f.installer();
    BOOST_TEST(installer->kind() == "apache");
    installer->discover(f.target({"one.test", "www.one.test", "*.wild.test"}));
    BOOST_TEST(installer->webrootFor("one.test").value_or("") == f.dir / "web root");
    BOOST_TEST(!installer->webrootFor("nothing.test").has_value());

    // A name no block names falls to the first vhost of the address, which serves other names:
    // the message shows the block to add.
    try {
        installer->discover(f.target({"missing.test"}));
        BOOST_FAIL("no error");
    } catch (const ConfigError& e) {
        std::string what = e.what();
        BOOST_TEST(what.find("no <VirtualHost> names missing.test") != std::string::npos, what);
        BOOST_TEST(what.find("serves it by default (first vhost of *:" +
                             std::to_string(f.apache.httpsPort()) + ")") != std::string::npos,
                   what);
        BOOST_TEST(what.find("also serves one.test, www.one.test, *.wild.test") !=
                       std::string::npos,
                   what);
        BOOST_TEST(what.find("ServerName missing.test") != std::string::npos, what);
        BOOST_TEST(what.find("SSLCertificateFile " + f.storeDir + "/live/site/fullchain.pem") !=
                       std::string::npos,
                   what);
    }
    // A block that also serves names the certificate does not cover is not repointed.
    try {
        installer->discover(f.target({"one.test", "www.one.test"}));
        BOOST_FAIL("no error");
    } catch (const ConfigError& e) {
        BOOST_TEST(std::string(e.what()).find("also serves *.wild.test") != std::string::npos,
                   e.what());
    }
    // TLS lines in an included file only this block includes: editable (the snippet policy).
    BOOST_CHECK_NO_THROW(installer->discover(f.target({"two.test"})));
}

BOOST_AUTO_TEST_CASE(a_broken_config_is_reported_before_anything_changes) {
    ApacheFixture f;
    f.apache.addSiteFile("bad", "<VirtualHost *:1>\n  NoSuchDirective on\n</VirtualHost>\n");
    std::string before = readFile(f.apache.sitesDir() + "/bad.conf");
    auto installer = f.installer();
    try {
        installer->discover(f.target({"a.test"}));
        BOOST_FAIL("no error");
    } catch (const InstallError& e) {
        BOOST_TEST(e.step() == "discover");
        BOOST_TEST(std::string(e.what()).find("NoSuchDirective") != std::string::npos, e.what());
    }
    BOOST_TEST(readFile(f.apache.sitesDir() + "/bad.conf") == before);
}

BOOST_AUTO_TEST_CASE(debian_envvars_beside_the_config_reach_apache2) {
    // Debian's apache2.conf uses ${APACHE_...} set by /etc/apache2/envvars, a shell fragment the
    // plugin reads (plain export lines only) instead of running a shell.
    TempDir dir;
    std::string confDir = dir / "apache2-blue";
    writeFile(confDir + "/envvars",
              "unset HOME\n"
              "if [ \"${APACHE_CONFDIR##/etc/apache2-}\" != \"${APACHE_CONFDIR}\" ] ; then\n"
              "\tSUFFIX=\"-${APACHE_CONFDIR##/etc/apache2-}\"\nelse\n\tSUFFIX=\nfi\n"
              "export APACHE_RUN_DIR=" +
                  dir.path() +
                  "/run$SUFFIX\n"
                  "export APACHE_PID_FILE=${APACHE_RUN_DIR}/apache2.pid\n"
                  "export APACHE_LOG_DIR=\"" +
                  dir.path() +
                  "/log\"\n"
                  "export LANG=C\nexport LANG\n");
    writeFile(confDir + "/apache2.conf",
              "ServerRoot \"" + confDir +
                  "\"\nPidFile ${APACHE_PID_FILE}\n"
                  "ErrorLog ${APACHE_LOG_DIR}/error.log\nServerName localhost\n"
                  "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n");
    writeFile(dir / "log/.keep", "");
    config::ServerSettings settings{ApacheProcess::binary(), confDir + "/apache2.conf", "signal"};
    RecordingRunner runner;
    ApacheControl control(settings, runner);
    BOOST_TEST(control.env().at("APACHE_RUN_DIR") == dir / "run-blue");
    BOOST_TEST(control.env().at("APACHE_LOG_DIR") == dir / "log");
    BOOST_TEST(control.env().count("HOME") == 0u);
    ServerDump dump = parseDump(control.dump("discover"));
    BOOST_TEST(dump.pidFile == dir / "run-blue/apache2.pid");
}

BOOST_AUTO_TEST_SUITE_END()
