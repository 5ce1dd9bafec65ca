// How apache2 and systemctl are run: Debian envvars read without a shell, -d for an instance,
// -D for defines, the systemd unit chosen (apache2, apache2@NAME, httpd, [apache] unit) and the
// exact argv given to the CommandRunner; the [apache] keys of certagent.conf.
#include "plugins/apache/ApacheControl.h"

#include "TestEnv.h"
#include "config/Config.h"
#include "plugins/apache/Envvars.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::plugins::apache;
using certagent::test::TempDir;
using certagent::test::writeFile;

namespace {

using Argv = std::vector<std::string>;

/// Records every argv; systemctl answers as a unit that is active with MainPID `mainPid`.
struct FakeRunner : CommandRunner {
    int mainPid = 4242;
    std::vector<Argv> calls;
    SubprocessResult run(const Argv& argv, const SubprocessOptions&) override {
        calls.push_back(argv);
        SubprocessResult r;
        r.exitCode = 0;
        if (argv.size() > 1 && argv[1] == "show")
            r.output = std::to_string(mainPid) + "\n";
        return r;
    }
};

/// Each argv as one line, for whole comparisons that print.
std::vector<std::string> lines(const std::vector<Argv>& calls) {
    std::vector<std::string> out;
    for (const Argv& argv : calls) {
        std::string line;
        for (const std::string& word : argv)
            line += (line.empty() ? "" : " ") + word;
        out.push_back(line);
    }
    return out;
}

config::ServerSettings settings(const std::string& binary, const std::string& config) {
    config::ServerSettings s;
    s.binary = binary;
    s.config = config;
    s.reload = "systemd";
    return s;
}

const char* kDebianEnvvars =
    "# envvars - default environment variables for apache2ctl\n"
    "unset HOME\n"
    "if [ \"${APACHE_CONFDIR##/etc/apache2-}\" != \"${APACHE_CONFDIR}\" ] ; then\n"
    "\tSUFFIX=\"-${APACHE_CONFDIR##/etc/apache2-}\"\nelse\n\tSUFFIX=\nfi\n"
    "export APACHE_RUN_USER=www-data\n"
    "export APACHE_PID_FILE=/var/run/apache2$SUFFIX/apache2.pid\n"
    "export APACHE_RUN_DIR=/var/run/apache2$SUFFIX\n"
    "export APACHE_LOG_DIR=\"/var/log/apache2${SUFFIX}\"   # logrotate knows this one\n"
    "export LANG=C\nexport LANG\n"
    "APACHE_LOCK_DIR='/var/lock/apache2 $SUFFIX'\nexport APACHE_LOCK_DIR\n"
    "export APACHE_ULIMIT=$(ulimit -n)\n"
    "export LD_PRELOAD=/tmp/evil.so\nexport PATH=/tmp/bin\n"
    "#export APACHE_ARGUMENTS=''\n"
    "export APACHE_ARGUMENTS='-D SSL -DPHP -k start'\n";

} // namespace

BOOST_AUTO_TEST_SUITE(ApacheControlArgv)

BOOST_AUTO_TEST_CASE(envvars_are_read_the_way_apache2ctl_sees_them) {
    TempDir dir;
    std::string confDir = dir / "apache2-blue";
    writeFile(confDir + "/envvars", kDebianEnvvars);
    Envvars e = readEnvvars(confDir);
    BOOST_TEST(e.present);
    std::vector<std::string> env;
    for (const auto& [key, value] : e.env)
        env.push_back(key + "=" + value);
    std::vector<std::string> expected{"APACHE_ARGUMENTS=-D SSL -DPHP -k start",
                                      "APACHE_CONFDIR=" + confDir,
                                      "APACHE_LOCK_DIR=/var/lock/apache2 $SUFFIX",
                                      "APACHE_LOG_DIR=/var/log/apache2-blue",
                                      "APACHE_PID_FILE=/var/run/apache2-blue/apache2.pid",
                                      "APACHE_RUN_DIR=/var/run/apache2-blue",
                                      "APACHE_RUN_USER=www-data",
                                      "LANG=C"};
    BOOST_TEST(env == expected, boost::test_tools::per_element());
    BOOST_TEST(e.defines == (std::vector<std::string>{"SSL", "PHP"}),
               boost::test_tools::per_element());
    BOOST_TEST(!readEnvvars(dir / "nowhere").present);
    BOOST_TEST(instanceSuffix("/etc/apache2") == "");
    BOOST_TEST(instanceSuffix("/etc/apache2-") == "");
}

BOOST_AUTO_TEST_CASE(an_envvars_others_may_write_is_refused) {
    TempDir dir;
    writeFile(dir / "envvars", "export APACHE_RUN_DIR=/run/x\n", 0666);
    try {
        readEnvvars(dir.path());
        BOOST_FAIL("no error");
    } catch (const ConfigError& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "apache: " + dir / "envvars" + " (owner uid " + std::to_string(::geteuid()) +
                       ", mode 0666) may be changed by other users, and certagent reads it as "
                       "root: make it root's and not group- or world-writable");
    }
}

