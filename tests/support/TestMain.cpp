#define BOOST_TEST_MODULE certagent
#include "Processes.h"

#include <boost/test/unit_test.hpp>

namespace {

/// The end-of-suite check of every runner: no process of any test's prefix (a TempDir) may outlive
/// the suite, e.g. the workers of a web server whose master died, or a server a test forgot.
struct NoProcessLeftBehind {
    void setup() {}
    void teardown() {
        certagent::test::runSuiteEndStops();
        std::vector<std::string> left = certagent::test::testProcessLeftovers();
        std::string list;
        for (const std::string& line : left)
            list += "\n  " + line;
        BOOST_TEST(left.empty(), "processes of a test's prefix still running:" << list);
        certagent::test::killTestProcessLeftovers();
    }
};

} // namespace

BOOST_TEST_GLOBAL_FIXTURE(NoProcessLeftBehind);
