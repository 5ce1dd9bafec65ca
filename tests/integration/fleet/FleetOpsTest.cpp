// Fleet operations under failure and attack (design-fleet §4.3, §5): a host cut off from its only
// etcd member, clients etcd must refuse, and secrets that must never reach any output.
#include "FleetEnv.h"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <map>
#include <sstream>

using namespace certagent;
using namespace certagent::test;

namespace {

/// Every file and symlink under the store `dir` with its content (or link target): what a run
/// changed. The index is left out: a cache of check times that every run rewrites atomically.
std::map<std::string, std::string> tree(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        const std::string rel = std::filesystem::relative(e.path(), dir).string();
        if (rel == "index")
            continue;
        if (e.is_symlink())
            out[rel] = "-> " + std::filesystem::read_symlink(e.path()).string();
        else if (e.is_regular_file())
            out[rel] = readFile(e.path().string());
    }
    return out;
}

std::string changed(const std::map<std::string, std::string>& before,
                    const std::map<std::string, std::string>& after) {
    std::string out;
    for (const auto& [path, text] : after)
        if (!before.count(path) || before.at(path) != text)
            out += "changed or new: " + path + "\n";
    for (const auto& [path, text] : before)
        if (!after.count(path))
            out += "removed: " + path + "\n";
    return out;
}

/// Lines of `output` that name a problem (certagent's warnings and errors), for the "one clear
/// line" checks.
std::vector<std::string> linesWith(const std::string& output, const std::string& needle) {
    std::vector<std::string> out;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);)
        if (line.find(needle) != std::string::npos)
            out.push_back(line);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(FleetOps)

BOOST_AUTO_TEST_CASE(a_host_cut_off_from_its_only_member_exits_3_keeps_serving_and_catches_up) {
    FleetEnv env;
    std::string outputs = env.runUntilConverged();
    BOOST_TEST_REQUIRE(env.converged(), outputs);
    const std::string first = env.host(0).served();
    auto forced = env.host(0).agent({"run", "--force"}); // a second version, served everywhere
    BOOST_TEST_REQUIRE(forced.exitCode == 0, forced.output);
    outputs = env.runUntilConverged();
    BOOST_TEST_REQUIRE(env.converged(), outputs);
    const std::string second = env.host(0).served();

    // web-3 lists one member only, and that member freezes: TCP connects, TLS never answers.
    const std::size_t only = (env.etcd().leader() + 1) % env.etcd().size();
    env.host(2).configure("", {env.etcd().endpoint(only)});
    env.etcd().stop(only);
    auto back = env.host(0).agent({"cluster", "rollback", "shop"}); // the others go on
    BOOST_TEST_REQUIRE(back.exitCode == 0, back.output);
    for (int round = 0; round < 4 && env.host(1).served() != first; ++round)
        for (std::size_t i : {0u, 1u})
            outputs += "--- " + env.host(i).name() + ":\n" + env.host(i).agent({"run"}).output;
    BOOST_TEST(env.host(0).served() == first, outputs);
    BOOST_TEST(env.host(1).served() == first, outputs);

    const auto before = tree(env.host(2).store());
    auto cut = env.host(2).agent({"run"});
    BOOST_TEST_MESSAGE("--- web-3 cut off:\n" << cut.output);
    BOOST_TEST(cut.exitCode == 3, cut.output);
    const auto problems = linesWith(cut.output, env.etcd().endpoint(only));
    BOOST_TEST(problems.size() == 1u, cut.output);
    BOOST_TEST(cut.output.find("timeout connecting to 127.0.0.1:") != std::string::npos,
               cut.output);
    BOOST_TEST(env.host(2).served() == second); // keeps serving what it served
    BOOST_TEST(changed(before, tree(env.host(2).store())).empty(),
               changed(before, tree(env.host(2).store())));
    BOOST_TEST(env.host(2).dcvFiles().empty());

    env.etcd().resume(only);
    auto healed = env.host(2).agent({"run"});
    BOOST_TEST(healed.exitCode == 0, healed.output);
    BOOST_TEST(env.converged(), healed.output);
    BOOST_TEST(env.host(2).served() == first);
    BOOST_TEST(env.orderCalls().size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
