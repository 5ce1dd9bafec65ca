#include "TestEnv.h"
#include "core/HookRunner.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

using namespace certagent;
using namespace certagent::core;
using certagent::test::TempDir;
using certagent::test::writeFile;

namespace {

const char* const kScript = "#!/bin/sh\nexit 0\n";

struct Fixture {
    TempDir tmp;
    SystemCommandRunner system;
    HookRunner runner{HookSettings{tmp / "hooks", std::chrono::seconds(10)}, system, nullptr};

    std::string file(const std::string& relative, unsigned mode = 0755) {
        std::string path = tmp / relative;
        writeFile(path, kScript, mode);
        ::chmod(path.c_str(), mode);
        return path;
    }
};

/// checkFiles() must throw ConfigError whose message contains `needle`.
void expectRefused(const HookRunner& runner, const std::vector<std::string>& extra,
                   const std::string& needle) {
    try {
        runner.checkFiles(extra);
        BOOST_FAIL("checkFiles accepted an unsafe hook (" + needle + ")");
    } catch (const ConfigError& e) {
        BOOST_TEST_INFO("message: " << e.what());
        BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos);
        BOOST_TEST(e.exitCode() == 2);
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(HookSafetyTest)

BOOST_AUTO_TEST_CASE(safe_hooks_pass) {
    Fixture f;
    f.file("hooks/deploy.d/10-ok");
    std::string extra = f.file("bin/extra");
    f.runner.checkFiles({extra});
}

BOOST_AUTO_TEST_CASE(group_writable_hook_is_refused) {
    Fixture f;
    std::string path = f.file("hooks/deploy.d/10-gw", 0775);
    expectRefused(f.runner, {}, path + " is group- or world-writable");
}

BOOST_AUTO_TEST_CASE(world_writable_hook_dir_is_refused) {
    Fixture f;
    f.file("hooks/post.d/10-ok");
    ::chmod((f.tmp / "hooks/post.d").c_str(), 0777);
    expectRefused(f.runner, {}, "post.d is group- or world-writable");
}

BOOST_AUTO_TEST_CASE(sticky_world_writable_phase_dir_is_refused) {
    // Sticky (like /tmp) stops others removing our hooks, not adding theirs: refused for the
    // directory whose entries run (dns.d here), still fine for a directory above it.
    Fixture f;
    f.file("hooks/dns.d/10-ok");
    ::chmod((f.tmp / "hooks/dns.d").c_str(), 01777);
    expectRefused(f.runner, {}, "dns.d is group- or world-writable (sticky is enough only");
    if (::geteuid() != 0)
        return; // the ancestor case needs a root-owned sticky directory
    Fixture g;
    std::string extra = g.file("shared/inner/extra");
    ::chmod((g.tmp / "shared").c_str(), 01777);
    g.runner.checkFiles({extra});
}

BOOST_AUTO_TEST_CASE(world_writable_ancestor_of_extra_hook_is_refused) {
    Fixture f;
    std::string path = f.file("open/inner/extra");
    ::chmod((f.tmp / "open").c_str(), 0777);
    expectRefused(f.runner, {path}, "open is group- or world-writable");
}

BOOST_AUTO_TEST_CASE(relative_path_is_refused) {
    Fixture f;
    expectRefused(f.runner, {"hooks/extra"}, "hook hooks/extra is not an absolute path");
}

BOOST_AUTO_TEST_CASE(missing_extra_hook_is_refused) {
    Fixture f;
    expectRefused(f.runner, {f.tmp / "nope"}, "No such file");
}

BOOST_AUTO_TEST_CASE(symlink_to_unsafe_file_is_refused) {
    Fixture f;
    std::string target = f.file("elsewhere/script", 0757);
    ::mkdir((f.tmp / "hooks").c_str(), 0755);
    ::mkdir((f.tmp / "hooks/deploy.d").c_str(), 0755);
    std::string link = f.tmp / "hooks/deploy.d/10-link";
    BOOST_REQUIRE_EQUAL(::symlink(target.c_str(), link.c_str()), 0);
    expectRefused(f.runner, {}, link + " -> " + target + " is group- or world-writable");
}

BOOST_AUTO_TEST_CASE(symlink_to_safe_system_file_is_accepted) {
    Fixture f;
    ::mkdir((f.tmp / "hooks").c_str(), 0755);
    ::mkdir((f.tmp / "hooks/deploy.d").c_str(), 0755);
    BOOST_REQUIRE_EQUAL(::symlink("/bin/true", (f.tmp / "hooks/deploy.d/10-true").c_str()), 0);
    f.runner.checkFiles();
}

BOOST_AUTO_TEST_CASE(directory_as_extra_hook_is_refused) {
    Fixture f;
    ::mkdir((f.tmp / "adir").c_str(), 0755);
    expectRefused(f.runner, {f.tmp / "adir"}, "is not a regular file");
}

BOOST_AUTO_TEST_CASE(non_executable_extra_hook_is_refused) {
    Fixture f;
    std::string path = f.file("bin/extra", 0644);
    expectRefused(f.runner, {path}, path + " is not executable");
}

BOOST_AUTO_TEST_CASE(foreign_owner_is_refused) {
    if (::geteuid() != 0) {
        BOOST_TEST_MESSAGE("skipped: chown needs root");
        return;
    }
    Fixture f;
    std::string path = f.file("hooks/deploy.d/10-nobody");
    BOOST_REQUIRE_EQUAL(::chown(path.c_str(), 65534, 65534), 0);
    expectRefused(f.runner, {}, path + " is owned by uid 65534");
    // A foreign-owned directory above the hook is refused as well.
    Fixture g;
    std::string extra = g.file("theirs/extra");
    BOOST_REQUIRE_EQUAL(::chown((g.tmp / "theirs").c_str(), 65534, 65534), 0);
    expectRefused(g.runner, {extra}, "theirs is owned by uid 65534");
}

BOOST_AUTO_TEST_CASE(hook_made_unsafe_after_check_is_not_run) {
    Fixture f;
    std::string marker = f.tmp / "ran";
    std::string path = f.tmp / "hooks/deploy.d/10-late";
    writeFile(path, "#!/bin/sh\ntouch '" + marker + "'\n", 0755);
    ::chmod(path.c_str(), 0755);
    f.runner.checkFiles();
    ::chmod(path.c_str(), 0777);
    HookOutcome outcome = f.runner.runDeploy(HookEvent{});
    BOOST_TEST(outcome.failures == 1);
    BOOST_TEST(outcome.firstError.find("(not run)") != std::string::npos);
    BOOST_TEST(!test::exists(marker));
}

BOOST_AUTO_TEST_SUITE_END()
