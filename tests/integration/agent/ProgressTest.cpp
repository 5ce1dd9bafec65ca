#include "AgentEnv.h"

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <regex>
#include <stdexcept>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace certagent::test;

namespace {

/// Runs argv with stdin/stdout/stderr on a fresh pseudo-terminal (its controlling terminal)
/// and returns everything written to it. Kills the child after `timeoutSeconds`.
CommandOutput runOnTerminal(const std::vector<std::string>& argv, int timeoutSeconds) {
    int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0)
        throw std::runtime_error("posix_openpt failed");
    std::string slave = ::ptsname(master);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::setsid();
        int fd = ::open(slave.c_str(), O_RDWR); // first terminal after setsid: controlling
        if (fd < 0)
            ::_exit(126);
        ::dup2(fd, 0);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        ::close(master);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    CommandOutput out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
    char buf[4096];
    for (;;) {
        pollfd p{master, POLLIN, 0};
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            break;
        }
        if (::poll(&p, 1, 500) <= 0)
            continue;
        ssize_t n = ::read(master, buf, sizeof buf);
        if (n > 0)
            out.output.append(buf, static_cast<std::size_t>(n));
        else if (n == 0 || errno != EINTR)
            break; // EIO: the child side is closed
    }
    ::close(master);
    int status = 0;
    ::waitpid(pid, &status, 0);
    out.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return out;
}

/// Ready 9s after ordering: polls at 0s and 5s see processing, the one at 15s sees it issued
/// (two waits to report).
AgentEnv delayedIssue() {
    SandboxOptions o = AgentEnv::autoValidated();
    o.issueDelaySeconds = 9;
    return AgentEnv(o);
}

std::string printable(const std::string& s) {
    std::string out;
    for (char c : s)
        out += c == '\r'     ? std::string("<CR>")
               : c == '\x1b' ? std::string("<ESC>")
                             : std::string(1, c);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(AgentProgress)

BOOST_AUTO_TEST_CASE(wait_on_a_terminal_rewrites_one_status_line) {
    AgentEnv env = delayedIssue();
    env.configure(env.defaultCert());
    auto r = runOnTerminal({envPath("CERTAGENT_BIN"), "--config", env.etc() + "/certagent.conf",
                            "run", "--wait", "2m"},
                           240);
    BOOST_TEST_REQUIRE(r.exitCode == 0, printable(r.output));
    BOOST_TEST(env.state()["phase"] == "installed");
    std::string id = env.state()["orderId"];
    BOOST_TEST_REQUIRE(!id.empty());
    // Each wait rewrites the same line: carriage return, text, erase to end of line.
    const std::string& out = r.output;
    std::string line = "\rshop: order " + id + " processing, ";
    auto first = out.find(line);
    BOOST_TEST_REQUIRE(first != std::string::npos, printable(out));
    auto firstEnd = out.find(" elapsed, next poll in 5s\x1b[K", first);
    BOOST_TEST_REQUIRE(firstEnd != std::string::npos, printable(out));
    std::string elapsed = out.substr(first + line.size(), firstEnd - first - line.size());
    BOOST_TEST(std::regex_match(elapsed, std::regex("[0-9]+:[0-5][0-9]")), elapsed);
    auto second = out.find(line, firstEnd);
    BOOST_TEST_REQUIRE(second != std::string::npos, printable(out));
    BOOST_TEST(out.find(" elapsed, next poll in 10s\x1b[K", second) != std::string::npos,
               printable(out));
    // Progress is never printed as a plain line of its own.
    BOOST_TEST(r.output.find("\nshop: order " + id + " processing") == std::string::npos,
               printable(r.output));
}

BOOST_AUTO_TEST_CASE(wait_without_a_terminal_logs_plain_lines) {
    AgentEnv env = delayedIssue();
    env.configure(env.defaultCert());
    auto r = env.agent({"run", "--wait", "2m"}, 240);
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.output);
    std::string id = env.state()["orderId"];
    BOOST_TEST(r.output.find('\r') == std::string::npos, printable(r.output));
    BOOST_TEST(r.output.find('\x1b') == std::string::npos, printable(r.output));
    BOOST_TEST(r.output.find("shop: order " + id + " processing, ") != std::string::npos, r.output);
    BOOST_TEST(r.output.find(" elapsed, next poll in 5s\n") != std::string::npos, r.output);
    BOOST_TEST(r.output.find(" elapsed, next poll in 10s\n") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_SUITE_END()
