// The scripts hooks/haproxy, postfix-reload and dovecot-reload against stand-in commands.
#include "HookFixture.h"

using namespace certagent;
using namespace certagent::test::hooks;
using certagent::test::exists;
using certagent::test::listDir;
using certagent::test::readFile;
using certagent::test::writeFile;

BOOST_AUTO_TEST_SUITE(ShippedHooksTest)

BOOST_AUTO_TEST_CASE(haproxy_writes_combined_pem_checks_and_reloads) {
    Fixture f;
    ::mkdir((f.tmp / "certs").c_str(), 0755);
    writeFile(f.tmp / "haproxy.cfg", "global\n");
    f.settings("pem_dir = " + f.tmp / "certs" + "\nhaproxy_config = " + f.tmp / "haproxy.cfg" +
               "   \n");
    f.systemctl("haproxy");
    f.fake("haproxy");
    BOOST_REQUIRE(f.run("haproxy").ok());
    std::string pem = f.tmp / "certs/shop.pem";
    BOOST_TEST(readFile(pem) == "KEY\nLEAF\nINTERMEDIATE\n");
    BOOST_TEST(modeOf(pem) == 0600u);
    BOOST_TEST(listDir(f.tmp / "certs") == std::vector<std::string>{"shop.pem"});
    BOOST_TEST(f.calls() ==
               "haproxy -c -q -f " + f.tmp / "haproxy.cfg" +
                   "\nsystemctl is-active --quiet haproxy\nsystemctl reload haproxy\n");
}

BOOST_AUTO_TEST_CASE(haproxy_uses_reload_command_when_unit_inactive) {
    Fixture f;
    ::mkdir((f.tmp / "certs").c_str(), 0755);
    f.settings("pem_dir = " + f.tmp / "certs" + "\nreload_command = " + f.tmp / "bin/hareload" +
               " -x 'quoted arg'\n");
    f.systemctl("none");
    f.fake("hareload");
    BOOST_REQUIRE(f.run("haproxy").ok());
    // Split on spaces, no shell: the quotes stay literal.
    BOOST_TEST(contains(f.calls(), "hareload -x 'quoted arg'\n"));
    BOOST_TEST(!contains(f.calls(), "systemctl reload"));
}

BOOST_AUTO_TEST_CASE(haproxy_without_systemd_or_command_does_not_reload) {
    Fixture f;
    ::mkdir((f.tmp / "certs").c_str(), 0755);
    f.settings("pem_dir = " + f.tmp / "certs" + "\n");
    f.systemctl("none");
    SubprocessResult r = f.run("haproxy");
    BOOST_TEST(r.ok());
    BOOST_TEST(contains(r.output, "not reloaded"));
    BOOST_TEST(exists(f.tmp / "certs/shop.pem"));
}

BOOST_AUTO_TEST_CASE(haproxy_check_failure_restores_previous_pem) {
    Fixture f;
    ::mkdir((f.tmp / "certs").c_str(), 0755);
    writeFile(f.tmp / "certs/shop.pem", "OLD\n", 0600);
    writeFile(f.tmp / "haproxy.cfg", "global\n");
    f.settings("pem_dir = " + f.tmp / "certs" + "\nhaproxy_config = " + f.tmp / "haproxy.cfg" +
               "\n");
    f.systemctl("haproxy");
    f.fake("haproxy", "exit 1");
    SubprocessResult r = f.run("haproxy");
    BOOST_TEST(!r.ok());
    BOOST_TEST(contains(r.output, "previous"));
    BOOST_TEST(readFile(f.tmp / "certs/shop.pem") == "OLD\n");
    BOOST_TEST(listDir(f.tmp / "certs") == std::vector<std::string>{"shop.pem"});
    BOOST_TEST(!contains(f.calls(), "systemctl reload"));
}

BOOST_AUTO_TEST_CASE(haproxy_ignores_other_events_refuses_odd_names_and_filters) {
    Fixture f;
    ::mkdir((f.tmp / "certs").c_str(), 0755);
    f.settings("pem_dir = " + f.tmp / "certs" + "\n");
    f.systemctl("haproxy");
    f.env["CERTAGENT_EVENT"] = "failure";
    BOOST_TEST(f.run("haproxy").ok());
    f.env["CERTAGENT_EVENT"] = "deploy";
    f.env["CERTAGENT_NAME"] = "../etc/x";
    BOOST_TEST(!f.run("haproxy").ok());
    f.env["CERTAGENT_NAME"] = "shop";
    f.settings("pem_dir = " + f.tmp / "certs" + "\ncerts = api mail\n");
    BOOST_TEST(f.run("haproxy").ok());
    BOOST_TEST(listDir(f.tmp / "certs").empty());
    BOOST_TEST(f.calls().empty());
}

BOOST_AUTO_TEST_CASE(postfix_reload_paths) {
    Fixture f;
    f.systemctl("postfix");
    f.fake("postfix");
    BOOST_REQUIRE(f.run("postfix-reload").ok());
    BOOST_TEST(f.calls() == "systemctl is-active --quiet postfix\nsystemctl reload postfix\n");

    Fixture g;
    g.systemctl("none");
    g.fake("postfix");
    BOOST_REQUIRE(g.run("postfix-reload").ok());
    BOOST_TEST(contains(g.calls(), "postfix status\npostfix reload\n"));

    Fixture h; // postfix installed but stopped: nothing is started or reloaded
    h.systemctl("none");
    h.fake("postfix", "[ \"$1\" = status ] && exit 1; exit 0");
    BOOST_REQUIRE(h.run("postfix-reload").ok());
    BOOST_TEST(!contains(h.calls(), "postfix reload"));
}

BOOST_AUTO_TEST_CASE(dovecot_reload_paths) {
    Fixture f;
    f.systemctl("dovecot");
    f.fake("doveadm");
    BOOST_REQUIRE(f.run("dovecot-reload").ok());
    BOOST_TEST(f.calls() == "systemctl is-active --quiet dovecot\nsystemctl reload dovecot\n");

    Fixture g;
    g.systemctl("none");
    g.fake("doveadm");
    writeFile(g.tmp / "master.pid", "1234\n");
    g.settings("pid_file = " + g.tmp / "master.pid" + "\n");
    BOOST_REQUIRE(g.run("dovecot-reload").ok());
    BOOST_TEST(contains(g.calls(), "doveadm reload\n"));

    Fixture h;
    h.systemctl("none");
    h.fake("doveadm");
    h.settings("pid_file = " + h.tmp / "missing.pid" + "\n");
    BOOST_REQUIRE(h.run("dovecot-reload").ok());
    BOOST_TEST(!contains(h.calls(), "doveadm"));
}

BOOST_AUTO_TEST_SUITE_END()
