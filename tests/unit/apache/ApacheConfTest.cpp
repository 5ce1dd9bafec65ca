// The configuration tokenizer, the dump reader, the line editor and the key-pair gate, on files
// written here (no server).
#include "plugins/apache/ApacheConf.h"

#include "TestCa.h"
#include "TestEnv.h"
#include "plugins/apache/KeyPairCheck.h"
#include "plugins/apache/VhostEdit.h"
#include "plugins/apache/VirtualHosts.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::plugins::apache;

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
    BOOST_TEST(!pointsAt(vhosts[0], live, context));
    std::string edited = editText(text, {&vhosts[0], &vhosts[1]}, live);
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
    BOOST_TEST(pointsAt(vhosts[0], live, context));
    BOOST_TEST(pointsAt(vhosts[1], live, context));
}

BOOST_AUTO_TEST_CASE(parses_apache_dump_output) {
    std::string out = "VirtualHost configuration:\n"
                      "127.0.0.1:8443        a.test (/etc/a b/x.conf:1)\n"
                      "*:443                 is a NameVirtualHost\n"
                      "         default server c.test (/etc/y.conf:13)\n"
                      "         port 443 namevhost c.test (/etc/y.conf:13)\n"
                      "                 wild alias *.e.test\n"
                      "ServerRoot: \"/srv/apache\"\n"
                      "PidFile: \"run/apache2.pid\"\n"
                      "Define: DUMP_VHOSTS\nDefine: SSL\n"
                      "Loaded Modules:\n core_module (static)\n ssl_module (shared)\n";
    ServerDump dump = parseDump(out);
    BOOST_TEST(dump.serverRoot == "/srv/apache");
    BOOST_TEST(dump.pidFile == "/srv/apache/run/apache2.pid");
    BOOST_TEST(dump.vhosts.size() == 2u);
    BOOST_TEST(dump.vhosts.begin()->file == "/etc/a b/x.conf");
    BOOST_TEST(dump.defines.count("SSL") == 1u);
    BOOST_TEST(dump.modules.count("ssl_module") == 1u);
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
    std::vector<Listener> listens = listenDirectives(dir / "main.conf", context);
    BOOST_REQUIRE_EQUAL(listens.size(), 3u);
    VirtualHost vhost;
    vhost.addresses = {"*:443", "_default_:8443", "*:80", "10.1.1.1:443", "[::1]:9443"};
    std::vector<Listener> l = vhost.listeners();
    BOOST_TEST(probeAddress(l[0], listens).host == "203.0.113.5");
    BOOST_TEST(probeAddress(l[1], listens).host == "127.0.0.1");
    BOOST_TEST(probeAddress(l[1], listens).port == 8443);
    BOOST_TEST(probeAddress(l[2], listens).host == "127.0.0.1");
    BOOST_TEST(probeAddress(l[3], listens).host == "10.1.1.1");
    BOOST_TEST(probeAddress(l[4], listens).host == "::1");
    BOOST_TEST(probeAddress(l[4], listens).port == 9443);
}

BOOST_AUTO_TEST_CASE(refuses_blocks_it_cannot_edit_safely) {
    VirtualHost dual;
    dual.file = "/etc/apache2/sites-enabled/x.conf";
    dual.line = 3;
    ConfNode cert;
    cert.name = "SSLCertificateFile";
    cert.file = dual.file;
    dual.certFiles = {cert, cert}; // an RSA and an ECDSA pair
    try {
        checkEditable(dual);
        BOOST_FAIL("no error");
    } catch (const ConfigError& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "apache: the block at /etc/apache2/sites-enabled/x.conf:3 has several "
                   "SSLCertificateFile/KeyFile pairs; point it at one certificate by hand first");
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
