// The real certagent binary against the sandbox: what hooks see and what their failures do to
// the exit code (README "Exit codes" and "Hooks"; the decision is documented in README "Hooks").
#include "SandboxProcess.h"
#include "TestEnv.h"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

using namespace certagent::test;

namespace {

bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

/// A configuration for certificate "shop" (new order, http DCV, installer none) against an
/// auto-validating sandbox, with hook dirs the test fills.
struct Agent {
    SandboxProcess sandbox{[] {
        SandboxOptions o;
        o.autoValidate = true;
        return o;
    }()};
    TempDir dir;

    Agent() {
        writeFile(dir / "credentials.conf",
                  "user = " + sandbox.user() + "\npass = " + sandbox.pass() + "\n", 0600);
        ::chmod((dir / "credentials.conf").c_str(), 0600);
        writeFile(dir / "certagent.conf",
                  "[api]\nurl = " + sandbox.url() + "\nca_file = " + sandbox.apiCaPath() +
                      "\n[store]\ndir = " + dir / "store" +
                      "\n[trust]\nca_file = " + sandbox.issuingRootPath() +
                      "\n[hooks]\ntimeout = 20s\n[contact]\nadmin_firstname = Ilze\n"
                      "admin_lastname = Kalnina\nadmin_email = ops@example.com\n"
                      "admin_phone = 37120000000\nadmin_title = Ms\n");
        ::mkdir((dir / "www").c_str(), 0755);
    }
    void cert(const std::string& deployHook) {
        writeFile(dir / "certs.d/shop.conf",
                  "domains = shop.example.test, www.shop.example.test\nproduct_id = 65\n"
                  "dcv = http\nwebroot = " +
                      dir / "www" + "\ninstaller = none\ndeploy_hook = " + deployHook + "\n");
    }
    std::string hook(const std::string& relative, const std::string& body, unsigned mode = 0755) {
        std::string path = dir / relative;
        writeFile(path, "#!/bin/sh\n" + body + "\n", mode);
        ::chmod(path.c_str(), mode);
        return path;
    }
    CommandOutput run(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {envPath("CERTAGENT_BIN"), "--config",
                                         dir / "certagent.conf"};
        argv.insert(argv.end(), args.begin(), args.end());
        CommandOutput out = runCommand(argv, {}, 180);
        BOOST_TEST_MESSAGE("certagent " << args[0] << " -> " << out.exitCode << "\n" << out.output);
        return out;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(HookExitTest)

BOOST_AUTO_TEST_CASE(failing_deploy_hook_keeps_certificate_and_exits_4) {
    Agent a;
    std::string out = a.dir / "out";
    a.hook("hooks/deploy.d/10-record", "env > '" + out + ".env'\ncat > '" + out + ".json'");
    a.hook("hooks/post.d/10-record", "echo post > '" + out + ".post'");
    a.hook("hooks/failure.d/10-record", "echo \"$CERTAGENT_ERROR\" > '" + out + ".failure'");
    a.cert(a.hook("bin/deploy-extra", "echo 'cannot reach haproxy' >&2\nexit 3"));

    CommandOutput run = a.run({"run", "--wait", "2m"});
    BOOST_TEST(run.exitCode == 4);
    BOOST_TEST(contains(run.output, "bin/deploy-extra: exit 3"));
    BOOST_TEST(contains(run.output, "cannot reach haproxy"));
    // Installed and live: nothing rolled back.
    BOOST_TEST(exists(a.dir / "store/live/shop/fullchain.pem"));
    BOOST_TEST(exists(out + ".post"));
    // The failure hooks hear about it, with the error.
    BOOST_TEST(contains(readFile(out + ".failure"), "deploy-extra: exit 3"));
    std::string env = readFile(out + ".env");
    BOOST_TEST(contains(env, "CERTAGENT_EVENT=deploy\n"));
    BOOST_TEST(contains(env, "CERTAGENT_DOMAINS=shop.example.test www.shop.example.test\n"));
    BOOST_TEST(contains(env, "RENEWED_LINEAGE=" + a.dir / "store/live/shop\n"));
    BOOST_TEST(contains(env, "CERTAGENT_FULLCHAIN=" + a.dir / "store/live/shop/fullchain.pem\n"));
    BOOST_TEST(!contains(env, "CERTAGENT_SERIAL=\n"));
    BOOST_TEST(!contains(env, "CERTAGENT_ORDER_ID=\n"));
    BOOST_TEST(contains(readFile(out + ".json"), "\"event\":\"deploy\""));
    // The failure is recorded and visible.
    CommandOutput status = a.run({"status"});
    BOOST_TEST(status.exitCode == 0);
    BOOST_TEST(contains(status.output, "deploy-extra: exit 3"));
    // `hooks test` runs the same hooks against the live version, with the same verdict.
    ::unlink((out + ".env").c_str());
    CommandOutput test = a.run({"hooks", "test", "shop"});
    BOOST_TEST(test.exitCode == 4);
    BOOST_TEST(exists(out + ".env"));
}

BOOST_AUTO_TEST_CASE(sigterm_during_deploy_waits_for_a_consistent_end) {
    Agent a;
    std::string marker = a.dir / "pre-started";
    // pre.d runs after the version is written, just before the live switch: mid-deploy.
    a.hook("hooks/pre.d/10-slow", "touch '" + marker + "'\nsleep 2");
    a.cert("");
    std::vector<std::string> args = {
        envPath("CERTAGENT_BIN"), "--config", a.dir / "certagent.conf", "run", "--wait", "2m"};
    std::vector<char*> argv;
    for (auto& arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::string log = a.dir / "run.log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = -1;
    BOOST_REQUIRE(::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!exists(marker) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    BOOST_REQUIRE(exists(marker));
    ::kill(pid, SIGTERM); // while the pre hook sleeps, before the live switch
    int status = 0;
    ::waitpid(pid, &status, 0);
    BOOST_TEST_MESSAGE(readFile(log));
    // The stop took effect only after the deploy finished and its state was saved.
    BOOST_TEST(WIFSIGNALED(status));
    BOOST_TEST(contains(readFile(log), "shop: installed serial"));
    BOOST_TEST(exists(a.dir / "store/live/shop/fullchain.pem"));
    BOOST_TEST(contains(readFile(a.dir / "store/state/shop.json"), "\"installed\""));
    // And the next run has nothing to do.
    CommandOutput again = a.run({"run"});
    BOOST_TEST(again.exitCode == 0);
    BOOST_TEST(!contains(again.output, "installed serial"));
}

BOOST_AUTO_TEST_CASE(unsafe_hook_refuses_start_before_anything_runs) {
    Agent a;
    std::string marker = a.dir / "ran";
    a.hook("hooks/pre.d/10-ok", "touch '" + marker + "'");
    a.hook("hooks/deploy.d/20-open", "exit 0", 0775);
    a.cert("");
    a.sandbox.clearCalls();
    CommandOutput run = a.run({"run", "--wait", "1m"});
    BOOST_TEST(run.exitCode == 2);
    BOOST_TEST(contains(run.output, "20-open is group- or world-writable"));
    BOOST_TEST(!exists(marker));
    BOOST_TEST(!exists(a.dir / "store/live/shop"));
    for (const auto& call : a.sandbox.calls())
        BOOST_TEST(call != "addSSLOrder");

    // A relative deploy_hook is refused by the config loader, also with exit 2.
    ::chmod((a.dir / "hooks/deploy.d/20-open").c_str(), 0755);
    a.cert("bin/relative");
    BOOST_TEST(a.run({"run"}).exitCode == 2);
}

BOOST_AUTO_TEST_SUITE_END()
