// [log] target = file: the file gets every line; stderr (what cron mails) still gets every
// error line, once — each failing certificate's, and the final one.

#include "AgentEnv.h"

#include <boost/test/unit_test.hpp>

#include <sstream>

using namespace certagent::test;

namespace {

/// Output of the real binary with stdout and stderr apart.
struct SplitOutput {
    int exitCode = -1;
    std::string out;
    std::string err;
};

/// Runs certagent --config <env's config> `args`, stderr into a file (through sh: no secrets in
/// argv, the config file holds them).
SplitOutput agentSplit(const AgentEnv& env, const std::vector<std::string>& args) {
    std::string errFile = env.dir() / "stderr.txt";
    std::vector<std::string> argv = {"/bin/sh",
                                     "-c",
                                     "f=$1; shift; exec \"$@\" 2>\"$f\"",
                                     "sh",
                                     errFile,
                                     envPath("CERTAGENT_BIN"),
                                     "--config",
                                     env.etc() + "/certagent.conf"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = runCommand(argv, {}, 300);
    return {r.exitCode, r.output, exists(errFile) ? readFile(errFile) : ""};
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

/// The "Error: " lines of the log file, without their time/pid/priority prefix.
std::vector<std::string> errorLines(const std::string& log) {
    std::vector<std::string> out;
    std::istringstream in(log);
    const std::string mark = " Error: ";
    for (std::string line; std::getline(in, line);)
        if (auto at = line.find(mark); at != std::string::npos)
            out.push_back(line.substr(at + mark.size()));
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(AgentLogTarget)

BOOST_AUTO_TEST_CASE(each_failing_certificate_reaches_stderr_when_logging_to_a_file) {
    SandboxOptions o = AgentEnv::autoValidated();
    o.issueDelaySeconds = 3600; // orders stay processing until advanced by hand
    AgentEnv env(o);
    std::string logFile = env.dir() / "certagent.log";
    env.configure(env.defaultCert(), "[log]\ntarget = file " + logFile + "\n");
    writeFile(env.etc() + "/certs.d/blog.conf",
              "domains = blog.example.test\nproduct_id = 65\ndcv = http\nwebroot = " +
                  env.webroot() + "\ninstaller = none\n",
              0644);
    auto first = agentSplit(env, {"run"});
    BOOST_TEST_REQUIRE(first.exitCode == 0, first.err + readFile(logFile));
    BOOST_TEST(first.err.empty(), first.err);
    std::string blog = env.state("blog")["orderId"];
    std::string shop = env.state("shop")["orderId"];
    BOOST_TEST_REQUIRE(!blog.empty());
    BOOST_TEST_REQUIRE(!shop.empty());

    // blog's certificate is issued for another key (refused); shop's is fine.
    env.sandbox().setFault("other_key", blog, -1);
    env.sandbox().advance(blog, "active");
    env.sandbox().advance(shop, "active");
    auto second = agentSplit(env, {"run"});
    std::string log = readFile(logFile);
    BOOST_TEST(second.exitCode == 4, second.err + log);
    BOOST_TEST(env.state("shop")["phase"] == "installed");
    BOOST_TEST(log.find("shop: installed serial") != std::string::npos, log);
    BOOST_TEST(second.err.find("shop:") == std::string::npos, second.err);

    auto errors = errorLines(log);
    BOOST_TEST_REQUIRE(!errors.empty(), log);
    bool blogSeen = false;
    for (const auto& line : errors) {
        blogSeen = blogSeen || line.rfind("blog: ", 0) == 0;
        BOOST_TEST(count(second.err, line + "\n") == 1u, line << "\nstderr:\n" << second.err);
    }
    BOOST_TEST(blogSeen, log);
    BOOST_TEST(count(second.err, "\n") == errors.size(), second.err);
    BOOST_TEST(second.err.find(env.sandbox().pass()) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(final_error_reaches_stderr_once_for_file_and_console) {
    AgentEnv env;
    std::string logFile = env.dir() / "certagent.log";
    env.configure(env.defaultCert(), "[log]\ntarget = file " + logFile + "\n");
    auto toFile = agentSplit(env, {"run", "--cert", "nosuch"});
    BOOST_TEST(toFile.exitCode == 2, toFile.err);
    BOOST_TEST(count(toFile.err, "certagent: ") == 1u, toFile.err);
    BOOST_TEST(count(toFile.err, "unknown certificate") == 1u, toFile.err);
    BOOST_TEST(count(readFile(logFile), "unknown certificate") == 1u);

    env.configure(env.defaultCert());
    auto toConsole = agentSplit(env, {"run", "--cert", "nosuch"});
    BOOST_TEST(toConsole.exitCode == 2, toConsole.err);
    BOOST_TEST(count(toConsole.err, "certagent: ") == 1u, toConsole.err);
    BOOST_TEST(count(toConsole.err, "unknown certificate") == 1u, toConsole.err);
}

BOOST_AUTO_TEST_SUITE_END()
