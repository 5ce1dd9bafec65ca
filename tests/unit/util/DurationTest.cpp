#include "util/Duration.h"

#include "util/Error.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;

BOOST_AUTO_TEST_SUITE(Duration)

BOOST_AUTO_TEST_CASE(parses_every_unit) {
    BOOST_TEST(parseDuration("90s", "x").count() == 90);
    BOOST_TEST(parseDuration("15m", "x").count() == 900);
    BOOST_TEST(parseDuration("2h", "x").count() == 7200);
    BOOST_TEST(parseDuration("30d", "x").count() == 30 * 86400);
    BOOST_TEST(parseDuration("0s", "x").count() == 0);
}

BOOST_AUTO_TEST_CASE(refuses_malformed_with_the_name) {
    for (const char* bad : {"", "s", "10", "10x", "-5m", "1.5h", " 5m", "5m ", "99999999999d"}) {
        try {
            parseDuration(bad, "--wait");
            BOOST_FAIL(std::string("accepted ") + bad);
        } catch (const ConfigError& e) {
            BOOST_TEST(std::string(e.what()).rfind("--wait: bad duration", 0) == 0);
            BOOST_TEST(e.exitCode() == kExitUsage);
        }
    }
}

BOOST_AUTO_TEST_CASE(formats_largest_exact_unit) {
    BOOST_TEST(formatDuration(Seconds(5400)) == "90m");
    BOOST_TEST(formatDuration(Seconds(86400)) == "1d");
    BOOST_TEST(formatDuration(Seconds(7200)) == "2h");
    BOOST_TEST(formatDuration(Seconds(61)) == "61s");
    BOOST_TEST(formatDuration(Seconds(0)) == "0s");
}

BOOST_AUTO_TEST_SUITE_END()
