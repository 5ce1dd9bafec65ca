// Debian multi-instance Apache (/etc/apache2-NAME, started by apache2ctl or apache2@NAME): every
// apache2 run gets the instance's ServerRoot (-d) and envvars, and reload = systemd reaches the
// instance's unit.
#include "ApacheFixture.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::test;

namespace {

const std::vector<std::string> kNames{"shop.test", "www.shop.test"};

/// Instance "blue" serving an old pair for kNames; version 1 written and live.
struct Instance {
    ApacheFixture f{"blue"};
    CertVersion old, v1;
    std::string site;
    Instance() {
        old = f.issue(kNames);
        f.writeOldPair(f.dir / "old", old);
        f.apache.addSiteFile("shop", sslVhost(f.apache.httpsPort(), "shop.test", "www.shop.test",
                                              f.dir / "old/cert.pem", f.dir / "old/key.pem"));
        site = f.apache.sitesDir() + "/shop.conf";
        f.apache.start();
        v1 = f.issue(kNames);
        f.writeVersion(1, v1);
        f.switchTo(1);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(ApacheInstance)

BOOST_AUTO_TEST_CASE(an_instance_is_read_with_its_own_server_root_and_envvars) {
    Instance s;
    ApacheFixture& f = s.f;
    BOOST_REQUIRE_EQUAL(f.served("shop.test"), s.old.sha256);
    core::DeployOutcome outcome = f.deploy(kNames, s.v1, s.old.sha256, 0);
    BOOST_TEST_REQUIRE(outcome.exitCode == 0, outcome.error);
    BOOST_TEST(f.served("shop.test") == s.v1.sha256);
    BOOST_TEST(f.served("www.shop.test") == s.v1.sha256);
    BOOST_TEST(readFile(s.site).find(f.storeDir + "/live/site/fullchain.pem") != std::string::npos);
    int apacheRuns = 0;
    for (const auto& argv : f.runner.calls) {
        if (argv[0] != ApacheProcess::binary())
            continue;
        ++apacheRuns;
        BOOST_TEST(argv[1] == "-d");
        BOOST_TEST(argv[2] == f.apache.confDir());
    }
    BOOST_TEST(apacheRuns >= 3); // dump, -t, gate dumps, -k graceful
}

BOOST_AUTO_TEST_CASE(reload_systemd_reaches_the_instance_unit) {
    Instance s;
    ApacheFixture& f = s.f;
    std::vector<std::string> systemctl;
    f.runner.intercept =
        [&](const std::vector<std::string>& argv) -> std::optional<SubprocessResult> {
        if (argv[0] != "systemctl")
            return std::nullopt;
        std::string line;
        for (const std::string& word : argv)
            line += (line.empty() ? "" : " ") + word;
        systemctl.push_back(line);
        if (argv[1] == "is-active")
            return exited(0);
        if (argv[1] == "show")
            return exited(0, std::to_string(f.apache.pid()) + "\n");
        if (argv[1] == "reload") { // what apache2@blue's ExecReload (apachectl graceful) does
            std::vector<std::string> env;
            for (const auto& [key, value] : f.apache.instanceEnv())
                env.push_back(key + "=" + value);
            CommandOutput out = runCommand({ApacheProcess::binary(), "-d", f.apache.confDir(), "-f",
                                            f.apache.configPath(), "-k", "graceful"},
                                           env);
            return exited(out.exitCode, out.output);
        }
        return exited(1, "unexpected");
    };
    auto installer = f.installer("systemd");
    installer->discover(f.target(kNames));
    core::DeployStep step;
    step.newSha256 = s.v1.sha256;
    step.previousSha256 = s.old.sha256;
    core::DeployOutcome outcome = core::deploy(*installer, step);
    BOOST_TEST_REQUIRE(outcome.exitCode == 0, outcome.error);
    std::vector<std::string> expected{"systemctl is-active --quiet apache2@blue",
                                      "systemctl show -p MainPID --value apache2@blue",
                                      "systemctl reload apache2@blue"};
    BOOST_TEST(systemctl == expected, boost::test_tools::per_element());
    BOOST_TEST(f.runner.count("graceful") == 0);
    BOOST_TEST(f.served("shop.test") == s.v1.sha256);
}

BOOST_AUTO_TEST_SUITE_END()
