// One case per finding of the fuzz targets, with the whole message the fix gives (the inputs
// themselves are in regressions/ and run through the targets in RegressionTest.cpp).

#include "TestEnv.h"
#include "config/IniFile.h"
#include "plugins/apache/ApacheConf.h"
#include "plugins/apache/VirtualHosts.h"
#include "plugins/nginx/NginxConf.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <string>

namespace certagent::fuzz {
namespace {

std::string repeat(const std::string& text, int times) {
    std::string out;
    for (int i = 0; i < times; ++i) {
        out += text;
    }
    return out;
}

template <typename F> std::string configErrorOf(F&& f) {
    try {
        f();
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(no ConfigError)";
}

std::vector<plugins::apache::Listener> listenersOf(const std::string& address) {
    plugins::apache::VirtualHost vhost;
    vhost.addresses = {address};
    return vhost.listeners();
}

} // namespace

BOOST_AUTO_TEST_SUITE(FuzzFindings)

BOOST_AUTO_TEST_CASE(nginx_blocks_nested_deeper_than_100_are_refused_not_a_stack_overflow) {
    BOOST_TEST(plugins::nginx::parseText(repeat("a{", 100) + repeat("}", 100), "f").size() == 1u);
    BOOST_TEST(configErrorOf([] { plugins::nginx::parseText(repeat("a{", 20000), "f"); }) ==
               "f:1: blocks nested deeper than 100");
}

BOOST_AUTO_TEST_CASE(apache_sections_nested_deeper_than_100_are_refused_not_a_stack_overflow) {
    test::TempDir dir;
    test::writeFile(dir / "ok.conf", repeat("<a>\n", 100) + repeat("</a>\n", 100));
    BOOST_TEST(plugins::apache::parseConfFile(dir / "ok.conf", {}).size() == 1u);
    test::writeFile(dir / "deep.conf", repeat("<a>\n", 20000));
    BOOST_TEST(configErrorOf([&] { plugins::apache::parseConfFile(dir / "deep.conf", {}); }) ==
               dir / "deep.conf" + ":101: sections nested deeper than 100");
}

BOOST_AUTO_TEST_CASE(apache_dump_reader_never_throws_and_reads_long_lines) {
    using plugins::apache::parseDump;
    BOOST_TEST(parseDump("*:443 a (/x.conf:99999999999)\n").vhosts.empty());
    const std::string longPath = "/" + std::string(60000, 'x');
    const auto dump = parseDump("*:443 a (" + longPath + ":9)  \n*:443 b (/y.conf:12)\n");
    BOOST_REQUIRE(dump.vhosts.size() == 2u);
    BOOST_TEST(dump.vhosts.begin()->file == longPath);
    BOOST_TEST(dump.vhosts.begin()->line == 9);
    BOOST_TEST(dump.vhosts.rbegin()->file == "/y.conf");
    BOOST_TEST(parseDump("*:443 a (/x.conf:)\n*:443 (:3)\n*:443 a (/x(y:3)\n").vhosts.size() == 1u);
}

BOOST_AUTO_TEST_CASE(apache_address_with_unreadable_port_is_a_config_error) {
    BOOST_TEST(listenersOf("[::1]:8443").at(0).port == 8443);
    BOOST_TEST(listenersOf("*:*").at(0).port == 443);
    for (const char* address : {"*:abc", "*:${PORT}", "*:0", "*:65536", "*:99999999999"}) {
        BOOST_TEST(configErrorOf([&] { listenersOf(address); }) ==
                   std::string("apache: cannot read the port of address \"") + address + "\"");
    }
}

BOOST_AUTO_TEST_CASE(ini_section_name_with_brackets_is_malformed) {
    // Poco read "[]]" as the unnamed section, so `r` was listed under "]" but not found there.
    test::TempDir dir;
    for (const char* header : {"[]]", "[a]b]", "[[a]"}) {
        test::writeFile(dir / "x.conf", std::string(header) + "\nr = 1\n");
        BOOST_TEST(configErrorOf([&] { config::IniFile(dir / "x.conf", "x.conf"); }) ==
                   "x.conf:1: malformed section header");
    }
    test::writeFile(dir / "x.conf", "[ a ]\nr = 1\n");
    BOOST_TEST(config::IniFile(dir / "x.conf", "x.conf").get("a", "r").value_or("") == "1");
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace certagent::fuzz
