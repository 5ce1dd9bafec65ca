// Faults around a real apache2: a config broken after apply, a mismatched or garbage pair, the
// server dying after the reload (recovered, or not), and a stopped server.
#include "ApacheFixture.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <climits>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace certagent;
using namespace certagent::test;

namespace {

const std::vector<std::string> kNames{"a.test", "www.a.test"};

bool has(const std::vector<std::string>& argv, const std::string& word) {
    return std::find(argv.begin(), argv.end(), word) != argv.end();
}

bool isPlainTest(const std::vector<std::string>& argv) {
    return argv.size() == 4 && argv[3] == "-t";
}

std::string liveTarget(const ApacheFixture& f) {
    char buf[PATH_MAX];
    ssize_t n = ::readlink((f.storeDir + "/live/site").c_str(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

/// Apache serving an old pair, then version 1 deployed through certagent.
struct Deployed {
    ApacheFixture f;
    CertVersion old, v1;
    std::string site;
    Deployed() {
        old = f.issue(kNames);
        f.writeOldPair(f.dir / "old", old);
        site = f.apache.sitesDir() + "/a.conf";
        f.apache.addSiteFile("a", sslVhost(f.apache.httpsPort(), "a.test", "www.a.test",
                                           f.dir / "old/cert.pem", f.dir / "old/key.pem"));
        f.apache.start();
        v1 = f.issue(kNames);
        f.writeVersion(1, v1);
        f.switchTo(1);
        core::DeployOutcome first = f.deploy(kNames, v1, old.sha256, 0);
        if (first.exitCode != 0)
            throw std::runtime_error("first deploy failed: " + first.error);
    }
};

/// A listening socket on 127.0.0.1:port (so apache2 cannot bind it), closed on destruction.
struct PortBlocker {
    int fd = -1;
    explicit PortBlocker(int port) {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 4) != 0)
            throw std::runtime_error("cannot block port " + std::to_string(port));
    }
    ~PortBlocker() { ::close(fd); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(ApacheFaults)

BOOST_AUTO_TEST_CASE(config_broken_after_apply_rolls_back_to_the_old_certificate) {
    ApacheFixture f;
    CertVersion old = f.issue(kNames);
    f.writeOldPair(f.dir / "old", old);
    std::string site = f.apache.sitesDir() + "/a.conf";
    f.apache.addSiteFile("a", sslVhost(f.apache.httpsPort(), "a.test", "www.a.test",
                                       f.dir / "old/cert.pem", f.dir / "old/key.pem"));
    std::string original = readFile(site);
    f.apache.start();
    int pid = f.apache.pid();
    CertVersion v1 = f.issue(kNames);
    f.writeVersion(1, v1);
    f.switchTo(1);
    bool broken = false;
    f.runner.before = [&](const std::vector<std::string>& argv) {
        if (isPlainTest(argv) && !broken) { // right after apply: someone's typo lands too
            std::ofstream(site, std::ios::app) << "SSLBrokenDirective on\n";
            broken = true;
        }
    };
    core::DeployOutcome outcome = f.deploy(kNames, v1, old.sha256, 0);
    BOOST_TEST_MESSAGE("deploy: " << outcome.error);
    BOOST_TEST(outcome.exitCode == kExitRolledBack);
    BOOST_TEST(outcome.error.find("SSLBrokenDirective") != std::string::npos, outcome.error);
    BOOST_TEST(readFile(site) == original);
    BOOST_TEST(f.served("a.test") == old.sha256);
    BOOST_TEST(f.apache.pid() == pid);
    BOOST_TEST(f.apache.isRunning());
}

BOOST_AUTO_TEST_CASE(a_mismatched_or_garbage_pair_never_reaches_a_reload) {
    Deployed d;
    ApacheFixture& f = d.f;
    int pid = f.apache.pid();
    CertVersion mismatched = f.issue(kNames);
    mismatched.keyPem = keyToPem(*makeKey(KeyKind::EcP256));
    CertVersion garbage = f.issue(kNames);
    garbage.certPem = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n"
                      "-----END CERTIFICATE-----\n";
    int n = 2;
    for (const CertVersion& bad : {mismatched, garbage}) {
        f.writeVersion(n, bad);
        f.switchTo(n);
        std::vector<std::string> reloadedWith;
        f.runner.before = [&](const std::vector<std::string>& argv) {
            if (has(argv, "graceful"))
                reloadedWith.push_back(liveTarget(f));
        };
        core::DeployOutcome outcome = f.deploy(kNames, bad, d.v1.sha256, 1);
        BOOST_TEST_MESSAGE("deploy: " << outcome.error);
        f.runner.before = nullptr;
        BOOST_TEST(outcome.exitCode == kExitRolledBack);
        BOOST_TEST(outcome.error.find("refusing to reload") != std::string::npos, outcome.error);
        // The only reload was the recovery's, with version 1 live again.
        BOOST_TEST(reloadedWith == std::vector<std::string>{"../archive/site/0001"},
                   boost::test_tools::per_element());
        BOOST_TEST(f.apache.isRunning());
        BOOST_TEST(f.apache.pid() == pid);
        BOOST_TEST(f.served("a.test") == d.v1.sha256);
        ++n;
    }
}

BOOST_AUTO_TEST_CASE(apache_dead_after_the_reload_is_started_again_the_same_way) {
    Deployed d;
    ApacheFixture& f = d.f;
    int oldPid = f.apache.pid();
    CertVersion v2 = f.issue(kNames);
    f.writeVersion(2, v2);
    f.switchTo(2);
    bool killed = false;
    f.runner.after = [&](const std::vector<std::string>& argv, SubprocessResult&) {
        if (has(argv, "graceful") && !killed) {
            f.apache.stop(); // the reload took the server down
            killed = true;
        }
    };
    core::DeployOutcome outcome = f.deploy(kNames, v2, d.v1.sha256, 1);
    BOOST_TEST_MESSAGE("deploy: " << outcome.error);
    BOOST_TEST(outcome.exitCode == kExitRolledBack, outcome.error);
    BOOST_TEST(outcome.error.find("no longer running") != std::string::npos, outcome.error);
    BOOST_TEST(f.runner.count("start") == 1);
    BOOST_TEST(f.apache.isRunning());
    BOOST_TEST(f.apache.pid() != oldPid);
    BOOST_TEST(f.served("a.test") == d.v1.sha256);
    BOOST_TEST(liveTarget(f) == "../archive/site/0001");
    // The start used the same -f configuration.
    for (const auto& argv : f.runner.calls)
        if (has(argv, "start"))
            BOOST_TEST(argv[2] == f.apache.configPath());
}

BOOST_AUTO_TEST_CASE(apache_that_cannot_come_back_exits_6) {
    Deployed d;
    ApacheFixture& f = d.f;
    CertVersion v2 = f.issue(kNames);
    f.writeVersion(2, v2);
    f.switchTo(2);
    std::unique_ptr<PortBlocker> blocker;
    f.runner.after = [&](const std::vector<std::string>& argv, SubprocessResult&) {
        if (has(argv, "graceful") && !blocker) {
            f.apache.stop();
            blocker = std::make_unique<PortBlocker>(f.apache.httpsPort());
        }
    };
    core::DeployOutcome outcome = f.deploy(kNames, v2, d.v1.sha256, 1);
    BOOST_TEST_MESSAGE("deploy: " << outcome.error);
    BOOST_TEST(outcome.exitCode == kExitRollbackFailed, outcome.error);
    BOOST_TEST(outcome.error.find("rollback failed") != std::string::npos, outcome.error);
    BOOST_TEST(f.runner.count("start") == 1);
    BOOST_TEST(liveTarget(f) == "../archive/site/0001"); // files are back all the same
}

BOOST_AUTO_TEST_CASE(a_stopped_server_is_never_started) {
    ApacheFixture f;
    CertVersion old = f.issue(kNames);
    f.writeOldPair(f.dir / "old", old);
    std::string site = f.apache.sitesDir() + "/a.conf";
    f.apache.addSiteFile("a", sslVhost(f.apache.httpsPort(), "a.test", "www.a.test",
                                       f.dir / "old/cert.pem", f.dir / "old/key.pem"));
    std::string original = readFile(site);
    f.apache.start();
    f.apache.stop();
    CertVersion v1 = f.issue(kNames);
    f.writeVersion(1, v1);
    f.switchTo(1);
    core::DeployOutcome outcome = f.deploy(kNames, v1, old.sha256, 0);
    BOOST_TEST_MESSAGE("deploy: " << outcome.error);
    // Refused in prepare(): the server was never touched, so there is no rollback to fail (not 6).
    BOOST_TEST(outcome.exitCode == certagent::kExitRolledBack);
    BOOST_TEST(outcome.error.find("apache2 is not running") != std::string::npos, outcome.error);
    BOOST_TEST(outcome.error.find("rollback failed") == std::string::npos, outcome.error);
    BOOST_TEST(outcome.error.find("nothing changed") != std::string::npos, outcome.error);
    BOOST_TEST(readFile(site) == original);
    BOOST_TEST(!exists(f.storeDir + "/backup"));
    BOOST_TEST(!f.apache.isRunning());
    BOOST_TEST(f.runner.count("start") == 0);
    BOOST_TEST(f.runner.count("graceful") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
