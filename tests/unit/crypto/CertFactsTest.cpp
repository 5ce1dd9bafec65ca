#include "crypto/CertFacts.h"

#include "CryptoFixture.h"
#include "crypto/Pem.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <ctime>

using namespace certagent;
using namespace certagent::crypto;
using namespace certagent::test;

namespace {

/// The value after "key=" on its own line of `openssl x509` output.
std::string field(const std::string& output, const std::string& key) {
    const auto pos = output.find(key + "=");
    BOOST_REQUIRE_MESSAGE(pos != std::string::npos, key << " missing in " << output);
    const auto start = pos + key.size() + 1;
    return output.substr(start, output.find('\n', start) - start);
}

/// openssl's "Nov 29 14:13:55 2026 GMT" form.
std::string opensslTime(std::chrono::system_clock::time_point tp) {
    const std::time_t t = std::chrono::system_clock::to_time_t(tp);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%b %e %H:%M:%S %Y GMT", &tm);
    return buf;
}

} // namespace

BOOST_AUTO_TEST_SUITE(CertFacts)

BOOST_AUTO_TEST_CASE(facts_match_openssl_x509) {
    Pki pki;
    CertSpec spec = pki.leafSpec();
    spec.names = {"example.com", "www.example.com", "127.0.0.1"};
    spec.serial = 0xC0FFEE1234ul;
    const std::string pem = pki.leafPem(spec);
    writeFile(pki.dir / "cert.pem", pem);
    const auto r = openssl({"x509", "-in", pki.dir / "cert.pem", "-noout", "-fingerprint",
                            "-sha256", "-serial", "-startdate", "-enddate", "-subject", "-issuer",
                            "-nameopt", "oneline"});
    BOOST_REQUIRE_MESSAGE(r.exitCode == 0, r.output);

    const auto facts = certFacts(*parseSingleCert(pem, "crt_code"));
    std::string fp = field(r.output, "sha256 Fingerprint");
    fp.erase(std::remove(fp.begin(), fp.end(), ':'), fp.end());
    std::transform(fp.begin(), fp.end(), fp.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    BOOST_TEST(facts.sha256 == fp);
    BOOST_TEST(facts.sha256 == test::sha256Fingerprint(*certFromPem(pem))); // TlsProbe's form
    BOOST_TEST(facts.serialHex == field(r.output, "serial"));
    BOOST_TEST(facts.serialHex == "C0FFEE1234");
    BOOST_TEST(opensslTime(facts.notBefore) == field(r.output, "notBefore"));
    BOOST_TEST(opensslTime(facts.notAfter) == field(r.output, "notAfter"));
    BOOST_TEST(facts.subject == field(r.output, "subject"));
    BOOST_TEST(facts.issuer == field(r.output, "issuer"));
    BOOST_TEST(facts.issuer == "CN = Certagent Test Intermediate");
    const std::vector<std::string> dns{"example.com", "www.example.com"};
    BOOST_TEST(facts.names == dns, boost::test_tools::per_element());
    const auto lifetime = facts.notAfter - facts.notBefore;
    BOOST_TEST(std::chrono::duration_cast<std::chrono::hours>(lifetime).count() == 90 * 24 + 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(CertFactsHostile)

BOOST_AUTO_TEST_CASE(control_bytes_in_names_are_escaped) {
    Pki pki;
    auto leaf = pki.inter.issue(*pki.key, pki.leafSpec());
    X509Ptr copy(X509_dup(leaf.get()));
    X509_EXTENSION_free(
        X509_delete_ext(copy.get(), X509_get_ext_by_NID(copy.get(), NID_subject_alt_name, -1)));
    GeneralNamesPtr sans(GENERAL_NAMES_new());
    const std::string evil = std::string("evil\x1b[31m.example.com") + '\0' + ".x";
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    BOOST_REQUIRE(ASN1_STRING_set(ia5, evil.data(), static_cast<int>(evil.size())) == 1);
    GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
    sk_GENERAL_NAME_push(sans.get(), gn);
    BOOST_REQUIRE(X509_add1_ext_i2d(copy.get(), NID_subject_alt_name, sans.get(), 0, 0) == 1);
    BOOST_REQUIRE(X509_sign(copy.get(), const_cast<EVP_PKEY*>(&pki.inter.key()), EVP_sha256()) > 0);

    const auto facts = certFacts(*copy);
    BOOST_REQUIRE(facts.names.size() == 1u);
    BOOST_TEST(facts.names[0] == "evil\\x1b[31m.example.com\\x00.x");
    try {
        verifyIssued(pki.input(toPem(*copy)));
        BOOST_FAIL("hostile SAN accepted");
    } catch (const GateError& e) {
        BOOST_TEST(gateFailureName(e.failure()) == "names-not-covered");
        BOOST_TEST(std::string(e.what()).find('\x1b') == std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
