// Config text that reaches a message is escaped (issue: a config line or a `domains` value with
// ESC/BEL reached the terminal raw through "unknown key" / "bad value" messages).
#include "ConfigFixture.h"
#include "TestEnv.h"
#include "config/Config.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using certagent::test::ConfigFixture;
using certagent::test::kCert;
using certagent::test::writeFile;

namespace {

/// Runs the real binary's `status` (no credentials, no network) on the fixture's config.
test::CommandOutput status(const ConfigFixture& f) {
    return test::runCommand({test::envPath("CERTAGENT_BIN"), "--config", f.main(), "status"});
}

} // namespace

BOOST_AUTO_TEST_SUITE(ConfigEscape)

BOOST_FIXTURE_TEST_CASE(unknown_key_is_escaped, ConfigFixture) {
    cert(std::string(kCert) + "\x1b[31mevil = 1\n");
    BOOST_TEST(error() == "certs.d/shop.conf:5: unknown key \"\\x1B[31mevil\"");
    writeFile(main(), std::string(test::kMain) + "[\x1b]0;title\x07]\n", 0644);
    BOOST_TEST(error() == "certagent.conf: unknown section [\\x1B]0;title\\x07]");
}

BOOST_FIXTURE_TEST_CASE(bad_values_are_escaped, ConfigFixture) {
    cert("domains = exa\x07mple.com\norder_id = 3\ndcv = email\n");
    BOOST_TEST(error() == "certs.d/shop.conf:1: domains: not a valid domain name: "
                          "\"exa\\x07mple.com\"");
    cert(std::string(kCert) + "key = \x1b[2J\n");
    BOOST_TEST(error() == "certs.d/shop.conf:5: key: expected rsa-2048 | rsa-3072 | rsa-4096 | "
                          "ec-p256 | ec-p384, not \"\\x1B[2J\"");
    cert(kCert);
    writeFile(main(), "[api]\nurl = https://x/api\ntimeout = 1\x1bs\n", 0644);
    BOOST_TEST(error() == "certagent.conf:3: [api] timeout: bad duration \"1\\x1Bs\" (want a whole "
                          "number and a unit: 90s, 15m, 2h, 30d)");
    writeFile(main(), "[renewal]\nbefore = 1\x07/3\n", 0644);
    BOOST_TEST(error() == "certagent.conf:2: [renewal] before: expected a fraction like 1/3 or a "
                          "duration like 30d, not \"1\\x07/3\"");
}

BOOST_FIXTURE_TEST_CASE(file_names_are_escaped, ConfigFixture) {
    writeFile(etc + "/certs.d/\x1b[1m.conf", kCert, 0644);
    BOOST_TEST(error() == "certs.d/\\x1B[1m.conf: bad certificate name \"\\x1B[1m\" (letters, "
                          "digits, . _ -, at most 64)");
}

BOOST_FIXTURE_TEST_CASE(the_binary_prints_config_text_escaped, ConfigFixture) {
    cert(std::string(kCert) + "\x1b[31mevil = 1\n");
    auto r = status(*this);
    BOOST_TEST(r.exitCode == 2);
    BOOST_TEST(r.output == "certagent: certs.d/shop.conf:5: unknown key \"\\x1B[31mevil\"\n");
    cert("domains = example.com, \x07\x1b]2;x\x07.example.com\norder_id = 3\ndcv = email\n");
    r = status(*this);
    BOOST_TEST(r.exitCode == 2);
    BOOST_TEST(r.output == "certagent: certs.d/shop.conf:1: domains: not a valid domain name: "
                           "\"\\x07\\x1B]2;x\\x07.example.com\"\n");
}

BOOST_AUTO_TEST_SUITE_END()
