// Runs every committed input of every fuzz target (corpus/<target>/ and regressions/<target>/)
// through the target's entry function, in the normal test build: a crash or invariant found by
// fuzzing once stays fixed. Inputs that aborted once abort the runner again (a failed test).

#include "FuzzTargets.h"
#include "TestEnv.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <dirent.h>
#include <string>
#include <vector>

namespace certagent::fuzz {
namespace {

std::vector<std::string> filesIn(const std::string& dir) {
    std::vector<std::string> out;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (const dirent* e = ::readdir(d)) {
            if (e->d_name[0] != '.') {
                out.push_back(dir + "/" + e->d_name);
            }
        }
        ::closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// Feeds every file of `kind` ("corpus", "regressions") of every target; returns how many.
std::size_t feedAll(const std::string& kind) {
    const std::string root = test::envPath("CERTAGENT_SOURCE_DIR") + "/tests/fuzz/" + kind;
    std::size_t fed = 0;
    for (const Target& target : targets()) {
        for (const std::string& file : filesIn(root + "/" + target.name)) {
            BOOST_TEST_CONTEXT(file) {
                const std::string input = test::readFile(file);
                BOOST_CHECK_NO_THROW(target.entry(input));
                ++fed;
            }
        }
    }
    return fed;
}

} // namespace

BOOST_AUTO_TEST_SUITE(FuzzRegressions)

BOOST_AUTO_TEST_CASE(every_seed_of_every_target_runs_clean) {
    BOOST_TEST(feedAll("corpus") >= targets().size());
}

BOOST_AUTO_TEST_CASE(every_kept_finding_runs_clean) {
    feedAll("regressions");
}

BOOST_AUTO_TEST_CASE(each_target_has_seeds) {
    const std::string root = test::envPath("CERTAGENT_SOURCE_DIR") + "/tests/fuzz/corpus/";
    for (const Target& target : targets()) {
        BOOST_TEST_CONTEXT(target.name) {
            BOOST_TEST(!filesIn(root + target.name).empty());
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace certagent::fuzz