BOOST_AUTO_TEST_CASE(an_instance_gets_its_server_root_and_every_define) {
    TempDir dir;
    std::string confDir = dir / "apache2-blue";
    writeFile(confDir + "/envvars", kDebianEnvvars);
    FakeRunner runner;
    config::ServerSettings s = settings("/usr/sbin/apache2", confDir + "/apache2.conf");
    s.defines = {"SSL", "LDAP"};
    ApacheControl control(s, runner);
    Argv base{"/usr/sbin/apache2",
              "-d",
              confDir,
              "-f",
              confDir + "/apache2.conf",
              "-D",
              "SSL",
              "-D",
              "LDAP",
              "-D",
              "PHP"};
    BOOST_TEST(control.baseArgv() == base, boost::test_tools::per_element());
    control.configTest();
    Argv test = base;
    test.push_back("-t");
    BOOST_REQUIRE_EQUAL(runner.calls.size(), 1u);
    BOOST_TEST(runner.calls[0] == test, boost::test_tools::per_element());
    BOOST_TEST(control.env().at("PATH") == kFixedPath);
    BOOST_TEST(control.env().count("LD_PRELOAD") == 0u);

    // Without an envvars (a hand-made layout) there is no -d: the config's ServerRoot rules.
    ApacheControl plain(settings("/usr/sbin/apache2", dir / "srv/apache2.conf"), runner);
    BOOST_TEST(plain.baseArgv() == (Argv{"/usr/sbin/apache2", "-f", dir / "srv/apache2.conf"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_unit_follows_the_binary_and_the_instance) {
    BOOST_TEST(defaultUnit("/usr/sbin/apache2", "/etc/apache2/apache2.conf") == "apache2");
    BOOST_TEST(defaultUnit("/usr/sbin/apache2", "/etc/apache2-blue/apache2.conf") ==
               "apache2@blue");
    BOOST_TEST(defaultUnit("/usr/sbin/httpd", "/etc/httpd/conf/httpd.conf") == "httpd");
    BOOST_TEST(defaultUnit("/opt/apache/bin/httpd", "/opt/apache/conf/httpd.conf") == "httpd");
}

BOOST_AUTO_TEST_CASE(systemctl_gets_the_chosen_unit) {
    TempDir dir;
    struct Case {
        std::string binary, config, unitSetting, unit;
    };
    for (const Case& c :
         {Case{"/usr/sbin/httpd", "/etc/httpd/conf/httpd.conf", "", "httpd"},
          Case{"/usr/sbin/apache2", dir / "apache2-blue/apache2.conf", "", "apache2@blue"},
          Case{"/usr/sbin/apache2", "/etc/apache2/apache2.conf", "apache2-custom.service",
               "apache2-custom.service"}}) {
        FakeRunner runner;
        config::ServerSettings s = settings(c.binary, c.config);
        s.unit = c.unitSetting;
        ApacheControl control(s, runner);
        BOOST_TEST(control.unit() == c.unit);
        BOOST_TEST(control.systemdRunsPid(4242));
        control.graceful(true, "reload");
        control.start(true, "recover");
        std::vector<Argv> expected{{"systemctl", "is-active", "--quiet", c.unit},
                                   {"systemctl", "show", "-p", "MainPID", "--value", c.unit},
                                   {"systemctl", "reload", c.unit},
                                   {"systemctl", "start", c.unit}};
        BOOST_TEST(lines(runner.calls) == lines(expected), boost::test_tools::per_element());
    }
}

BOOST_AUTO_TEST_CASE(apache_keys_of_certagent_conf) {
    TempDir dir;
    auto load = [&](const std::string& apache) {
        writeFile(dir / "certagent.conf", "[store]\ndir = store\n[apache]\n" + apache, 0644);
        writeFile(dir / "certs.d/.keep", "");
        return config::loadConfig(dir / "certagent.conf", false);
    };
    config::Config c = load("defines = SSL, php_7 ,LDAP\nunit = apache2@blue\n");
    BOOST_TEST(c.apache.defines == (std::vector<std::string>{"SSL", "php_7", "LDAP"}),
               boost::test_tools::per_element());
    BOOST_TEST(c.apache.unit == "apache2@blue");
    BOOST_TEST(load("").apache.unit.empty());
    auto error = [&](const std::string& apache) -> std::string {
        try {
            load(apache);
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "(no error)";
    };
    BOOST_TEST(error("defines = SSL, -k stop\n") ==
               "certagent.conf:4: [apache] defines: not a define name: \"-k stop\"");
    BOOST_TEST(error("unit = --now\n") ==
               "certagent.conf:4: [apache] unit: not a systemd unit name: \"--now\"");
}

BOOST_AUTO_TEST_SUITE_END()
