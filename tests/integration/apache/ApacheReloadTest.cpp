// How the plugin reloads: through systemd only when the apache2 unit runs this very server,
// else with `-k graceful` on the configured -f config. systemctl is a stand-in here (tests never
// touch system services); its "reload" does what the unit's ExecReload would: a graceful.
#include "ApacheFixture.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::test;

namespace {

const std::vector<std::string> kNames{"a.test"};

/// Apache serving an old pair for a.test; version 1 written and live.
struct Serving {
    ApacheFixture f;
    CertVersion old, v1;
    std::vector<std::vector<std::string>> systemctl;
    Serving() {
        old = f.issue(kNames);
        f.writeOldPair(f.dir / "old", old);
        f.apache.addSiteFile("a", sslVhost(f.apache.httpsPort(), "a.test", "",
                                           f.dir / "old/cert.pem", f.dir / "old/key.pem"));
        f.apache.start();
        v1 = f.issue(kNames);
        f.writeVersion(1, v1);
        f.switchTo(1);
    }
    /// A stand-in systemctl: the unit is `active` with MainPID `mainPid`.
    void systemd(bool active, int mainPid) {
        f.runner.intercept =
            [this, active,
             mainPid](const std::vector<std::string>& argv) -> std::optional<SubprocessResult> {
            if (argv[0] != "systemctl")
                return std::nullopt;
            systemctl.push_back(argv);
            if (argv[1] == "is-active")
                return exited(active ? 0 : 3);
            if (argv[1] == "show")
                return exited(0, std::to_string(mainPid) + "\n");
            if (argv[1] == "reload") {
                CommandOutput out = runCommand(
                    {ApacheProcess::binary(), "-f", f.apache.configPath(), "-k", "graceful"});
                return exited(out.exitCode, out.output);
            }
            return exited(1, "unexpected");
        };
    }
    core::DeployOutcome deploy(const std::string& reload) {
        auto installer = f.installer(reload);
        installer->discover(f.target(kNames));
        core::DeployStep step;
        step.newSha256 = v1.sha256;
        step.previousSha256 = old.sha256;
        return core::deploy(*installer, step);
    }
};

bool called(const std::vector<std::vector<std::string>>& calls, const std::string& verb) {
    for (const auto& argv : calls)
        if (argv.size() > 1 && argv[1] == verb)
            return true;
    return false;
}

} // namespace

BOOST_AUTO_TEST_SUITE(ApacheReload)

BOOST_AUTO_TEST_CASE(auto_uses_systemd_when_the_unit_runs_this_server) {
    Serving s;
    s.systemd(true, s.f.apache.pid());
    core::DeployOutcome outcome = s.deploy("auto");
    BOOST_TEST_REQUIRE(outcome.exitCode == 0, outcome.error);
    BOOST_TEST(called(s.systemctl, "reload"));
    BOOST_TEST(s.f.runner.count("graceful") == 0);
    BOOST_TEST(s.f.served("a.test") == s.v1.sha256);
}

BOOST_AUTO_TEST_CASE(auto_signals_when_the_unit_runs_another_server) {
    Serving s;
    s.systemd(true, 1); // the system's apache2.service, not ours
    core::DeployOutcome outcome = s.deploy("auto");
    BOOST_TEST_REQUIRE(outcome.exitCode == 0, outcome.error);
    BOOST_TEST(!called(s.systemctl, "reload"));
    BOOST_TEST(s.f.runner.count("graceful") == 1);
    BOOST_TEST(s.f.served("a.test") == s.v1.sha256);
}

BOOST_AUTO_TEST_CASE(systemd_mode_refuses_when_the_unit_is_not_active) {
    Serving s;
    std::string site = readFile(s.f.apache.sitesDir() + "/a.conf");
    s.systemd(false, 0);
    core::DeployOutcome outcome = s.deploy("systemd");
    BOOST_TEST(outcome.exitCode != 0);
    BOOST_TEST(outcome.error.find("reload = systemd") != std::string::npos, outcome.error);
    BOOST_TEST(!called(s.systemctl, "reload"));
    BOOST_TEST(!called(s.systemctl, "start"));
    BOOST_TEST(readFile(s.f.apache.sitesDir() + "/a.conf") == site);
    BOOST_TEST(s.f.served("a.test") == s.old.sha256);
}

BOOST_AUTO_TEST_CASE(unknown_reload_mode_is_a_config_error) {
    ApacheFixture f;
    BOOST_CHECK_THROW(f.installer("sometimes"), ConfigError);
}

BOOST_AUTO_TEST_SUITE_END()
