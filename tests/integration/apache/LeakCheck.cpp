// The end-of-suite check: no process of any test's apache prefix may outlive the suite (a master
// that dies leaves its workers running, detached, after the temp dir is gone).
#include "ApacheProcess.h"

#include <boost/test/unit_test.hpp>

namespace {

struct NoApacheLeftBehind {
    void setup() {}
    void teardown() {
        std::vector<std::string> left = certagent::test::ApacheProcess::leftovers();
        std::string list;
        for (const std::string& line : left)
            list += "\n  " + line;
        BOOST_TEST(left.empty(), "processes of a test's apache prefix still running:" << list);
        certagent::test::ApacheProcess::killLeftovers();
    }
};

} // namespace

BOOST_TEST_GLOBAL_FIXTURE(NoApacheLeftBehind);
