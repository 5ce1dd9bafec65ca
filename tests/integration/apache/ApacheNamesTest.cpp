// Which block serves a name, by Apache's own rules, on configurations in the shapes people use:
// several Listen addresses with IP-based and name-based blocks, Debian's default-ssl.conf without
// ServerName, <Macro>-made blocks, blocks inside <IfDefine>. After a refusal nothing changed and
// apache serves what it served; after an install `apache2 -t` passes and only certificate lines
// of the intended block changed.
#include "ApacheFixture.h"
#include "plugins/Plugins.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>

using namespace certagent;
using namespace certagent::test;

namespace {

std::string portOf(const ApacheFixture& f) {
    return std::to_string(f.apache.httpsPort());
}

bool has(const std::vector<core::ServedName>& list, const std::string& name,
         const std::string& address, const std::string& block, const std::string& why) {
    return std::any_of(list.begin(), list.end(), [&](const core::ServedName& s) {
        return s.name == name && s.address == address && s.block == block && s.why == why;
    });
}

/// The message of the ConfigError `discover` throws ("" when none).
std::string refusal(ApacheFixture& f, const core::DeployTarget& target) {
    try {
        f.installer()->discover(target);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

} // namespace

BOOST_AUTO_TEST_SUITE(ApacheNames)

BOOST_AUTO_TEST_CASE(probes_where_apache_routes_the_name_not_the_last_listen) {
    // Listen on two addresses; the last one belongs to an IP-based block.
    ApacheFixture f;
    std::string p = portOf(f);
    f.apache.addListen("127.0.0.2:" + p);
    CertVersion old = f.issue({"a.test", "b.test"});
    CertVersion ip = f.issue({"ip.test"});
    f.writeOldPair(f.dir / "old", old);
    f.writeOldPair(f.dir / "ip", ip);
    std::string names =
        "<VirtualHost *:" + p + ">\n\tServerName a.test\n\tSSLEngine on\n" +
        "\tSSLCertificateFile " + f.dir / "old/cert.pem" + "\n\tSSLCertificateKeyFile " +
        f.dir / "old/key.pem" + "\n</VirtualHost>\n\n<VirtualHost *:" + p +
        ">\n\tServerName b.test\n\tSSLEngine on\n\tSSLCertificateFile " + f.dir / "old/cert.pem" +
        "\n\tSSLCertificateKeyFile " + f.dir / "old/key.pem" + "\n</VirtualHost>\n";
    f.apache.addSiteFile("10-names", names);
    f.apache.addSiteFile("20-ip",
                         sslVhost(f.apache.httpsPort(), "ip.test", "", f.dir / "ip/cert.pem",
                                  f.dir / "ip/key.pem", "127.0.0.2"));
    f.apache.start();
    BOOST_REQUIRE_EQUAL(f.served("a.test", "127.0.0.2"), ip.sha256);
    auto before = snapshot({f.apache.sitesDir()});

    CertVersion v1 = f.issue({"a.test"});
    f.writeVersion(1, v1);
    f.switchTo(1);
    auto installer = f.installer();
    core::DeployOutcome outcome = f.deploy(*installer, f.target({"a.test"}), v1, old.sha256, 0);
    BOOST_TEST_REQUIRE(outcome.exitCode == 0, outcome.error);
    BOOST_TEST(f.served("a.test") == v1.sha256);
    BOOST_TEST(f.served("b.test") == old.sha256);
    BOOST_TEST(f.served("a.test", "127.0.0.2") == ip.sha256);
    BOOST_TEST(f.configTestPasses());
    auto after = snapshot({f.apache.sitesDir()});
    BOOST_TEST(otherThanCertLines(before, after) == "");
    BOOST_TEST(after[f.apache.sitesDir() + "/20-ip.conf"] ==
               before[f.apache.sitesDir() + "/20-ip.conf"]);
    BOOST_TEST(after[f.apache.sitesDir() + "/10-names.conf"].find(
                   "\tSSLCertificateFile " + f.storeDir +
                   "/live/site/fullchain.pem\n\t"
                   "SSLCertificateKeyFile " +
                   f.storeDir +
                   "/live/site/privkey.pem\n"
                   "</VirtualHost>\n\n<VirtualHost *:" +
                   p + ">\n\tServerName b.test") != std::string::npos);
    std::vector<core::ServedName> placed = installer->placements();
    BOOST_REQUIRE_EQUAL(placed.size(), 1u);
    BOOST_TEST(placed[0].name == "a.test");
    BOOST_TEST(placed[0].address == "*:" + p);
    BOOST_TEST(placed[0].block == f.apache.sitesDir() + "/10-names.conf:1");
    BOOST_TEST(placed[0].why == "ServerName");

    // What the server serves as a whole, and why.
    std::vector<core::ServedName> all = f.installer()->inventory();
    std::string names10 = f.apache.sitesDir() + "/10-names.conf:";
    std::string ip20 = f.apache.sitesDir() + "/20-ip.conf:1";
    BOOST_TEST(has(all, "a.test", "*:" + p, names10 + "1", "ServerName"));
    BOOST_TEST(has(all, "b.test", "*:" + p, names10 + "8", "ServerName"));
    BOOST_TEST(has(all, "", "*:" + p, names10 + "1", "first vhost of *:" + p));
    BOOST_TEST(has(all, "ip.test", "127.0.0.2:" + p, ip20, "ServerName"));
    BOOST_TEST(has(all, "", "127.0.0.2:" + p, ip20, "only vhost of 127.0.0.2:" + p));
    BOOST_TEST(all.size() == 5u);
}

BOOST_AUTO_TEST_CASE(debian_default_ssl_without_server_name_serves_unnamed_names) {
    ApacheFixture f("main");
    std::string p = portOf(f);
    CertVersion snake = f.issue({"localhost"});
    CertVersion other = f.issue({"other.test"});
    f.writeOldPair(f.dir / "snakeoil", snake);
    f.writeOldPair(f.dir / "other", other);
    f.apache.addSiteFile("000-default", "<VirtualHost *:" + std::to_string(f.apache.httpPort()) +
                                            ">\n\tServerAdmin webmaster@localhost\n\t"
                                            "DocumentRoot /var/www/html\n</VirtualHost>\n");
    // Debian's default-ssl.conf, comments, tabs and all, with the test's port and pair.
    std::string defaultSsl =
        "<IfModule mod_ssl.c>\n\t<VirtualHost _default_:" + p +
        ">\n\t\tServerAdmin webmaster@localhost\n\n\t\tDocumentRoot /var/www/html\n\n"
        "\t\t#   SSL Engine Switch:\n\t\t#   Enable/Disable SSL for this virtual host.\n"
        "\t\tSSLEngine on\n\n"
        "\t\t#   A self-signed (snakeoil) certificate can be created by installing\n"
        "\t\tSSLCertificateFile\t" +
        f.dir / "snakeoil/cert.pem" + "\n\t\tSSLCertificateKeyFile " + f.dir / "snakeoil/key.pem" +
        "\n\n\t\t<FilesMatch \"\\.(cgi|shtml|phtml|php)$\">\n\t\t\t\tSSLOptions +StdEnvVars\n"
        "\t\t</FilesMatch>\n\t</VirtualHost>\n</IfModule>\n\n"
        "# vim: syntax=apache ts=4 sw=4 sts=4 sr noet\n";
    f.apache.addSiteFile("default-ssl", defaultSsl);
    f.apache.addSiteFile("other", sslVhost(f.apache.httpsPort(), "other.test", "",
                                           f.dir / "other/cert.pem", f.dir / "other/key.pem", "*"));
    f.apache.start();
    BOOST_REQUIRE_EQUAL(f.served("shop.test"), snake.sha256);
    auto before = snapshot({f.apache.sitesDir()});

    CertVersion v1 = f.issue({"shop.test", "www.shop.test"});
    f.writeVersion(1, v1);
    f.switchTo(1);
    auto installer = f.installer();
    core::DeployOutcome outcome =
        f.deploy(*installer, f.target({"shop.test", "www.shop.test"}), v1, snake.sha256, 0);
    BOOST_TEST_REQUIRE(outcome.exitCode == 0, outcome.error);
    BOOST_TEST(f.served("shop.test") == v1.sha256);
    BOOST_TEST(f.served("www.shop.test") == v1.sha256);
    BOOST_TEST(f.served("other.test") == other.sha256);
    BOOST_TEST(f.configTestPasses());
    auto after = snapshot({f.apache.sitesDir()});
    BOOST_TEST(otherThanCertLines(before, after) == "");
    std::string expected = defaultSsl;
    expected.replace(expected.find("SSLCertificateFile\t"), std::string::npos,
                     "SSLCertificateFile " + f.storeDir + "/live/site/fullchain.pem\n\t\t" +
                         "SSLCertificateKeyFile " + f.storeDir + "/live/site/privkey.pem" +
                         defaultSsl.substr(defaultSsl.find("\n\n\t\t<FilesMatch")));
    BOOST_TEST(after[f.apache.sitesDir() + "/default-ssl.conf"] == expected);
    BOOST_TEST(after[f.apache.sitesDir() + "/other.conf"] ==
               before[f.apache.sitesDir() + "/other.conf"]);
    std::vector<core::ServedName> placed = installer->placements();
    BOOST_REQUIRE_EQUAL(placed.size(), 2u);
    BOOST_TEST(placed[0].why == "first vhost of *:" + p);
    BOOST_TEST(placed[0].block == f.apache.sitesDir() + "/default-ssl.conf:2");
}

BOOST_AUTO_TEST_CASE(macro_made_blocks_are_refused_saying_so) {
    ApacheFixture f;
    std::string p = portOf(f);
    CertVersion old = f.issue({"m.test"});
    f.writeOldPair(f.dir / "old", old);
    f.apache.addSiteFile("macro", "LoadModule macro_module /usr/lib/apache2/modules/mod_macro.so\n"
                                  "<Macro SSLSite $name>\n  <VirtualHost *:" +
                                      p +
                                      ">\n    ServerName $name\n    SSLEngine on\n"
                                      "    SSLCertificateFile " +
                                      f.dir / "old/cert.pem" + "\n    SSLCertificateKeyFile " +
                                      f.dir / "old/key.pem" +
                                      "\n  </VirtualHost>\n</Macro>\nUse SSLSite m.test\n"
                                      "UndefMacro SSLSite\n");
    f.apache.start();
    auto before = snapshot({f.apache.sitesDir()});
    std::string live = f.storeDir + "/live/site/";
    BOOST_TEST(refusal(f, f.target({"m.test"})) ==
               "apache: m.test is served by a <VirtualHost> that <Macro sslsite> generates (Use "
               "at " +
                   f.apache.sitesDir() +
                   "/macro.conf:10); certagent does not edit macro-generated blocks: give m.test "
                   "its own <VirtualHost>, or point the macro's SSLCertificateFile and "
                   "SSLCertificateKeyFile at " +
                   live + "fullchain.pem and " + live + "privkey.pem by hand");
    BOOST_TEST((snapshot({f.apache.sitesDir()}) == before));
    BOOST_TEST(f.served("m.test") == old.sha256);
}

BOOST_AUTO_TEST_CASE(blocks_inside_ifdefine_need_the_servers_defines) {
    ApacheFixture f;
    std::string p = portOf(f);
    CertVersion old = f.issue({"d.test"});
    f.writeOldPair(f.dir / "old", old);
    std::string site = "<IfDefine SSL>\n" +
                       sslVhost(f.apache.httpsPort(), "d.test", "", f.dir / "old/cert.pem",
                                f.dir / "old/key.pem", "*") +
                       "</IfDefine>\n";
    f.apache.addSiteFile("d", site);
    f.apache.addDefine("SSL"); // the server runs with -D SSL (Gentoo's APACHE2_OPTS)
    f.apache.start();
    BOOST_REQUIRE_EQUAL(f.served("d.test"), old.sha256);
    std::string live = f.storeDir + "/live/site/";
    BOOST_TEST(refusal(f, f.target({"d.test"})) ==
               "apache: no SSL <VirtualHost> in " + f.apache.configPath() +
                   " serves d.test; add a block such as: <VirtualHost *:443> ServerName d.test "
                   "SSLEngine on SSLCertificateFile " +
                   live + "fullchain.pem SSLCertificateKeyFile " + live +
                   "privkey.pem </VirtualHost>; apache2 skipped <IfDefine SSL> at " +
                   f.apache.sitesDir() +
                   "/d.conf:1, which hold <VirtualHost> blocks (if apache2 runs with -D SSL, set "
                   "[apache] defines = SSL)");
    BOOST_TEST(readFile(f.apache.sitesDir() + "/d.conf") == site);

    CertVersion v1 = f.issue({"d.test"});
    f.writeVersion(1, v1);
    f.switchTo(1);
    f.runner.calls.clear();
    core::InstallerContext context = f.context();
    context.server.defines = {"SSL"};
    auto installer = plugins::makeInstaller("apache", context);
    core::DeployOutcome outcome = f.deploy(*installer, f.target({"d.test"}), v1, old.sha256, 0);
    BOOST_TEST_REQUIRE(outcome.exitCode == 0, outcome.error);
    BOOST_TEST(f.served("d.test") == v1.sha256);
    for (const auto& argv : f.runner.calls)
        if (argv[0] == ApacheProcess::binary())
            BOOST_TEST((std::find(argv.begin(), argv.end(), "SSL") != argv.end()));
}

BOOST_AUTO_TEST_SUITE_END()
