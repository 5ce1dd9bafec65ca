// One case per finding of the fuzz targets, with the whole message the fix gives (the inputs
// themselves are in regressions/ and run through the targets in RegressionTest.cpp).

#include "TestEnv.h"
#include "acme/Wire.h"
#include "api/Json.h"
#include "cluster/EtcdWire.h"
#include "cluster/Json.h"
#include "crypto/CertFacts.h"
#include "crypto/Pem.h"
#include "plugins/apache/ApacheConf.h"
#include "plugins/apache/VhostDump.h"
#include "plugins/nginx/NginxConf.h"
#include "util/Error.h"
#include "util/IsoTime.h"

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

BOOST_AUTO_TEST_CASE(apache_dump_reader_never_throws_on_huge_line_numbers_or_long_lines) {
    using plugins::apache::parseDump;
    BOOST_TEST(parseDump("*:443 a (/x.conf:99999999999)\n").vhosts.empty());
    BOOST_TEST(parseDump("    port 443 namevhost a (/x.conf:99999999999)\n").vhosts.empty());
    const std::string longPath = "/" + std::string(60000, 'x');
    const auto dump = parseDump("*:443 a (" + longPath + ":9)\n*:443 b (/y.conf:12)\n");
    BOOST_REQUIRE(dump.vhosts.size() == 1u);
    BOOST_TEST(dump.vhosts.begin()->text() == "/y.conf:12");
    BOOST_TEST(parseDump("*:443 a (/x.conf:999999999)\n").vhosts.begin()->line == 999999999);
}

BOOST_AUTO_TEST_CASE(apache_quote_arg_quotes_every_separator_split_words_knows) {
    using plugins::apache::quoteArg;
    using plugins::apache::splitWords;
    for (const char* arg : {"$\rAP)ACHE", "a\vb", "a\fb", "a b", "say \"hi\"", ""}) {
        BOOST_TEST(splitWords(quoteArg(arg)) == std::vector<std::string>{arg});
    }
    BOOST_TEST(quoteArg("a\rb") == "\"a\rb\"");
    BOOST_TEST(quoteArg("/var/lib/certagent/live/shop/fullchain.pem") ==
               "/var/lib/certagent/live/shop/fullchain.pem");
}

BOOST_AUTO_TEST_CASE(times_after_2262_saturate_instead_of_overflowing_the_clock) {
    const auto latest = timePointOf(kLatestTime);
    BOOST_TEST(formatIsoUtc(std::chrono::system_clock::to_time_t(latest)) ==
               "2200-01-01T00:00:00Z");
    BOOST_TEST((timePointOf(253402300799) == latest)); // 9999-12-31T23:59:59Z
    BOOST_TEST((timePointOf(-99999999999) == timePointOf(kEarliestTime)));
    BOOST_TEST((timePointOf(1893456000) == std::chrono::system_clock::from_time_t(1893456000)));
    // The gate read this leaf's notAfter (year 9966) through the overflowing conversion.
    const std::string input =
        test::readFile(test::envPath("CERTAGENT_SOURCE_DIR") +
                       "/tests/fuzz/regressions/gate/leaf-not-after-year-9966.txt");
    const auto leaf = crypto::parseSingleCert(input.substr(0, input.find("%%")), "leaf");
    BOOST_TEST((crypto::certFacts(*leaf).notAfter == latest));
    BOOST_TEST((acme::parseRfc3339("2800-01-01T00:00:00Z") == latest));
    BOOST_TEST((acme::parseHttpDate("Fri, 31 Dec 9999 23:59:59 GMT") == latest));
    BOOST_TEST(!acme::parseRfc3339("10000-01-01T00:00:00Z").has_value());
}

BOOST_AUTO_TEST_CASE(api_pem_members_lose_every_cr_before_an_lf) {
    const auto obj =
        api::detail::parseObject(R"({"crt_code":"-----BEGIN\r\r\nA\r\nB\rC\n\r\r\r\n-----END\r"})");
    BOOST_TEST(api::detail::Reader(*obj, "").pem("crt_code") ==
               "-----BEGIN\nA\nB\rC\n\n-----END\r");
}

BOOST_AUTO_TEST_CASE(etcd_header_revisions_below_1_are_unreadable_replies) {
    namespace cd = cluster::detail;
    const auto revisionOf = [](const std::string& json) -> std::string {
        try {
            return std::to_string(cd::headerRevision(*cd::parseObject(json, 4096)));
        } catch (const cd::BadJson& e) {
            return e.what();
        }
    };
    BOOST_TEST(revisionOf(R"({"header":{"revision":"1"}})") == "1");
    // try-lock took a succeeded txn at revision 0 as the lead with fence 0.
    BOOST_TEST(revisionOf(R"({"header":{"revision":"0"},"succeeded":true})") ==
               "header.revision: not positive");
    BOOST_TEST(revisionOf(R"({"header":{"revision":"-9"}})") == "header.revision: not positive");
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace certagent::fuzz
