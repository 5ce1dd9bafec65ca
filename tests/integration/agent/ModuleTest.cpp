// The binary loads its HTTPS transport (certagent-https.so) only when it makes a request, from
// next to itself or ../lib/certagent: a run that needs none works without it, one that needs it
// says exactly what is missing or untrusted (exit 7, nothing sent).
#include "AgentEnv.h"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <sys/stat.h>

using namespace certagent::test;
namespace fs = std::filesystem;

namespace {

/// A copy of the certagent binary alone in a directory of its own.
struct LoneBinary {
    TempDir dir;
    std::string bin = dir / "certagent";
    LoneBinary() { fs::copy_file(envPath("CERTAGENT_BIN"), bin); }
    CommandOutput run(const AgentEnv& env, const std::vector<std::string>& args) const {
        std::vector<std::string> argv = {bin, "--config", env.etc() + "/certagent.conf"};
        argv.insert(argv.end(), args.begin(), args.end());
        return runCommand(argv);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(HttpsModule)

BOOST_AUTO_TEST_CASE(a_run_without_requests_needs_no_module_a_request_names_what_is_missing) {
    AgentEnv env;
    env.configure(env.defaultCert());
    LoneBinary lone;
    auto status = lone.run(env, {"status"});
    BOOST_TEST(status.exitCode == 0, status.output);

    auto call = lone.run(env, {"api", "getOrderStatus", "order_id=1"});
    BOOST_TEST(call.exitCode == 7, call.output);
    BOOST_TEST(call.output == "certagent: the HTTPS transport module is missing (looked for " +
                                  lone.dir.path() + "/certagent-https.so): reinstall certagent\n");
    BOOST_TEST(env.sandbox().calls().empty());
}

BOOST_AUTO_TEST_CASE(a_module_others_can_write_is_refused_a_sound_one_is_used) {
    AgentEnv env;
    env.configure(env.defaultCert());
    LoneBinary lone;
    const std::string module = lone.dir / "certagent-https.so";
    fs::copy_file(fs::path(envPath("CERTAGENT_BIN")).parent_path() / "certagent-https.so", module);
    ::chmod(module.c_str(), 0664);
    auto refused = lone.run(env, {"api", "getOrderStatus", "order_id=1"});
    BOOST_TEST(refused.exitCode == 7, refused.output);
    BOOST_TEST(refused.output == "certagent: the HTTPS transport module is not trusted: " + module +
                                     " is group- or world-writable (fix: chmod go-w " + module +
                                     ")\n");

    ::chmod(module.c_str(), 0644);
    auto used = lone.run(env, {"api", "getOrderStatus", "order_id=1"});
    BOOST_TEST(used.output.find("HTTPS transport") == std::string::npos, used.output);
    BOOST_TEST(!env.sandbox().calls().empty());
}

BOOST_AUTO_TEST_SUITE_END()
