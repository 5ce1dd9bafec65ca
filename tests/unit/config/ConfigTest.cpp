#include "config/Config.h"

#include "ConfigFixture.h"
#include "TestEnv.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

using namespace certagent;
using namespace certagent::config;
using certagent::test::kCert;
using certagent::test::writeFile;
using Fixture = certagent::test::ConfigFixture;

BOOST_AUTO_TEST_SUITE(Config)

BOOST_FIXTURE_TEST_CASE(reads_a_valid_config, Fixture) {
    auto config = loadConfig(main());
    BOOST_TEST(config.api.url == "https://127.0.0.1:1/api");
    BOOST_TEST(config.api.timeout.count() == 10);
    BOOST_TEST(config.api.user == "me@example.com");
    BOOST_TEST(config.api.pass->reveal() == "hunter2");
    BOOST_TEST(config.storeDir == dir / "store");
    BOOST_REQUIRE(config.certs.size() == 1u);
    const auto& c = config.cert("shop");
    BOOST_TEST(c.domains == (std::vector<std::string>{"example.com", "www.example.com"}));
    BOOST_TEST(c.productId == 65);
    BOOST_TEST(c.contact->at("tech_email") == "ops@example.com");
    BOOST_TEST((c.installer == config::InstallerKind::None));
}

BOOST_FIXTURE_TEST_CASE(unknown_key_in_cert_file, Fixture) {
    cert("domian = example.com\n");
    BOOST_TEST(error() == "certs.d/shop.conf:1: unknown key \"domian\"");
}

BOOST_FIXTURE_TEST_CASE(unknown_key_in_main_file, Fixture) {
    writeFile(dir / "certagent.conf", "[api]\nurl = https://x/api\ntiemout = 5s\n", 0644);
    BOOST_TEST(error() == "certagent.conf:3: unknown key \"tiemout\" in [api]");
}

BOOST_FIXTURE_TEST_CASE(bad_values_name_file_and_key, Fixture) {
    cert(std::string(kCert) + "key = rsa-1024\n");
    BOOST_TEST(error() == "certs.d/shop.conf:5: key: expected rsa-2048 | rsa-3072 | rsa-4096 | "
                          "ec-p256 | ec-p384, not \"rsa-1024\"");
    cert("domains = example.com\norder_id = -3\n");
    BOOST_TEST(error() == "certs.d/shop.conf:2: order_id: not a whole number: \"-3\"");
    cert("domains = exa mple.com\norder_id = 3\ndcv = email\n");
    BOOST_TEST(error() ==
               "certs.d/shop.conf:1: domains: not a valid domain name: \"exa mple.com\"");
}

BOOST_FIXTURE_TEST_CASE(wildcard_with_http_dcv_is_refused, Fixture) {
    cert("domains = *.example.com\norder_id = 7\nwebroot = /srv\n");
    BOOST_TEST(error() == "certs.d/shop.conf:1: domains: wildcard *.example.com cannot use http "
                          "validation (use dcv = dns or email)");
    cert("domains = *.example.com\norder_id = 7\ndcv = dns\n");
    BOOST_TEST(error() == "(no error)");
}

BOOST_FIXTURE_TEST_CASE(unsafe_modes_are_refused, Fixture) {
    ::chmod((dir / "credentials.conf").c_str(), 0640);
    BOOST_TEST(error() == "credentials.conf: must be mode 0600 or stricter (is 0640)");
    ::chmod((dir / "credentials.conf").c_str(), 0600);
    ::chmod((dir / "certs.d/shop.conf").c_str(), 0666);
    BOOST_TEST(error() == "certs.d/shop.conf: writable by group or others (mode 0666)");
    ::chmod((dir / "certs.d/shop.conf").c_str(), 0644);
    ::chmod(main().c_str(), 0620);
    BOOST_TEST(error() == "certagent.conf: writable by group or others (mode 0620)");
}

BOOST_FIXTURE_TEST_CASE(missing_main_file_is_named_as_given, Fixture) {
    std::string missing = dir / "nowhere.conf";
    try {
        loadConfig(missing, true);
        BOOST_FAIL("loaded a missing file");
    } catch (const ConfigError& e) {
        BOOST_TEST(std::string(e.what()) == missing + ": no such file (use --config FILE)");
    }
}

BOOST_FIXTURE_TEST_CASE(missing_credentials_file, Fixture) {
    ::unlink((dir / "credentials.conf").c_str());
    BOOST_TEST(error() == "credentials.conf: no such file");
    BOOST_CHECK_NO_THROW(loadConfig(main(), false));
}

BOOST_FIXTURE_TEST_CASE(bad_certificate_name, Fixture) {
    writeFile(dir / "certs.d/-bad.conf", kCert, 0644);
    BOOST_TEST(error() == "certs.d/-bad.conf: bad certificate name \"-bad\" (letters, digits, . _ "
                          "-, at most 64)");
}

BOOST_FIXTURE_TEST_CASE(new_orders_need_contacts, Fixture) {
    writeFile(dir / "certagent.conf", "[api]\nurl = https://x/api\n", 0644);
    BOOST_TEST(error() == "certs.d/shop.conf: admin_firstname: missing (needed for new orders; "
                          "set it here or in [contact])");
    cert("domains = example.com\norder_id = 12\ndcv = email\n");
    BOOST_TEST(error() == "(no error)");
}

BOOST_FIXTURE_TEST_CASE(renew_before_forms, Fixture) {
    auto third = parseRenewBefore("1/3", "x");
    BOOST_TEST(third.forLifetime(Seconds(300)).count() == 100);
    auto days = parseRenewBefore("30d", "x");
    BOOST_TEST(days.forLifetime(Seconds(300)).count() == 30 * 86400);
    BOOST_TEST(days.text() == "30d");
    for (const char* bad : {"0/3", "3/3", "1/0", "30", "abc", ""})
        BOOST_CHECK_THROW(parseRenewBefore(bad, "x"), ConfigError);
}

BOOST_AUTO_TEST_CASE(domain_and_name_rules) {
    BOOST_TEST(isValidDomain("example.com"));
    BOOST_TEST(isValidDomain("*.example.com"));
    BOOST_TEST(isValidDomain("xn--bcher-kva.example"));
    for (const char* bad : {"example", "-a.com", "a-.com", "a..com", "*.*.a.com", "a.com.",
                            "a_b.com", "Example.com", "a.com/x", "*a.com"})
        BOOST_TEST(!isValidDomain(bad), bad);
    BOOST_TEST(isValidCertName("shop.example_1-2"));
    BOOST_TEST(!isValidCertName(".hidden"));
    BOOST_TEST(!isValidCertName("a/b"));
    BOOST_TEST(!isValidCertName(std::string(65, 'a')));
}

BOOST_AUTO_TEST_SUITE_END()
