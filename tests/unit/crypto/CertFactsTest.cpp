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
