#include "crypto/Pem.h"

#include "CryptoFixture.h"
#include "crypto/Csr.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::crypto;
using namespace certagent::test;

namespace {

std::string refusal(const std::string& pem, const std::string& field, bool single) {
    try {
        if (single)
            parseSingleCert(pem, field);
        else
            parseCertBundle(pem, field);
    } catch (const GateError& e) {
        BOOST_TEST(gateFailureName(e.failure()) == "bad-pem");
        BOOST_TEST(e.exitCode() == 4);
        return e.what();
    }
    BOOST_FAIL("PEM accepted: " << pem.substr(0, 80));
    return {};
}

std::string crlf(const std::string& s) {
    std::string out;
    for (char c : s)
        out += c == '\n' ? std::string("\r\n") : std::string(1, c);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(Pem)

BOOST_AUTO_TEST_CASE(refusals_name_the_field_and_reason) {
    Pki pki;
    const std::string leaf = pki.leafPem();
    const std::string inter = pki.inter.certPem();
    const std::string key = keyToPem(*pki.key);
    BOOST_TEST(refusal(leaf + key, "crt_code", true) == "crt_code: contains a private key block");
    BOOST_TEST(refusal(key + leaf, "crt_code", true) == "crt_code: contains a private key block");
    BOOST_TEST(refusal(inter + key, "ca_code", false) == "ca_code: contains a private key block");
    std::string rsaKeyBlock =
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    BOOST_TEST(refusal(inter + rsaKeyBlock, "ca_code", false) ==
               "ca_code: contains a private key block");
    BOOST_TEST(refusal(leaf + "trailing junk\n", "crt_code", true)
                   .find("crt_code: text outside PEM blocks at line") == 0);
    BOOST_TEST(refusal("<html>oops</html>", "crt_code", true) ==
               "crt_code: text outside PEM blocks at line 1");
    BOOST_TEST(refusal(leaf + inter, "crt_code", true) ==
               "crt_code: expected exactly one certificate, found 2");
    BOOST_TEST(refusal("", "crt_code", true) == "crt_code: empty");
    BOOST_TEST(refusal(" \r\n\n", "ca_code", false) == "ca_code: empty");
    BOOST_TEST(refusal(leaf + std::string(kMaxPemBytes, '\n'), "crt_code", true) ==
               "crt_code: larger than 131072 bytes");
    BOOST_TEST(refusal(leaf + std::string(1, '\0'), "crt_code", true) ==
               "crt_code: contains a NUL byte");
    BOOST_TEST(refusal(leaf.substr(0, leaf.size() - 10), "crt_code", true).find("crt_code: ") == 0);
    BOOST_TEST(refusal("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "ca_code",
                       false) == "ca_code: unexpected PEM block \"PUBLIC KEY\" at line 1");
    BOOST_TEST(
        refusal("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "crt_code", true)
            .find("crt_code: certificate 1: ") == 0);
    const std::string csr = crypto::csrToPem(*crypto::makeCsr(*pki.key, {"example.com"}));
    BOOST_TEST(refusal(csr, "crt_code", true).find("unexpected PEM block") != std::string::npos);
    std::string withHeader = leaf;
    withHeader.insert(withHeader.find('\n') + 1, "Proc-Type: 4,ENCRYPTED\n");
    BOOST_TEST(refusal(withHeader, "crt_code", true) == "crt_code: malformed PEM block at line 2");
    std::string terminalEscape = "-----BEGIN \x1b[31mX-----\n-----END \x1b[31mX-----\n";
    BOOST_TEST(refusal(terminalEscape, "ca_code", false).find('\x1b') == std::string::npos);
    std::vector<std::string> many;
    std::string bundle;
    for (size_t i = 0; i <= kMaxBundleCerts; ++i)
        bundle += inter;
    BOOST_TEST(refusal(bundle, "ca_code", false) == "ca_code: more than 16 certificates");
}

BOOST_AUTO_TEST_CASE(crlf_and_whitespace_are_tolerated_and_output_is_reencoded) {
    Pki pki;
    const std::string leaf = pki.leafPem();
    const std::string inter = pki.inter.certPem();
    const std::string fp = test::sha256Fingerprint(*certFromPem(leaf));

    auto cert = parseSingleCert(crlf(leaf), "crt_code");
    BOOST_TEST(test::sha256Fingerprint(*cert) == fp);
    BOOST_TEST(certToPem(*cert) == leaf);

    std::string messy = "\n\n  ";
    for (size_t pos = 0; pos < leaf.size();) {
        const size_t nl = leaf.find('\n', pos);
        messy += "\t" + leaf.substr(pos, nl - pos) + "  \r\n";
        pos = nl + 1;
    }
    messy += "\n \n";
    BOOST_TEST(certToPem(*parseSingleCert(messy, "crt_code")) == leaf);

    auto bundle = parseCertBundle(crlf(inter) + "\r\n\r\n" + leaf + inter, "ca_code");
    BOOST_REQUIRE(bundle.size() == 3u);
    BOOST_TEST(certToPem(*bundle[0]) == inter);
    BOOST_TEST(certToPem(*bundle[1]) == leaf);
    BOOST_TEST(certToPem(*bundle[2]) == inter);
    BOOST_TEST(certToDer(*bundle[1]) == toDer(*certFromPem(leaf)));

    BOOST_TEST(parseCertBundleAllowEmpty("", "chain.pem").empty());
    BOOST_TEST(parseCertBundleAllowEmpty("\r\n  \n", "chain.pem").empty());
    BOOST_TEST(parseCertBundleAllowEmpty(inter, "chain.pem").size() == 1u);
    BOOST_CHECK_THROW(parseCertBundleAllowEmpty("junk", "chain.pem"), GateError);
}

BOOST_AUTO_TEST_SUITE_END()
