#include "core/HookRunner.h"

#include "TestEnv.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <csignal>
#include <set>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace certagent;
using namespace certagent::core;
using certagent::test::TempDir;
using certagent::test::writeFile;

namespace {

/// A hooks dir in a TempDir, a real runner, and the log lines it produced.
struct Fixture {
    TempDir tmp;
    SystemCommandRunner system;
    std::vector<std::string> log;
    HookRunner runner;

    explicit Fixture(std::chrono::seconds timeout = std::chrono::seconds(30))
        : runner(HookSettings{tmp / "hooks", timeout}, system,
                 [this](const std::string& line) { log.push_back(line); }) {
        ::mkdir((tmp / "hooks").c_str(), 0755);
    }
    std::string hook(const std::string& relative, const std::string& script, unsigned mode = 0755) {
        std::string path = tmp / ("hooks/" + relative);
        writeFile(path, script, mode);
        ::chmod(path.c_str(), mode); // writeFile's mode is subject to the umask
        return path;
    }
    std::string link(const std::string& relative, const std::string& target) {
        std::string path = tmp / ("hooks/" + relative);
        writeFile(path + ".tmp", "");
        ::unlink((path + ".tmp").c_str());
        BOOST_REQUIRE_EQUAL(::symlink(target.c_str(), path.c_str()), 0);
        return path;
    }
    /// Output lines of one hook, without the "hook NAME: " prefix and the status lines.
    std::vector<std::string> output(const std::string& shown) const {
        std::vector<std::string> lines;
        std::string prefix = "hook " + shown + ": ";
        for (const auto& line : log) {
            if (line.rfind(prefix, 0) != 0)
                continue;
            std::string rest = line.substr(prefix.size());
            if (rest != "running" && rest != "ok")
                lines.push_back(rest);
        }
        return lines;
    }
};

HookEvent sampleEvent() {
    HookEvent event;
    event.name = "shop";
    event.domains = {"shop.example", "www.shop.example"};
    event.orderId = "1840217";
    event.backend = "gogetssl";
    event.liveDir = "/var/lib/certagent/live/shop";
    event.cert = event.liveDir + "/cert.pem";
    event.key = event.liveDir + "/privkey.pem";
    event.chain = event.liveDir + "/chain.pem";
    event.fullchain = event.liveDir + "/fullchain.pem";
    event.serial = "0A1B2C";
    event.notAfter = "2027-06-01T00:00:00Z";
    return event;
}

bool processGone(pid_t pid) {
    for (int i = 0; i < 100; ++i) {
        if (::kill(pid, 0) != 0 && errno == ESRCH)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

} // namespace

BOOST_AUTO_TEST_SUITE(HookRunnerTest)

BOOST_AUTO_TEST_CASE(environment_is_exactly_the_documented_set) {
    Fixture f;
    f.link("deploy.d/10-env", "/usr/bin/env");
    HookOutcome outcome = f.runner.runDeploy(sampleEvent());
    BOOST_TEST(outcome.ok());
    BOOST_TEST(outcome.ran == 1);
    std::vector<std::string> lines = f.output("deploy.d/10-env");
    std::set<std::string> got(lines.begin(), lines.end());
    std::set<std::string> expected = {
        std::string("PATH=") + kFixedPath,
        "CERTAGENT_EVENT=deploy",
        "CERTAGENT_NAME=shop",
        "CERTAGENT_DOMAINS=shop.example www.shop.example",
        "CERTAGENT_ORDER_ID=1840217",
        "CERTAGENT_BACKEND=gogetssl",
        "CERTAGENT_LIVE_DIR=/var/lib/certagent/live/shop",
        "CERTAGENT_CERT=/var/lib/certagent/live/shop/cert.pem",
        "CERTAGENT_KEY=/var/lib/certagent/live/shop/privkey.pem",
        "CERTAGENT_CHAIN=/var/lib/certagent/live/shop/chain.pem",
        "CERTAGENT_FULLCHAIN=/var/lib/certagent/live/shop/fullchain.pem",
        "CERTAGENT_SERIAL=0A1B2C",
        "CERTAGENT_NOT_AFTER=2027-06-01T00:00:00Z",
        "CERTAGENT_ERROR=",
        "RENEWED_LINEAGE=/var/lib/certagent/live/shop",
        "RENEWED_DOMAINS=shop.example www.shop.example",
    };
    BOOST_TEST(got == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(json_on_stdin_has_the_same_facts) {
    Fixture f;
    f.link("failure.d/10-cat", "/bin/cat");
    HookEvent event = sampleEvent();
    event.error = "nginx reload: exit 1";
    BOOST_TEST(f.runner.run("failure", event).ok());
    std::vector<std::string> lines = f.output("failure.d/10-cat");
    BOOST_REQUIRE_EQUAL(lines.size(), 1u);
    auto json = Poco::JSON::Parser().parse(lines[0]).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(json->getValue<std::string>("event") == "failure");
    BOOST_TEST(json->getValue<std::string>("name") == "shop");
    BOOST_TEST(json->getArray("domains")->size() == 2u);
    BOOST_TEST(json->getArray("domains")->getElement<std::string>(1) == "www.shop.example");
    BOOST_TEST(json->getValue<std::string>("order_id") == "1840217");
    BOOST_TEST(json->getValue<std::string>("backend") == "gogetssl");
    BOOST_TEST(json->getValue<std::string>("fullchain") == event.fullchain);
    BOOST_TEST(json->getValue<std::string>("error") == "nginx reload: exit 1");
}

BOOST_AUTO_TEST_CASE(run_parts_order_and_names) {
    Fixture f;
    std::string out = f.tmp / "order.txt";
    auto script = [&](const std::string& name) {
        return "#!/bin/sh\necho " + name + " >> '" + out + "'\n";
    };
    f.hook("post.d/20-b", script("20-b"));
    f.hook("post.d/10_a", script("10_a"));
    f.hook("post.d/README", script("README"), 0644); // matches the name rule, not executable
    f.hook("post.d/30-c.dpkg-old", script("dpkg-old"));
    f.hook("post.d/40-d.sh", script("dotted"));
    f.hook("post.d/05-noexec", script("noexec"), 0644);
    f.hook("post.d/99-z", script("99-z"));
    f.runner.checkFiles();
    HookOutcome outcome = f.runner.run("post", sampleEvent());
    BOOST_TEST(outcome.ok());
    BOOST_TEST(outcome.ran == 3);
    BOOST_TEST(test::readFile(out) == "10_a\n20-b\n99-z\n");
}

BOOST_AUTO_TEST_CASE(failure_is_counted_and_later_hooks_still_run) {
    Fixture f;
    std::string out = f.tmp / "ran.txt";
    f.hook("deploy.d/10-fail", "#!/bin/sh\necho 'bad \033[31mthing'\nexit 3\n");
    f.hook("deploy.d/20-ok", "#!/bin/sh\necho ran > '" + out + "'\n");
    std::string extra = f.hook("extra-hook", "#!/bin/sh\nexit 1\n");
    HookOutcome outcome = f.runner.runDeploy(sampleEvent(), extra);
    BOOST_TEST(outcome.ran == 3);
    BOOST_TEST(outcome.failures == 2);
    BOOST_TEST(outcome.firstError == "deploy.d/10-fail: exit 3");
    BOOST_TEST(test::exists(out));
    // Output is escaped: no raw ESC reaches the log.
    std::vector<std::string> lines = f.output("deploy.d/10-fail");
    BOOST_REQUIRE_EQUAL(lines.size(), 1u);
    BOOST_TEST(lines[0] == "bad \\x1B[31mthing"); // the one escaping function: upper-case hex
    BOOST_TEST(kExitHookFailed == 4);
}

// Issue 11: the log gets no blank lines and at most 200 lines / 64 KiB (prefix included) of a
// hook's output, then one line saying what was left out.
BOOST_AUTO_TEST_CASE(output_reaching_the_log_is_capped_in_lines_and_bytes) {
    Fixture f;
    f.hook("post.d/10-blank", "#!/bin/sh\nhead -c 500000 /dev/zero | tr '\\0' '\\n'\necho one\n");
    f.hook("post.d/20-many", "#!/bin/sh\nseq 1 1000\n");
    f.hook("post.d/30-wide", "#!/bin/sh\nfor i in $(seq 1 100); do head -c 1500 /dev/zero | "
                             "tr '\\0' x; echo; done\n");
    BOOST_TEST(f.runner.run("post", sampleEvent()).ok());

    BOOST_TEST(f.output("post.d/10-blank") == std::vector<std::string>{"one"});
    auto many = f.output("post.d/20-many");
    BOOST_REQUIRE_EQUAL(many.size(), 201u);
    BOOST_TEST(many[199] == "200");
    BOOST_TEST(many[200] == "800 more lines of output not logged (at most 200 lines, 64 KiB)");
    std::size_t bytes = 0;
    for (const auto& line : f.log)
        if (line.rfind("hook post.d/30-wide: x", 0) == 0)
            bytes += line.size();
    BOOST_TEST(bytes <= 64u * 1024);
    BOOST_TEST(bytes > 60u * 1024);
    BOOST_TEST(f.output("post.d/30-wide").back() ==
               "57 more lines of output not logged (at most 200 lines, 64 KiB)");
}

BOOST_AUTO_TEST_CASE(background_child_holding_output_does_not_hang) {
    Fixture f;
    std::string pidFile = f.tmp / "child.pid";
    f.hook("deploy.d/10-bg", "#!/bin/sh\nsleep 600 &\necho $! > '" + pidFile + "'\necho done\n");
    HookOutcome outcome = f.runner.runDeploy(sampleEvent());
    BOOST_TEST(outcome.ok());
    pid_t child = std::stoi(test::readFile(pidFile));
    BOOST_TEST(processGone(child));
}

BOOST_AUTO_TEST_CASE(timeout_kills_the_process_group) {
    Fixture f(std::chrono::seconds(1));
    std::string pidFile = f.tmp / "child.pid";
    f.hook("deploy.d/10-hang", "#!/bin/sh\nsleep 600 &\necho $! > '" + pidFile + "'\nsleep 600\n");
    HookOutcome outcome = f.runner.runDeploy(sampleEvent());
    BOOST_TEST(outcome.failures == 1);
    BOOST_TEST(outcome.firstError == "deploy.d/10-hang: timed out after 1s");
    BOOST_TEST(processGone(std::stoi(test::readFile(pidFile))));
}

BOOST_AUTO_TEST_CASE(dns_hooks_get_the_record) {
    Fixture f;
    f.link("dns.d/10-env", "/usr/bin/env");
    BOOST_TEST(f.runner.runDns("add", "_dnsauth.shop.example", "20261129abc", "shop").ok());
    std::vector<std::string> lines = f.output("dns.d/10-env");
    std::set<std::string> got(lines.begin(), lines.end());
    std::set<std::string> expected = {
        std::string("PATH=") + kFixedPath,
        "CERTAGENT_EVENT=dns",
        "CERTAGENT_NAME=shop",
        "CERTAGENT_DNS_ACTION=add",
        "CERTAGENT_DNS_NAME=_dnsauth.shop.example",
        "CERTAGENT_DNS_TYPE=CNAME",
        "CERTAGENT_DNS_TARGET=20261129abc",
    };
    BOOST_TEST(got == expected, boost::test_tools::per_element());
    BOOST_CHECK_THROW(f.runner.runDns("delete", "a", "b"), ConfigError);
    BOOST_CHECK_THROW(f.runner.runDns("add", "a", "b", "shop", "A"), ConfigError);
}

BOOST_AUTO_TEST_CASE(dns_hooks_get_the_record_type) {
    Fixture f;
    f.link("dns.d/10-cat", "/bin/cat");
    const std::string value = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";
    BOOST_TEST(
        f.runner.runDns("remove", "_acme-challenge.shop.example", value, "shop", "TXT").ok());
    std::vector<std::string> lines = f.output("dns.d/10-cat");
    BOOST_REQUIRE_EQUAL(lines.size(), 1u);
    auto json = Poco::JSON::Parser().parse(lines[0]).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(json->getValue<std::string>("dns_action") == "remove");
    BOOST_TEST(json->getValue<std::string>("dns_type") == "TXT");
    BOOST_TEST(json->getValue<std::string>("dns_target") == value);
}

BOOST_AUTO_TEST_CASE(missing_hooks_dir_is_fine) {
    TempDir tmp;
    SystemCommandRunner system;
    HookRunner runner(HookSettings{tmp / "none", std::chrono::seconds(5)}, system, nullptr);
    runner.checkFiles();
    BOOST_TEST(runner.runDeploy(sampleEvent()).ran == 0);
}

BOOST_AUTO_TEST_SUITE_END()
