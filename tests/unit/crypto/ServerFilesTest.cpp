// The certificate files web servers are pointed at, as `certagent discover` reads them: every
// certificate of the file, its key type, and whether its chain verifies (crypto/ServerFiles.h,
// verifyServerChain in crypto/Gate.h).
#include "crypto/ServerFiles.h"

#include "CryptoFixture.h"
#include "crypto/Gate.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::crypto;
using namespace certagent::test;

namespace {

template <typename F> std::string refusal(F&& action) {
    return expectThrow<GateError>(std::forward<F>(action)).what();
}

} // namespace

BOOST_AUTO_TEST_SUITE(ServerFiles)

BOOST_AUTO_TEST_CASE(every_certificate_of_a_server_file_in_order_a_key_block_skipped) {
    Pki pki;
    std::string leaf = pki.leafPem();
    std::string file = "# shop\r\n" + leaf + keyToPem(*pki.key) + pki.inter.certPem();
    std::vector<X509Ptr> certs = certsFromServerPem(file, "/etc/ssl/shop.pem");
    BOOST_REQUIRE_EQUAL(certs.size(), 2u);
    BOOST_TEST(toPem(*certs[0]) == leaf);
    BOOST_TEST(toPem(*certs[1]) == pki.inter.certPem());

    BOOST_TEST(refusal([] { certsFromServerPem(keyToPem(*makeKey()), "/k.pem"); }) ==
               "/k.pem: no certificate");
    std::string broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    std::string message = refusal([&] { certsFromServerPem(leaf + broken, "/b.pem"); });
    BOOST_TEST(message.rfind("/b.pem: certificate 2: not a valid DER certificate", 0) == 0,
               message);
}

BOOST_AUTO_TEST_CASE(key_types_in_the_spelling_of_key_or_what_else_they_are) {
    TestCa root = TestCa::makeRoot("Key Root");
    auto typeOf = [&](KeyKind kind) {
        CertSpec spec;
        spec.names = {"k.test"};
        return keyTypeOfCert(*root.issue(*makeKey(kind), spec));
    };
    BOOST_TEST(typeOf(KeyKind::EcP256) == "ec-p256");
    BOOST_TEST(typeOf(KeyKind::EcP384) == "ec-p384");
    BOOST_TEST(typeOf(KeyKind::Rsa2048) == "rsa-2048");
    BOOST_TEST(typeOf(KeyKind::Rsa1024) == "rsa-1024");
}

BOOST_AUTO_TEST_CASE(a_served_chain_verifies_only_with_its_intermediate_and_a_trusted_root) {
    Pki pki;
    auto now = std::chrono::system_clock::now();
    std::vector<X509Ptr> full = certsFromServerPem(pki.leafPem() + pki.inter.certPem(), "f");
    verifyServerChain(full, pki.rootFile, now); // does not throw

    std::vector<X509Ptr> leafOnly = certsFromServerPem(pki.leafPem(), "f");
    BOOST_TEST(refusal([&] { verifyServerChain(leafOnly, pki.rootFile, now); }) ==
               "verifying chain: no valid path to a trusted root in " + pki.rootFile +
                   ": unable to get local issuer certificate (depth 0, CN=example.com)");
    // The system store does not know the test root.
    BOOST_TEST(refusal([&] { verifyServerChain(full, "", now); }).find("the system store") !=
               std::string::npos);
    CertSpec expired = pki.leafSpec();
    expired.notBeforeOffset = -90L * 86400;
    expired.notAfterOffset = -86400;
    std::vector<X509Ptr> old = certsFromServerPem(pki.leafPem(expired) + pki.inter.certPem(), "f");
    BOOST_TEST(refusal([&] {
                   verifyServerChain(old, pki.rootFile, now);
               }).rfind("verifying chain: certificate has expired", 0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
