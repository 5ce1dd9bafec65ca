// The configuration tokenizer, the dump reader, the line editor and the key-pair gate, on files
// written here (no server).
#include "plugins/apache/ApacheConf.h"

#include "TestCa.h"
#include "TestEnv.h"
#include "plugins/apache/EditPlan.h"
#include "plugins/apache/KeyPairCheck.h"
#include "plugins/apache/VhostEdit.h"
#include "plugins/apache/VirtualHosts.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::plugins::apache;

namespace {

/// A plan input for a plain deploy: no conffiles, every snippet only covered blocks include.
PlanInput planInput(const LivePaths& live, const std::string& family = "ec") {
    return PlanInput{"site",
                     live,
                     family,
                     {},
                     ConfContext{},
                     [](const std::string&) { return false; },
                     [](const std::string&) { return true; }};
}

/// Every change of the plans for `vhosts` to `file`, applied to `text`.
std::string planned(const std::string& text, const std::string& file,
                    const std::vector<VirtualHost>& vhosts, const PlanInput& in) {
    std::vector<LineChange> all;
    for (const VirtualHost& v : vhosts) {
        BlockPlan plan = planBlock(v, in);
        auto it = plan.changes.find(file);
        if (it != plan.changes.end())
            all.insert(all.end(), it->second.begin(), it->second.end());
    }
    return applyChanges(text, file, all);
}

} // namespace

BOOST_AUTO_TEST_SUITE(ApacheConf)

BOOST_AUTO_TEST_CASE(splits_quoted_words_like_apache) {
    std::vector<std::string> words =
        splitWords(R"(SSLCertificateFile "/etc/my certs/a.pem"  'x y' "say \"hi\"" plain)");
    std::vector<std::string> expected{"SSLCertificateFile", "/etc/my certs/a.pem", "x y",
                                      "say \"hi\"", "plain"};
    BOOST_TEST(words == expected, boost::test_tools::per_element());
    BOOST_TEST(quoteArg("/a b/c.pem") == "\"/a b/c.pem\"");
    BOOST_TEST(quoteArg("/a/c.pem") == "/a/c.pem");
}

BOOST_AUTO_TEST_CASE(parses_continuations_comments_sections_and_includes) {
    test::TempDir dir;
    test::writeFile(dir / "conf d/one.inc", "ServerAlias inc.test\n");
    test::writeFile(dir / "conf d/two.inc", "# only a comment \\\n  ServerAlias not.this\n");
    test::writeFile(dir / "main.conf",
                    "# comment\n"
                    "<VirtualHost *:443>\n"
                    "  ServerName a.test\n"
                    "  ServerAlias b.test \\\n"
                    "      c.test\n"
                    "  <IfModule !ssl_module>\n    SSLCertificateFile /decoy\n  </IfModule>\n"
                    "  <IfModule mod_ssl.c>\n    SSLEngine on\n  </IfModule>\n"
                    "  Include \"conf d/*.inc\"\n"
                    "</VirtualHost>\n");
    ConfContext context;
    context.serverRoot = dir.path();
    context.modules = {"ssl_module"};
    std::vector<ConfNode> nodes = parseConfFile(dir / "main.conf", context);
    BOOST_REQUIRE_EQUAL(nodes.size(), 1u);
    const ConfNode& vhost = nodes[0];
    BOOST_TEST(vhost.is("virtualhost"));
    BOOST_TEST(vhost.line == 2);
    BOOST_TEST(vhost.endLine == 13);
    BOOST_REQUIRE_EQUAL(vhost.children.size(), 5u);
    BOOST_TEST(vhost.children[1].args.size() == 2u);
    BOOST_TEST(vhost.children[1].line == 4);
    BOOST_TEST(vhost.children[1].lastLine == 5);
    BOOST_TEST(!conditionHolds(vhost.children[2], context));
    BOOST_TEST(conditionHolds(vhost.children[3], context));
    const ConfNode& include = vhost.children[4];
    BOOST_REQUIRE_EQUAL(include.children.size(), 1u); // two.inc is one comment line
    BOOST_TEST(include.children[0].file == dir / "conf d/one.inc");
}

