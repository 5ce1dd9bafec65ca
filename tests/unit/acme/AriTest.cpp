// ARI (RFC 9773): certID, renewalInfo reading, the random time in the window.

#include "acme/Ari.h"

#include "FakeAcme.h"
#include "TestCa.h"
#include "crypto/Pem.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::acme;
using namespace certagent::acme::test;
using std::chrono::seconds;
using std::chrono::system_clock;

namespace {

/// RFC 9773 Appendix A: AKI 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4,
/// serial 0x87654321 (high bit set: DER content 00 87 65 43 21).
const char* const kRfc9773Example = R"(-----BEGIN CERTIFICATE-----
MIIBQzCB66ADAgECAgUAh2VDITAKBggqhkjOPQQDAjAVMRMwEQYDVQQDEwpFeGFt
cGxlIENBMCIYDzAwMDEwMTAxMDAwMDAwWhgPMDAwMTAxMDEwMDAwMDBaMBYxFDAS
BgNVBAMTC2V4YW1wbGUuY29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeBZu
7cbpAYNXZLbbh8rNIzuOoqOOtmxA1v7cRm//AwyMwWxyHz4zfwmBhcSrf47NUAFf
qzLQ2PPQxdTXREYEnKMjMCEwHwYDVR0jBBgwFoAUaYhba4dGQEHhs3uEe6CuLN4B
yNQwCgYIKoZIzj0EAwIDRwAwRAIge09+S5TZAlw5tgtiVvuERV6cT4mfutXIlwTb
+FYN/8oCIClDsqBklhB9KAelFiYt9+6FDj3z4KGVelYM5MdsO3pK
-----END CERTIFICATE-----
)";

const char* const kCertId = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";

system_clock::time_point at(std::time_t t) {
    return system_clock::from_time_t(t);
}

} // namespace

BOOST_AUTO_TEST_SUITE(AcmeAri)

BOOST_AUTO_TEST_CASE(cert_id_of_the_rfc9773_example) {
    const auto cert = certagent::test::certFromPem(kRfc9773Example);
    BOOST_TEST(ariCertId(*cert) == kCertId);
}

BOOST_AUTO_TEST_CASE(cert_id_keeps_the_leading_zero_of_a_high_bit_serial) {
    const auto ca = certagent::test::TestCa::makeRoot("ari test CA");
    certagent::test::CertSpec spec;
    spec.names = {"shop.example.test"};
    spec.serial = 0x8001020304050607UL;
    const auto key = certagent::test::makeKey();
    const auto leaf = ca.issue(*key, spec);
    const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(const_cast<X509*>(&ca.cert()));
    BOOST_REQUIRE(ski);
    const std::string keyId(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ski)),
                            static_cast<std::size_t>(ASN1_STRING_length(ski)));
    BOOST_TEST(ariCertId(*leaf) ==
               b64url(keyId) + "." +
                   b64url(std::string("\x00\x80\x01\x02\x03\x04\x05\x06\x07", 9)));
    spec.serial = 0x0102;
    BOOST_TEST(ariCertId(*ca.issue(*key, spec)) == b64url(keyId) + ".AQI");
}

BOOST_AUTO_TEST_CASE(a_certificate_without_aki_has_no_cert_id) {
    const auto ca = certagent::test::TestCa::makeRoot("no aki");
    try {
        ariCertId(ca.cert());
        BOOST_FAIL("expected a CryptoError");
    } catch (const CryptoError& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "ARI certID: the certificate has no authority key identifier");
    }
}

BOOST_AUTO_TEST_CASE(renewal_info_is_read_with_its_retry_after) {
    FakeCa ca;
    ca.steps = {answer(200,
                       R"({"suggestedWindow":{"start":"2025-01-02T04:00:00Z",)"
                       R"("end":"2025-01-03T04:00:00.123Z"},"explanationURL":"https://x.test/e"})",
                       {{"Retry-After", "21600"}})};
    auto client = ca.client();
    const auto info = fetchRenewalInfo(*client, kCertId);
    BOOST_REQUIRE(info);
    BOOST_TEST(system_clock::to_time_t(info->windowStart) == 1735790400);
    BOOST_TEST(system_clock::to_time_t(info->windowEnd) == 1735876800);
    BOOST_TEST(info->explanationUrl == "https://x.test/e");
    BOOST_TEST(info->retryAfter.count() == 21600);
    const auto req = ca.calls().at(0);
    BOOST_TEST(req.method == "GET");
    BOOST_TEST(req.target == std::string("/ari/") + kCertId);
    BOOST_TEST(req.body.empty());
}

