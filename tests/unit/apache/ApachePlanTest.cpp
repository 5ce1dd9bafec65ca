// What an install changes in a block (no server): the pair chosen by key type, where a new pair
// goes, what is refused; which snippets are shared; package conffiles; what the configuration
// scan reports outside the blocks.
#include "TestCa.h"
#include "TestEnv.h"
#include "plugins/PackageConffiles.h"
#include "plugins/apache/EditPlan.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

using namespace certagent;
using namespace certagent::plugins::apache;
using certagent::test::TempDir;
using certagent::test::writeFile;

namespace {

const LivePaths kLive{"/store/live/site/fullchain.pem", "/store/live/site/privkey.pem"};

PlanInput input(const std::string& family, bool shared = false) {
    return PlanInput{"site",
                     kLive,
                     family,
                     {"/store/live/other"},
                     ConfContext{},
                     [](const std::string&) { return false; },
                     [shared](const std::string&) { return !shared; }};
}

/// The one block of `file` (its <VirtualHost> on line 1).
VirtualHost blockOf(const std::string& file) {
    ServerDump dump;
    dump.vhosts = {{file, 1}};
    std::vector<VirtualHost> v = loadVirtualHosts(dump, ConfContext{});
    BOOST_REQUIRE_EQUAL(v.size(), 1u);
    return v[0];
}

std::string planned(const std::string& file, const PlanInput& in) {
    BlockPlan plan = planBlock(blockOf(file), in);
    return applyChanges(test::readFile(file), file, plan.changes[file]);
}

std::string refusal(const std::string& file, const PlanInput& in) {
    try {
        planBlock(blockOf(file), in);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

/// A certificate file with a key of `kind`.
void writeCert(const std::string& path, test::KeyKind kind) {
    crypto::EvpPkeyPtr key = test::makeKey(kind);
    test::TestCa ca = test::TestCa::makeRoot("plan test");
    test::CertSpec spec;
    spec.names = {"d.test"};
    writeFile(path, test::toPem(*ca.issue(*key, spec)));
}

} // namespace

BOOST_AUTO_TEST_SUITE(ApachePlan)

BOOST_AUTO_TEST_CASE(the_pair_of_the_managed_key_type_is_replaced) {
    TempDir dir;
    writeCert(dir / "rsa.pem", test::KeyKind::Rsa2048);
    writeCert(dir / "ec.pem", test::KeyKind::EcP256);
    std::string text = "<VirtualHost *:443>\n"
                       "  SSLCertificateFile " +
                       dir / "rsa.pem" +
                       "\n"
                       "  SSLCertificateKeyFile /k/rsa.key\n"
                       "  SSLCertificateFile " +
                       dir / "ec.pem" +
                       "\n"
                       "  SSLCertificateKeyFile /k/ec.key\n"
                       "  SSLCertificateChainFile /k/chain.pem\n"
                       "</VirtualHost>\n";
    writeFile(dir / "d.conf", text);
    std::string rsa = text;
    rsa.replace(rsa.find("SSLCertificateFile " + dir / "rsa.pem"),
                rsa.find("  SSLCertificateFile " + dir / "ec.pem") -
                    rsa.find("SSLCertificateFile " + dir / "rsa.pem"),
                "SSLCertificateFile " + kLive.fullchain + "\n  SSLCertificateKeyFile " + kLive.key +
                    "\n");
    BOOST_TEST(planned(dir / "d.conf", input("rsa")) == rsa); // the chain line stays: not only ours
    BOOST_TEST(planBlock(blockOf(dir / "d.conf"), input("rsa")).pairsAfter == 2);
    BOOST_TEST(refusal(dir / "d.conf", input("ec")) == "");
    writeCert(dir / "ec.pem", test::KeyKind::Rsa3072); // now two RSA pairs
    BOOST_TEST(refusal(dir / "d.conf", input("ec")) ==
               "apache: the block at " + dir / "d.conf" +
                   ":1 serves 2 certificates (rsa, rsa) but none with an ec key like site's; add "
                   "an SSLCertificateFile/SSLCertificateKeyFile pair for it by hand first");
}

BOOST_AUTO_TEST_CASE(a_missing_key_line_goes_right_after_its_certificate) {
    TempDir dir;
    std::string text = "<VirtualHost *:443>\r\n"
                       "\tSSLCertificateFile /old/combined.pem\r\n"
                       "\tServerName a.test\r\n"
                       "</VirtualHost>\r\n";
    writeFile(dir / "a.conf", text);
    BOOST_TEST(planned(dir / "a.conf", input("ec")) ==
               "<VirtualHost *:443>\r\n\tSSLCertificateFile " + kLive.fullchain +
                   "\r\n\tSSLCertificateKeyFile " + kLive.key +
                   "\r\n\tServerName a.test\r\n</VirtualHost>\r\n");
}

BOOST_AUTO_TEST_CASE(a_shared_snippet_without_its_own_key_line_cannot_be_overridden) {
    TempDir dir;
    writeFile(dir / "combined.inc", "SSLCertificateFile /old/cert-and-key.pem\n");
    writeFile(dir / "a.conf",
              "<VirtualHost *:443>\n    Include " + dir / "combined.inc" + "\n</VirtualHost>\n");
    BOOST_TEST(refusal(dir / "a.conf", input("ec", true)) ==
               "apache: the block at " + dir / "a.conf" +
                   ":1 has 1 SSLCertificateFile but 0 SSLCertificateKeyFile lines up to " +
                   dir / "a.conf" +
                   ":2, so a pair added there would not line up (Apache pairs them by order); "
                   "give each certificate its own SSLCertificateKeyFile first");
    // Not shared: the snippet itself gets the pair.
    BlockPlan plan = planBlock(blockOf(dir / "a.conf"), input("ec"));
    BOOST_TEST(applyChanges(test::readFile(dir / "combined.inc"), dir / "combined.inc",
                            plan.changes[dir / "combined.inc"]) ==
               "SSLCertificateFile " + kLive.fullchain + "\nSSLCertificateKeyFile " + kLive.key +
                   "\n");
}

BOOST_AUTO_TEST_CASE(conffiles_are_found_by_path_and_by_link) {
    TempDir dir;
    writeFile(dir / "etc/snippets/snakeoil.conf", "SSLCertificateFile /x\n");
    BOOST_REQUIRE(::symlink((dir / "etc/snippets").c_str(), (dir / "link").c_str()) == 0);
    test::writeDpkgStatus(dir / "dpkg",
                          {"/etc/apache2/apache2.conf", dir / "etc/snippets/snakeoil.conf"});
    SystemCommandRunner runner;
    plugins::PackageConffiles conffiles(runner, dir / "dpkg");
    BOOST_TEST(conffiles.contains(dir / "etc/snippets/snakeoil.conf"));
    BOOST_TEST(conffiles.contains(dir / "link/snakeoil.conf"));
    BOOST_TEST(!conffiles.contains(dir / "etc/other.conf"));
    plugins::PackageConffiles none(runner, dir / "no-dpkg");
    BOOST_TEST(!none.contains(dir / "etc/snippets/snakeoil.conf"));
}

BOOST_AUTO_TEST_CASE(the_scan_reports_what_lies_outside_the_blocks) {
    TempDir dir;
    writeFile(dir / "main.inc", "SSLCertificateFile /main.pem\n");
    writeFile(dir / "macro.inc", "SSLCertificateFile /macro.pem\n");
    writeFile(dir / "apache2.conf", "Listen 443\n"
                                    "Include main.inc\n"
                                    "<IfDefine SSL>\n  <IfModule ssl_module>\n"
                                    "    <VirtualHost *:443>\n    </VirtualHost>\n"
                                    "  </IfModule>\n</IfDefine>\n"
                                    "<IfDefine !NOSSL>\n  Listen 8443\n</IfDefine>\n"
                                    "<Macro Site $n>\n  <VirtualHost *:443>\n"
                                    "    Include macro.inc\n  </VirtualHost>\n</Macro>\n");
    ConfContext context;
    context.serverRoot = dir.path();
    ConfigScan scan = scanConfig(dir / "apache2.conf", context);
    BOOST_TEST(scan.listens.size() == 2u);
    BOOST_TEST(scan.skipped ==
                   std::vector<std::string>{"<IfDefine SSL> at " + dir / "apache2.conf:3"},
               boost::test_tools::per_element());
    BOOST_TEST(scan.skippedDefines.count("SSL") == 1u);
    BOOST_TEST(scan.mainFiles.count(dir / "main.inc") == 1u);
    BOOST_TEST(scan.mainFiles.count(dir / "macro.inc") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
