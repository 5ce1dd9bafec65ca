#include "CryptoFixture.h"
#include "crypto/Csr.h"
#include "crypto/Dcv.h"
#include "crypto/Keys.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>

using namespace certagent;
using namespace certagent::crypto;
using namespace certagent::test;

namespace {

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

/// "MD5(file)= abc..." → "abc..."
std::string opensslDigest(const std::string& algo, const std::string& file) {
    const auto r = openssl({"dgst", "-" + algo, file});
    BOOST_REQUIRE_MESSAGE(r.exitCode == 0, r.output);
    const auto eq = r.output.rfind("= ");
    BOOST_REQUIRE(eq != std::string::npos);
    std::string hex = r.output.substr(eq + 2);
    while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back())))
        hex.pop_back();
    return hex;
}

} // namespace

BOOST_AUTO_TEST_SUITE(KeysCsrDcv)

BOOST_AUTO_TEST_CASE(key_types_parse_and_generate) {
    for (const char* name : {"rsa-2048", "rsa-3072", "ec-p256", "ec-p384"}) {
        const KeyType type = parseKeyType(name);
        BOOST_TEST(keyTypeName(type) == name);
        auto key = generateKey(type);
        BOOST_REQUIRE(key);
        BOOST_TEST(keyTypeOf(*key).has_value());
        BOOST_TEST(keyTypeName(*keyTypeOf(*key)) == name);
    }
    BOOST_TEST(keyTypeName(parseKeyType("rsa-4096")) == "rsa-4096");
    for (const char* bad : {"", "rsa-1024", "EC-P256", "ec-p521", "ed25519"}) {
        try {
            parseKeyType(bad);
            BOOST_FAIL("accepted " << bad);
        } catch (const ConfigError& e) {
            BOOST_TEST(e.exitCode() == 2);
            BOOST_TEST(std::string(e.what()).find(std::string("\"") + bad + "\"") !=
                       std::string::npos);
        }
    }
    BOOST_TEST(!keyTypeOf(*makeKey(KeyKind::Rsa1024)).has_value());
}

BOOST_AUTO_TEST_CASE(private_key_pem_round_trip_and_match) {
    auto key = generateKey(KeyType::EcP256);
    const std::string pem = privateKeyToPem(*key);
    BOOST_TEST(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
    auto back = privateKeyFromPem(pem, "pending/shop/privkey.pem");
    BOOST_TEST(EVP_PKEY_eq(back.get(), key.get()) == 1);

    TestCa root = TestCa::makeRoot("Keys Root");
    CertSpec spec;
    spec.names = {"example.com"};
    auto cert = root.issue(*key, spec);
    BOOST_TEST(keyMatches(*cert, *back));
    BOOST_TEST(!keyMatches(*cert, *generateKey(KeyType::EcP256)));
    BOOST_TEST(!keyMatches(*cert, *generateKey(KeyType::Rsa2048)));

    try {
        privateKeyFromPem("-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n",
                          "live/shop/privkey.pem");
        BOOST_FAIL("garbage key accepted");
    } catch (const CryptoError& e) {
        const std::string what = e.what();
        BOOST_TEST(what.rfind("live/shop/privkey.pem: ", 0) == 0, what);
        BOOST_TEST(what.find("c2VjcmV0") == std::string::npos);
    }
    BOOST_CHECK_THROW(privateKeyFromPem("", "x"), CryptoError);
}

BOOST_AUTO_TEST_CASE(csr_has_cn_and_every_san) {
    TempDir dir;
    auto key = generateKey(KeyType::EcP384);
    const std::vector<std::string> names{"shop.example.com", "www.shop.example.com",
                                         "*.cdn.example.org"};
    auto csr = crypto::makeCsr(*key, names);
    BOOST_TEST(X509_REQ_verify(csr.get(), key.get()) == 1);
    BOOST_TEST(csrNames(*csr) == names, boost::test_tools::per_element());
    const std::string pem = crypto::csrToPem(*csr);
    BOOST_TEST(test::sha256Fingerprint(
                   *TestCa::makeRoot("CSR Root").issueFromCsr(*crypto::csrFromPem(pem, "x"), {}))
                   .size() == 64u);

    writeFile(dir / "req.pem", pem);
    const auto r = openssl({"req", "-in", dir / "req.pem", "-noout", "-text", "-verify"});
    BOOST_TEST(r.exitCode == 0, r.output);
    BOOST_TEST(r.output.find("CN = shop.example.com") != std::string::npos, r.output);
    BOOST_TEST(r.output.find("DNS:shop.example.com, DNS:www.shop.example.com, "
                             "DNS:*.cdn.example.org") != std::string::npos);
    BOOST_TEST(r.output.find("ecdsa-with-SHA256") != std::string::npos);

    BOOST_CHECK_THROW(crypto::makeCsr(*key, {}), CryptoError);
    BOOST_CHECK_THROW(crypto::makeCsr(*key, {"ok.example.com", ""}), CryptoError);
    BOOST_CHECK_THROW(crypto::makeCsr(*key, {"bad name.example.com"}), CryptoError);
    BOOST_CHECK_THROW(crypto::makeCsr(*key, {"bad\nname"}), CryptoError);
}

BOOST_AUTO_TEST_CASE(sectigo_dcv_matches_openssl) {
    TempDir dir;
    auto key = generateKey(KeyType::Rsa2048);
    auto csr = crypto::makeCsr(*key, {"example.com", "www.example.com"});
    writeFile(dir / "req.pem", crypto::csrToPem(*csr));
    const auto r =
        openssl({"req", "-in", dir / "req.pem", "-outform", "DER", "-out", dir / "req.der"});
    BOOST_REQUIRE_MESSAGE(r.exitCode == 0, r.output);
    const std::string md5 = upper(opensslDigest("md5", dir / "req.der"));
    const std::string sha = opensslDigest("sha256", dir / "req.der");
    BOOST_TEST(crypto::csrToDer(*csr) == readFile(dir / "req.der"));

    const SectigoDcv dcv = sectigoDcv(*csr);
    BOOST_TEST(dcv.md5Upper == md5);
    BOOST_TEST(dcv.fileName == md5 + ".txt");
    BOOST_TEST(dcv.fileFirstLine == upper(sha));
    BOOST_TEST(dcv.sha256Upper == upper(sha));
    BOOST_TEST(dcv.sha256Lower == sha);
    BOOST_TEST(dcv.dnsName("example.com") == "_" + md5 + ".example.com");
    BOOST_TEST(dcv.dnsName("*.example.com") == "_" + md5 + ".example.com");
    BOOST_TEST(dcv.dnsTargetPrefix() == sha.substr(0, 32) + "." + sha.substr(32, 32));
    BOOST_TEST(sectigoDcvFromDer(readFile(dir / "req.der")).fileName == dcv.fileName);
}

BOOST_AUTO_TEST_SUITE_END()