BOOST_AUTO_TEST_CASE(renewal_info_retry_after_defaults_to_6h_and_is_clamped) {
    const std::string body =
        R"({"suggestedWindow":{"start":"2025-01-02T04:00:00+02:00","end":"2025-01-03T04:00:00Z"}})";
    FakeCa ca;
    ca.steps = {answer(200, body), answer(200, body, {{"Retry-After", "5"}}),
                answer(200, body, {{"Retry-After", "999999"}})};
    auto client = ca.client();
    auto info = fetchRenewalInfo(*client, kCertId);
    BOOST_TEST(info->retryAfter.count() == 6 * 3600);
    BOOST_TEST(system_clock::to_time_t(info->windowStart) == 1735790400 - 7200);
    BOOST_TEST(fetchRenewalInfo(*client, kCertId)->retryAfter.count() == 60);
    BOOST_TEST(fetchRenewalInfo(*client, kCertId)->retryAfter.count() == 86400);
}

BOOST_AUTO_TEST_CASE(a_ca_without_renewal_info_is_not_asked) {
    FakeCa ca;
    ca.directory = directoryJson("{}", false);
    BOOST_TEST(!fetchRenewalInfo(*ca.client(), kCertId));
    BOOST_TEST(ca.calls().empty());
}

BOOST_AUTO_TEST_CASE(bad_windows_are_refused) {
    FakeCa ca;
    ca.steps = {
        answer(200, R"({"suggestedWindow":{"start":"2025-01-03T04:00:00Z",)"
                    R"("end":"2025-01-02T04:00:00Z"}})"),
        answer(200, R"({"suggestedWindow":{"start":"tomorrow","end":"2025-01-02T04:00:00Z"}})"),
        answer(200, R"({"explanationURL":"https://x.test"})")};
    auto client = ca.client();
    AcmeError e = expectAcmeError([&] { fetchRenewalInfo(*client, kCertId); });
    BOOST_TEST(std::string(e.what()) ==
               "acme renewalInfo: renewalInfo.suggestedWindow.end: not after start");
    BOOST_TEST(e.exitCode() == 4);
    e = expectAcmeError([&] { fetchRenewalInfo(*client, kCertId); });
    BOOST_TEST(std::string(e.what()) == "acme renewalInfo: renewalInfo.suggestedWindow.start: not "
                                        "an RFC 3339 time: \"tomorrow\"");
    e = expectAcmeError([&] { fetchRenewalInfo(*client, kCertId); });
    BOOST_TEST(std::string(e.what()) == "acme renewalInfo: renewalInfo.suggestedWindow: missing");
}

BOOST_AUTO_TEST_CASE(renewal_info_server_error_is_transient_and_asked_once) {
    FakeCa ca;
    for (int i = 0; i < 10; ++i) {
        ca.steps.push_back(answer(500, ""));
    }
    auto client = ca.client();
    const std::size_t before = ca.calls().size();
    const AcmeError e = expectAcmeError([&] { fetchRenewalInfo(*client, kCertId); });
    BOOST_TEST(e.exitCode() == 3);
    BOOST_TEST(std::string(e.what()) == "acme renewalInfo: HTTP 500");
    BOOST_TEST(ca.calls().size() == before + 1); // the caller asks again in 6 hours
}

BOOST_AUTO_TEST_CASE(chosen_time_lies_in_the_window_or_is_now_when_it_is_over) {
    RenewalInfo info;
    info.windowStart = at(1000000);
    info.windowEnd = at(1000000 + 86400);
    std::mt19937_64 rng(42);
    bool early = false, late = false;
    for (int i = 0; i < 1000; ++i) {
        const auto t = chooseRenewalTime(info, at(0), rng);
        BOOST_TEST((t >= info.windowStart && t < info.windowEnd));
        early = early || t < info.windowStart + std::chrono::hours(6);
        late = late || t > info.windowEnd - std::chrono::hours(6);
    }
    BOOST_TEST(early);
    BOOST_TEST(late);
    BOOST_TEST(system_clock::to_time_t(chooseRenewalTime(info, at(2000000), rng)) == 2000000);
}

BOOST_AUTO_TEST_SUITE_END()
