// The ACME rows: [ca] backend, [acme] and [acme-NAME], a certificate's backend, the GoGetSSL-only
// keys refused for ACME certificates, credentials only when GoGetSSL is used.
#include "ConfigFixture.h"
#include "TestEnv.h"
#include "config/Config.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

using namespace certagent;
using namespace certagent::config;
using certagent::test::kMain;
using certagent::test::writeFile;
using Fixture = certagent::test::ConfigFixture;

namespace {

const char* const kAcme = "[acme]\ndirectory = https://acme.example/dir\nagree_tos = yes\n";
const char* const kAcmeCert = "domains = example.com\nbackend = acme\nwebroot = /srv/www\n";

/// kMain followed by `extra`.
void mainWith(const Fixture& f, const std::string& extra) {
    writeFile(f.main(), std::string(kMain) + extra, 0644);
}

} // namespace

BOOST_AUTO_TEST_SUITE(AcmeConfig)

BOOST_FIXTURE_TEST_CASE(reads_ca_and_acme_sections, Fixture) {
    mainWith(*this, "[ca]\nbackend = acme\n" + std::string(kAcme) +
                        "contact = ops@example.com, mailto:security@example.com\n"
                        "[acme-le]\ndirectory = https://le.example/dir\naccount_key = ec-p384\n"
                        "ari = no\ntimeout = 5s\npreferred_chain = ISRG Root X1\n");
    cert("domains = example.com\nwebroot = /srv/www\n");
    cert("paid", "domains = paid.example.com\nbackend = gogetssl\norder_id = 7\n"
                 "webroot = /srv/www\n");
    cert("other", "domains = other.example.com\nbackend = acme-le\ndcv = dns\n");
    auto config = loadConfig(main());
    BOOST_TEST(config.defaultBackend == "acme");
    BOOST_TEST(config.cert("shop").backend == "acme");
    BOOST_TEST(config.cert("paid").backend == "gogetssl");
    BOOST_TEST(config.cert("other").backend == "acme-le");
    const AcmeSettings* plain = config.acmeFor("acme");
    BOOST_REQUIRE(plain);
    BOOST_TEST(plain->directory == "https://acme.example/dir");
    BOOST_TEST(plain->agreeTos);
    BOOST_TEST(plain->contact ==
               (std::vector<std::string>{"mailto:ops@example.com", "mailto:security@example.com"}));
    BOOST_TEST(plain->accountKey == "ec-p256");
    BOOST_TEST(plain->ari);
    BOOST_TEST(plain->timeout.count() == 30);
    const AcmeSettings* le = config.acmeFor("acme-le");
    BOOST_REQUIRE(le);
    BOOST_TEST(le->accountKey == "ec-p384");
    BOOST_TEST(!le->ari);
    BOOST_TEST(le->timeout.count() == 5);
    BOOST_TEST(le->preferredChain == "ISRG Root X1");
    BOOST_TEST(!le->agreeTos);
    BOOST_TEST(!config.acmeFor("acme-other"));
}

BOOST_FIXTURE_TEST_CASE(bad_acme_settings_name_the_key, Fixture) {
    mainWith(*this, "[ca]\nbackend = letsencrypt\n");
    BOOST_TEST(error() ==
               "certagent.conf:17: [ca] backend: expected gogetssl | acme | acme-NAME, not "
               "\"letsencrypt\"");
    mainWith(*this, "[ca]\nbackend = acme\n");
    BOOST_TEST(error() == "certagent.conf:17: [ca] backend: acme: no [acme] section");
    mainWith(*this, "[acme]\ncontact = ops@example.com\n");
    BOOST_TEST(error() == "certagent.conf: [acme] directory: missing");
    mainWith(*this, "[acme-le]\ndirectory = http://le.example/dir\n");
    BOOST_TEST(error() == "certagent.conf:17: [acme-le] directory: must start with https://");
    mainWith(*this, std::string(kAcme) + "contact = ops at example.com\n");
    BOOST_TEST(error() ==
               "certagent.conf:19: [acme] contact: not an e-mail address: \"ops at example.com\"");
    mainWith(*this, std::string(kAcme) + "eab_kid = kid-1\n");
    BOOST_TEST(error() ==
               "certagent.conf:19: [acme] eab_kid: eab_kid and eab_hmac_file go together");
    mainWith(*this, std::string(kAcme) + "account_key = rsa-2048\n");
    BOOST_TEST(
        error() ==
        "certagent.conf:19: [acme] account_key: expected ec-p256 | ec-p384, not \"rsa-2048\"");
}

BOOST_FIXTURE_TEST_CASE(gogetssl_keys_are_refused_for_acme_certificates, Fixture) {
    mainWith(*this, kAcme);
    for (const char* text :
         {"order_id = 7", "product_id = 65", "period = 12", "approver_email = admin@example.com",
          "webserver_type = 18", "auto_renew_order = yes", "admin_email = ops@example.com"}) {
        const std::string line = text;
        cert(std::string(kAcmeCert) + line + "\n");
        std::string key = line.substr(0, line.find(' '));
        BOOST_TEST(error() == "certs.d/shop.conf:4: " + key + ": only for backend = gogetssl");
    }
    for (const char* dcv : {"email", "https"}) {
        cert(std::string(kAcmeCert) + "dcv = " + dcv + "\n");
        BOOST_TEST(error() == "certs.d/shop.conf:4: dcv: " + std::string(dcv) +
                                  ": only for backend = gogetssl");
    }
    cert("domains = example.com\nbackend = acme-other\nwebroot = /srv/www\n");
    BOOST_TEST(
        error() ==
        "certs.d/shop.conf:2: backend: acme-other: no [acme-other] section in certagent.conf");
    cert(kAcmeCert);
    BOOST_TEST(error() == "(no error)");
}

BOOST_FIXTURE_TEST_CASE(credentials_are_read_only_when_gogetssl_is_used, Fixture) {
    ::unlink((dir / "credentials.conf").c_str());
    mainWith(*this, kAcme);
    cert(kAcmeCert);
    BOOST_TEST(error() == "(no error)");
    BOOST_TEST(!loadConfig(main()).api.pass);
    cert("paid", "domains = paid.example.com\norder_id = 7\nwebroot = /srv/www\n");
    BOOST_TEST(error() == "credentials.conf: no such file");
}

BOOST_AUTO_TEST_SUITE_END()
