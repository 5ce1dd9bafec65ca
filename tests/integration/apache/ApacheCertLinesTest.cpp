// Which certificate lines an install changes: the pair of the managed key's type in an RSA +
// ECDSA block, a shared snippet (edited only when every block including it is covered and it is
// no package's conffile, else overridden in the block right after its Include), and never a pair
// that belongs to another managed certificate.
#include "ApacheFixture.h"
#include "plugins/Plugins.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::test;

namespace {

/// `<VirtualHost *:port>` for `name` whose TLS lines are `tls` (already indented).
std::string block(const ApacheFixture& f, const std::string& name, const std::string& tls) {
    return "<VirtualHost *:" + std::to_string(f.apache.httpsPort()) + ">\n    ServerName " + name +
           "\n    SSLEngine on\n" + tls + "</VirtualHost>\n";
}

std::string pairLines(const std::string& dir, const std::string& indent = "    ") {
    return indent + "SSLCertificateFile " + dir + "/cert.pem\n" + indent +
           "SSLCertificateKeyFile " + dir + "/key.pem\n";
}

/// Apache serving `old` from a snippet that the blocks of `including` include.
struct SharedSnippet {
    ApacheFixture f;
    CertVersion old, v1;
    std::string snippet;
    explicit SharedSnippet(const std::vector<std::string>& including) {
        old = f.issue({"a.test", "www.a.test", "other.test"});
        f.writeOldPair(f.dir / "old", old);
        writeFile(f.dir / "old/chain.pem", old.chainPem);
        snippet = f.dir / "snippets/a-cert.conf";
        // Written on Windows: CRLF line ends, which the edit keeps.
        writeFile(snippet, "# the shop's certificate\r\nSSLCertificateFile " +
                               f.dir / "old/cert.pem\r\nSSLCertificateKeyFile " +
                               f.dir / "old/key.pem\r\nSSLCertificateChainFile " +
                               f.dir / "old/chain.pem\r\n");
        for (const std::string& name : including)
            f.apache.addSiteFile(name, block(f, name,
                                             "    Include " + snippet +
                                                 "\n    ServerAdmin webmaster@" + name + "\n"));
        f.apache.start();
        v1 = f.issue({"a.test", "www.a.test"});
        f.writeVersion(1, v1);
        f.switchTo(1);
    }
    std::string site(const std::string& name) const {
        return readFile(f.apache.sitesDir() + "/" + name + ".conf");
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(ApacheCertLines)

BOOST_AUTO_TEST_CASE(dual_rsa_and_ecdsa_only_the_managed_key_types_pair_changes) {
    ApacheFixture f;
    CertVersion rsa = f.issue({"dual.test"}, KeyKind::Rsa2048);
    CertVersion ec = f.issue({"dual.test"});
    f.writeOldPair(f.dir / "rsa", rsa);
    f.writeOldPair(f.dir / "ec", ec);
    std::string site = block(f, "dual.test",
                             "    # RSA for old clients, ECDSA for the rest\n" +
                                 pairLines(f.dir / "rsa") + pairLines(f.dir / "ec"));
    f.apache.addSiteFile("dual", site);
    f.apache.start();
    BOOST_REQUIRE_EQUAL(f.served("dual.test", "127.0.0.1", "rsa-2048"), rsa.sha256);
    BOOST_REQUIRE_EQUAL(f.served("dual.test", "127.0.0.1", "ec-p256"), ec.sha256);

    CertVersion v1 = f.issue({"dual.test"});
    f.writeVersion(1, v1);
    f.switchTo(1);
    auto installer = f.installer();
    core::DeployOutcome outcome =
        f.deploy(*installer, f.target({"dual.test"}, "ec-p256"), v1, ec.sha256, 0);
    BOOST_TEST_REQUIRE(outcome.exitCode == 0, outcome.error);
    std::string live = f.storeDir + "/live/site/";
    BOOST_TEST(readFile(f.apache.sitesDir() + "/dual.conf") ==
               block(f, "dual.test",
                     "    # RSA for old clients, ECDSA for the rest\n" + pairLines(f.dir / "rsa") +
                         "    SSLCertificateFile " + live + "fullchain.pem\n" +
                         "    SSLCertificateKeyFile " + live + "privkey.pem\n"));
    BOOST_TEST(f.served("dual.test", "127.0.0.1", "ec-p256") == v1.sha256);
    BOOST_TEST(f.served("dual.test", "127.0.0.1", "rsa-2048") == rsa.sha256);
    BOOST_TEST(f.configTestPasses());
}

BOOST_AUTO_TEST_CASE(a_snippet_only_covered_blocks_include_is_edited) {
    SharedSnippet s({"a.test", "www.a.test"});
    ApacheFixture& f = s.f;
    std::string a = s.site("a.test"), www = s.site("www.a.test");
    core::DeployOutcome outcome = f.deploy({"a.test", "www.a.test"}, s.v1, s.old.sha256, 0);
    BOOST_TEST_REQUIRE(outcome.exitCode == 0, outcome.error);
    std::string live = f.storeDir + "/live/site/";
    BOOST_TEST(readFile(s.snippet) == "# the shop's certificate\r\nSSLCertificateFile " + live +
                                          "fullchain.pem\r\nSSLCertificateKeyFile " + live +
                                          "privkey.pem\r\nSSLCertificateChainFile " +
                                          f.dir / "old/chain.pem\r\n");
    BOOST_TEST(s.site("a.test") == a);
    BOOST_TEST(s.site("www.a.test") == www);
    BOOST_TEST(f.served("a.test") == s.v1.sha256);
    BOOST_TEST(f.served("www.a.test") == s.v1.sha256);
    BOOST_TEST(f.verifiesWithOpenssl("www.a.test"));
}

BOOST_AUTO_TEST_CASE(a_snippet_another_block_shares_is_overridden_in_the_block) {
    SharedSnippet s({"a.test", "other.test"});
    ApacheFixture& f = s.f;
    std::string snippet = readFile(s.snippet), other = s.site("other.test");
    auto before = snapshot({f.apache.sitesDir(), f.dir / "snippets"});
    core::DeployOutcome outcome = f.deploy({"a.test"}, s.v1, s.old.sha256, 0);
    BOOST_TEST_REQUIRE(outcome.exitCode == 0, outcome.error);
    std::string live = f.storeDir + "/live/site/";
    BOOST_TEST(s.site("a.test") ==
               block(f, "a.test",
                     "    Include " + s.snippet + "\n    SSLCertificateFile " + live +
                         "fullchain.pem\n    SSLCertificateKeyFile " + live +
                         "privkey.pem\n    ServerAdmin "
                         "webmaster@a.test\n"));
    BOOST_TEST(readFile(s.snippet) == snippet);
    BOOST_TEST(s.site("other.test") == other);
    BOOST_TEST(otherThanCertLines(before, snapshot({f.apache.sitesDir(), f.dir / "snippets"})) ==
               "");
    BOOST_TEST(f.served("a.test") == s.v1.sha256);
    BOOST_TEST(f.served("other.test") == s.old.sha256);
    BOOST_TEST(f.configTestPasses());

    // A renewal finds the block's own pair (the later one of its key type) already live.
    std::string installed = s.site("a.test");
    CertVersion v2 = f.issue({"a.test"});
    f.writeVersion(2, v2);
    f.switchTo(2);
    core::DeployOutcome renewal = f.deploy({"a.test"}, v2, s.v1.sha256, 1);
    BOOST_TEST_REQUIRE(renewal.exitCode == 0, renewal.error);
    BOOST_TEST(!renewal.changed);
    BOOST_TEST(s.site("a.test") == installed);
    BOOST_TEST(f.served("a.test") == v2.sha256);
}

BOOST_AUTO_TEST_CASE(a_package_conffile_snippet_is_never_edited_in_place) {
    SharedSnippet s({"a.test"});
    ApacheFixture& f = s.f;
    std::string snippet = readFile(s.snippet);
    writeFile(f.dir / "dpkg-info/apache2.conffiles",
              "/etc/apache2/apache2.conf\n" + s.snippet + "\n/etc/apache2/ports.conf\n");
    core::InstallerContext context = f.context();
    context.server.packageInfoDir = f.dir / "dpkg-info";
    auto installer = plugins::makeInstaller("apache", context);
    core::DeployOutcome outcome = f.deploy(*installer, f.target({"a.test"}), s.v1, s.old.sha256, 0);
    BOOST_TEST_REQUIRE(outcome.exitCode == 0, outcome.error);
    BOOST_TEST(readFile(s.snippet) == snippet);
    BOOST_TEST(s.site("a.test").find("Include " + s.snippet + "\n    SSLCertificateFile " +
                                     f.storeDir + "/live/site/fullchain.pem\n") !=
               std::string::npos);
    BOOST_TEST(f.served("a.test") == s.v1.sha256);
}

BOOST_AUTO_TEST_CASE(a_pair_of_another_managed_certificate_is_never_repointed) {
    ApacheFixture f;
    CertVersion others = f.issue({"h.test"});
    f.name = "other";
    f.writeVersion(1, others);
    f.switchTo(1);
    f.name = "site";
    std::string otherLive = f.storeDir + "/live/other";
    std::string site =
        block(f, "h.test",
              "    SSLCertificateFile " + otherLive + "/fullchain.pem\n    SSLCertificateKeyFile " +
                  otherLive + "/privkey.pem\n");
    f.apache.addSiteFile("h", site);
    f.apache.start();
    CertVersion v1 = f.issue({"h.test"});
    f.writeVersion(1, v1);
    f.switchTo(1);
    core::DeployTarget target = f.target({"h.test"});
    target.otherLiveDirs = {otherLive};
    try {
        f.installer()->discover(target);
        BOOST_FAIL("no error");
    } catch (const ConfigError& e) {
        BOOST_TEST(e.exitCode() == kExitUsage);
        std::string where = f.apache.sitesDir() + "/h.conf:";
        BOOST_TEST(std::string(e.what()) ==
                   "apache: the block at " + where +
                       "1 serves names of site, but its "
                       "SSLCertificateFile (" +
                       where + "4) points at " + otherLive +
                       "/fullchain.pem, which certificate \"other\" manages; two certificate "
                       "files claim this block: remove the names they share from one of them");
    }
    BOOST_TEST(readFile(f.apache.sitesDir() + "/h.conf") == site);
    BOOST_TEST(f.served("h.test") == others.sha256);
}

BOOST_AUTO_TEST_SUITE_END()
