#include "util/Subprocess.h"

#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <chrono>

using namespace certagent;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(Subprocess)

BOOST_AUTO_TEST_CASE(captures_output_and_exit_code) {
    SystemCommandRunner runner;
    SubprocessOptions o;
    auto r = runner.run({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, o);
    BOOST_TEST(r.exitCode == 3);
    BOOST_TEST(r.output.find("out") != std::string::npos);
    BOOST_TEST(r.output.find("err") != std::string::npos);
    BOOST_TEST(r.describe() == "exit 3");
}

BOOST_AUTO_TEST_CASE(environment_is_only_what_is_given) {
    SystemCommandRunner runner;
    SubprocessOptions o;
    o.env["CERTAGENT_NAME"] = "shop";
    auto r = runner.run({"/usr/bin/env"}, o);
    BOOST_TEST(r.ok());
    BOOST_TEST(r.output == std::string("CERTAGENT_NAME=shop\nPATH=") + kFixedPath + "\n");
}

BOOST_AUTO_TEST_CASE(stdin_is_delivered) {
    SystemCommandRunner runner;
    SubprocessOptions o;
    o.stdinData = std::string(200000, 'x') + "\n";
    auto r = runner.run({"wc", "-c"}, o);
    BOOST_TEST(r.ok());
    BOOST_TEST(r.output.find("200001") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(timeout_kills_the_group) {
    SystemCommandRunner runner;
    SubprocessOptions o;
    o.timeout = 300ms;
    auto start = std::chrono::steady_clock::now();
    auto r = runner.run({"/bin/sh", "-c", "sleep 30 & sleep 30"}, o);
    BOOST_TEST(r.timedOut);
    BOOST_TEST(!r.ok());
    BOOST_TEST((std::chrono::steady_clock::now() - start < 10s));
}

BOOST_AUTO_TEST_CASE(lingering_child_holding_stdout_does_not_hang) {
    SystemCommandRunner runner;
    SubprocessOptions o;
    o.timeout = 20s;
    auto start = std::chrono::steady_clock::now();
    auto r = runner.run({"/bin/sh", "-c", "echo done; sleep 30 &"}, o);
    BOOST_TEST(r.ok());
    BOOST_TEST(r.output.find("done") != std::string::npos);
    BOOST_TEST((std::chrono::steady_clock::now() - start < 10s));
}

BOOST_AUTO_TEST_CASE(missing_program_is_reported) {
    SystemCommandRunner runner;
    SubprocessOptions o;
    BOOST_CHECK_EXCEPTION(runner.run({"/nonexistent/program"}, o), Error, [](const Error& e) {
        return std::string(e.what()) ==
               "cannot start /nonexistent/program: No such file or directory";
    });
}

BOOST_AUTO_TEST_SUITE_END()