BOOST_AUTO_TEST_CASE(refuses_unclosed_sections_naming_the_line) {
    test::TempDir dir;
    test::writeFile(dir / "bad.conf", "ServerName x\n<VirtualHost *:443>\n  ServerName y\n");
    try {
        parseConfFile(dir / "bad.conf", ConfContext{});
        BOOST_FAIL("no error");
    } catch (const ConfigError& e) {
        BOOST_TEST(std::string(e.what()) == dir / "bad.conf" + ":2: <VirtualHost> is not closed");
    }
}

BOOST_AUTO_TEST_CASE(edits_only_the_tls_lines) {
    test::TempDir dir;
    std::string text = "Listen 443\n"
                       "<VirtualHost *:443>\n"
                       "\tServerName a.test\n"
                       "\tSSLEngine on\n"
                       "\tSSLCertificateFile \"/old/cert file.pem\"\n"
                       "\tSSLCertificateChainFile /old/chain.pem\n"
                       "\tSSLCertificateKeyFile \\\n\t    /old/key.pem\n"
                       "</VirtualHost>\n"
                       "<VirtualHost *:443>\n"
                       "  ServerName b.test\n"
                       "  SSLEngine on\n"
                       "</VirtualHost>\n";
    test::writeFile(dir / "s.conf", text);
    ServerDump dump;
    dump.vhosts = {{dir / "s.conf", 2}, {dir / "s.conf", 10}};
    ConfContext context;
    std::vector<VirtualHost> vhosts = loadVirtualHosts(dump, context);
    BOOST_REQUIRE_EQUAL(vhosts.size(), 2u);
    LivePaths live{"/store/live/a b/fullchain.pem", "/store/live/a b/privkey.pem"};
    std::string edited = planned(text, dir / "s.conf", vhosts, planInput(live));
    std::string expected = "Listen 443\n"
                           "<VirtualHost *:443>\n"
                           "\tServerName a.test\n"
                           "\tSSLEngine on\n"
                           "\tSSLCertificateFile \"/store/live/a b/fullchain.pem\"\n"
                           "\tSSLCertificateKeyFile \"/store/live/a b/privkey.pem\"\n"
                           "</VirtualHost>\n"
                           "<VirtualHost *:443>\n"
                           "  ServerName b.test\n"
                           "  SSLEngine on\n"
                           "  SSLCertificateFile \"/store/live/a b/fullchain.pem\"\n"
                           "  SSLCertificateKeyFile \"/store/live/a b/privkey.pem\"\n"
                           "</VirtualHost>\n";
    BOOST_TEST(edited == expected);
    test::writeFile(dir / "s.conf", edited);
    dump.vhosts = {{dir / "s.conf", 2}, {dir / "s.conf", 8}};
    vhosts = loadVirtualHosts(dump, context);
    BOOST_REQUIRE_EQUAL(vhosts.size(), 2u);
    // Already pointing at the live paths: nothing more to change.
    BOOST_TEST(planBlock(vhosts[0], planInput(live)).changes.empty());
    BOOST_TEST(planBlock(vhosts[1], planInput(live)).changes.empty());
}

