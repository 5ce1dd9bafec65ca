#include "core/Renewal.h"

#include "core/CertRunner.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::core;

namespace {

constexpr std::time_t kDay = 86400;
constexpr std::time_t kStart = 1800000000; // a fixed "now" origin (fake clock)

RenewalInput input(std::time_t lifetimeDays, std::time_t ageDays, const std::string& before) {
    RenewalInput in;
    in.configuredNames = {"example.com", "www.example.com"};
    in.configuredKeyType = "ec-p256";
    in.before = config::parseRenewBefore(before, "test");
    LiveInfo live;
    live.names = {"www.example.com", "example.com"};
    live.keyType = "ec-p256";
    live.notBefore = kStart;
    live.notAfter = kStart + lifetimeDays * kDay;
    in.live = live;
    in.now = kStart + ageDays * kDay;
    return in;
}

} // namespace

BOOST_AUTO_TEST_SUITE(Renewal)

BOOST_AUTO_TEST_CASE(missing_certificate_is_due) {
    RenewalInput in;
    in.configuredNames = {"example.com"};
    auto d = decideRenewal(in);
    BOOST_TEST(d.due);
    BOOST_TEST(d.reason == "no live certificate");
}

BOOST_AUTO_TEST_CASE(one_third_of_the_lifetime) {
    BOOST_TEST(!decideRenewal(input(90, 59, "1/3")).due);
    auto d = decideRenewal(input(90, 61, "1/3"));
    BOOST_TEST(d.due);
    BOOST_TEST(d.expiryBased);
    BOOST_TEST(d.reason == "expires in 29d 0h (renew 1/3 before)");
    BOOST_TEST(d.renewAt == kStart + 60 * kDay);
    // A 47-day certificate renews ~16 days before expiry.
    BOOST_TEST(!decideRenewal(input(47, 31, "1/3")).due);
    BOOST_TEST(decideRenewal(input(47, 32, "1/3")).due);
}

BOOST_AUTO_TEST_CASE(fixed_duration) {
    BOOST_TEST(!decideRenewal(input(365, 334, "30d")).due);
    BOOST_TEST(decideRenewal(input(365, 336, "30d")).due);
}

BOOST_AUTO_TEST_CASE(names_changed_is_due_whatever_the_date) {
    auto in = input(90, 1, "1/3");
    in.configuredNames.push_back("shop.example.com");
    auto d = decideRenewal(in);
    BOOST_TEST(d.due);
    BOOST_TEST(!d.expiryBased);
    BOOST_TEST(d.reason == "names changed: configured {example.com shop.example.com "
                           "www.example.com}, certificate {example.com www.example.com}");
}

BOOST_AUTO_TEST_CASE(key_type_and_failing_files) {
    auto in = input(90, 1, "1/3");
    in.configuredKeyType = "rsa-2048";
    BOOST_TEST(decideRenewal(in).reason == "key type changed: ec-p256 -> rsa-2048");
    in = input(90, 1, "1/3");
    in.live->filesOk = false;
    in.live->failure = "live/x: key-mismatch";
    BOOST_TEST(decideRenewal(in).reason == "live files fail verification: live/x: key-mismatch");
}

BOOST_AUTO_TEST_CASE(time_based_renewal_is_marked_as_such) {
    auto in = input(90, 80, "1/3");
    auto d = decideRenewal(in);
    BOOST_TEST(d.due);
    BOOST_TEST(d.expiryBased);
    in.configuredNames = {"other.example.com"};
    BOOST_TEST(!decideRenewal(in).expiryBased); // names changed: due whatever the clock says
}

BOOST_AUTO_TEST_CASE(backoff_grows_and_is_capped) {
    BOOST_TEST(backoffAfter(1).count() == 300);
    BOOST_TEST(backoffAfter(2).count() == 600);
    BOOST_TEST(backoffAfter(4).count() == 2400);
    BOOST_TEST(backoffAfter(50).count() == 6 * 3600);
}

BOOST_AUTO_TEST_CASE(remaining_time_text) {
    BOOST_TEST(formatRemaining(29 * kDay) == "29d 0h");
    BOOST_TEST(formatRemaining(3 * 3600 + 120) == "3h 2m");
    BOOST_TEST(formatRemaining(-2 * kDay - 3600) == "-2d 1h");
    BOOST_TEST(formatRemaining(40) == "40s");
}

BOOST_AUTO_TEST_SUITE_END()