BOOST_AUTO_TEST_CASE(parses_apache_dump_output) {
    std::string out = "VirtualHost configuration:\n"
                      "127.0.0.1:8443        a.test (/etc/a b/x.conf:1)\n"
                      "[::1]:443             is a NameVirtualHost\n"
                      "         default server v6.test (/etc/(v6):9:4)\n"
                      "         port 443 namevhost v6.test (/etc/(v6):9:4)\n"
                      "         port 443 namevhost m.test (macro 'sslhost' (defined on line 2 of "
                      "\"/etc/m.conf\") used on line 7 of \"/etc/m.conf\":1)\n"
                      "127.0.0.2:*           noport.test (/etc/z.conf:3)\n"
                      "*:443                 is a NameVirtualHost\n"
                      "         default server c.test (/etc/y.conf:13)\n"
                      "         port 443 namevhost c.test (/etc/y.conf:13)\n"
                      "                 alias www.c.test\n"
                      "                 wild alias *.e.test\n"
                      "ServerRoot: \"/srv/apache\"\n"
                      "PidFile: \"run/apache2.pid\"\n"
                      "Define: DUMP_VHOSTS\nDefine: SSL\n"
                      "Loaded Modules:\n core_module (static)\n ssl_module (shared)\n";
    ServerDump dump = parseDump(out);
    BOOST_TEST(dump.serverRoot == "/srv/apache");
    BOOST_TEST(dump.pidFile == "/srv/apache/run/apache2.pid");
    BOOST_TEST(dump.vhosts.size() == 4u); // the macro's vhost is no block to load
    BOOST_TEST(dump.vhosts.begin()->file == "/etc/(v6):9");
    BOOST_TEST(dump.defines.count("SSL") == 1u);
    BOOST_TEST(dump.modules.count("ssl_module") == 1u);
    BOOST_REQUIRE_EQUAL(dump.chains.size(), 4u);
    const AddressChain& v6 = dump.chains[1];
    BOOST_TEST(v6.host == "::1");
    BOOST_TEST(v6.port == 443);
    BOOST_REQUIRE_EQUAL(v6.vhosts.size(), 2u);
    BOOST_TEST(v6.vhosts[0].where.text() == "/etc/(v6):9:4");
    BOOST_TEST(v6.vhosts[1].macro == "sslhost");
    BOOST_TEST(v6.vhosts[1].where.text() == "/etc/m.conf:7");
    BOOST_TEST(dump.chains[2].address == "127.0.0.2:*");
    BOOST_TEST(dump.chains[2].port == 0);
    const AddressChain& wild = dump.chains[3];
    BOOST_TEST(wild.host == "*");
    BOOST_REQUIRE_EQUAL(wild.vhosts.size(), 1u);
    BOOST_TEST(wild.vhosts[0].aliases == std::vector<std::string>{"www.c.test"},
               boost::test_tools::per_element());
    BOOST_TEST(wild.vhosts[0].wildAliases == std::vector<std::string>{"*.e.test"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(wildcard_vhosts_are_probed_where_apache_listens) {
    test::TempDir dir;
    test::writeFile(dir / "ports.conf", "Listen 80\n"
                                        "<IfModule ssl_module>\n"
                                        "    Listen 203.0.113.5:443 https\n"
                                        "</IfModule>\n"
                                        "<IfModule !ssl_module>\n    Listen 198.51.100.1:443\n"
                                        "</IfModule>\n"
                                        "Listen [::]:8443\n");
    test::writeFile(dir / "main.conf", "Include ports.conf\n");
    ConfContext context;
    context.serverRoot = dir.path();
    context.modules = {"ssl_module"};
    std::vector<Listener> listens = scanConfig(dir / "main.conf", context).listens;
    BOOST_REQUIRE_EQUAL(listens.size(), 3u);
    BOOST_TEST(listens[1].host == "203.0.113.5");
    BOOST_TEST(listens[2].host == ""); // [::] is every address
    ServerDump dump = parseDump("*:443 is a NameVirtualHost\n"
                                "    port 443 namevhost a.test (/a.conf:1)\n"
                                "*:8443                b.test (/b.conf:1)\n"
                                "127.0.0.1:*           ip.test (/ip.conf:1)\n"
                                "10.1.1.1:443          far.test (/far.conf:1)\n");
    auto local = [](const std::string& ip) { return ip == "127.0.0.1"; };
    std::vector<Endpoint> e = endpoints(listens, dump.chains, local);
    // Port 80 and 8443 on every address: the local IP-based vhost at its address, the wildcard
    // ones at a loopback address it does not claim; 443 only where Apache listens (10.1.1.1:443
    // is not reachable).
    std::vector<std::string> where;
    for (const Endpoint& p : e)
        where.push_back(p.host + " " + std::to_string(p.port));
    std::vector<std::string> expected{"127.0.0.1 80", "127.0.0.2 80", "203.0.113.5 443",
                                      "127.0.0.1 8443", "127.0.0.2 8443"};
    BOOST_TEST(where == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(refuses_blocks_it_cannot_edit_safely) {
    test::TempDir dir;
    test::writeFile(dir / "x.conf", "<VirtualHost *:443>\n"
                                    "  SSLCertificateFile /etc/ssl/rsa.pem\n"
                                    "  SSLCertificateKeyFile /etc/ssl/rsa.key\n"
                                    "  SSLCertificateFile /etc/ssl/ec.pem\n"
                                    "  SSLCertificateKeyFile /etc/ssl/ec.key\n"
                                    "</VirtualHost>\n");
    ServerDump dump;
    dump.vhosts = {{dir / "x.conf", 1}};
    std::vector<VirtualHost> dual = loadVirtualHosts(dump, ConfContext{});
    BOOST_REQUIRE_EQUAL(dual.size(), 1u);
    try {
        planBlock(dual[0], planInput({"/l/fullchain.pem", "/l/privkey.pem"}, ""));
        BOOST_FAIL("no error");
    } catch (const ConfigError& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "apache: the block at " + dir / "x.conf" +
                       ":1 has 2 SSLCertificateFile/KeyFile pairs and the key type of site is "
                       "unknown; point the block at one certificate by hand first");
    }
    VirtualHost names;
    names.serverName = "shop.test";
    names.aliases = {"www.shop.test", "*.cdn.test", "img.shop.test"};
    std::vector<std::string> left = names.uncovered({"shop.test", "*.shop.test"});
    BOOST_TEST(left == std::vector<std::string>{"*.cdn.test"}, boost::test_tools::per_element());
    BOOST_TEST(names.uncovered({"*.test"}).size() == 3u); // a wildcard covers one label only
}

BOOST_AUTO_TEST_CASE(key_pair_gate) {
    test::TempDir dir;
    crypto::EvpPkeyPtr key = test::makeKey();
    test::TestCa ca = test::TestCa::makeRoot("gate root");
    test::CertSpec spec;
    spec.names = {"g.test"};
    crypto::X509Ptr leaf = ca.issue(*key, spec);
    test::writeFile(dir / "cert.pem", test::toPem(*leaf) + ca.certPem());
    test::writeFile(dir / "key.pem", test::keyToPem(*key), 0600);
    test::writeFile(dir / "other.pem", test::keyToPem(*test::makeKey()), 0600);
    test::writeFile(dir / "combined.pem", test::toPem(*leaf) + test::keyToPem(*key), 0600);
    BOOST_TEST(checkKeyPair(dir / "cert.pem", dir / "key.pem"));
    BOOST_TEST(checkKeyPair(dir / "combined.pem", "")); // key inside the certificate file
    BOOST_CHECK_THROW(checkKeyPair(dir / "cert.pem", dir / "other.pem"), CryptoError);
    BOOST_CHECK_THROW(checkKeyPair(dir / "missing.pem", dir / "key.pem"), CryptoError);
    test::CommandOutput enc =
        test::runCommand({"/usr/bin/openssl", "pkey", "-in", dir / "key.pem", "-aes256", "-passout",
                          "pass:secret", "-out", dir / "enc.pem"});
    BOOST_REQUIRE_EQUAL(enc.exitCode, 0);
    // Another block's passphrase-protected key cannot be checked (Apache asks its dialog).
    BOOST_TEST(!checkKeyPair(dir / "cert.pem", dir / "enc.pem", true));
    BOOST_CHECK_THROW(checkKeyPair(dir / "cert.pem", dir / "enc.pem"), CryptoError);
}

BOOST_AUTO_TEST_SUITE_END()
