#include "crypto/Gate.h"

#include "CryptoFixture.h"
#include "crypto/Pem.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::crypto;
using namespace certagent::test;
using namespace std::chrono_literals;

namespace {

/// Runs the gate expecting a refusal; returns the error for further checks.
GateError expectFailure(const GateInput& in, GateFailure expected) {
    try {
        verifyIssued(in);
    } catch (const GateError& e) {
        BOOST_TEST_MESSAGE("refused: " << e.what());
        BOOST_TEST(gateFailureName(e.failure()) == gateFailureName(expected));
        BOOST_TEST(std::string(e.what()).rfind("order 1840217: ", 0) == 0);
        return e;
    }
    BOOST_FAIL("gate accepted material it should refuse (" << gateFailureName(expected) << ")");
    throw std::logic_error("unreachable");
}

std::vector<std::string> fingerprints(const std::vector<X509Ptr>& certs) {
    std::vector<std::string> out;
    for (const auto& c : certs)
        out.push_back(test::sha256Fingerprint(*c));
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(Gate)

BOOST_AUTO_TEST_CASE(good_chain_is_accepted_and_verifies_with_openssl) {
    Pki pki;
    const std::string leaf = pki.leafPem();
    const VerifiedCert v = verifyIssued(pki.input(leaf));
    BOOST_TEST(v.chain.size() == 1u);
    BOOST_TEST(test::sha256Fingerprint(*v.chain.at(0)) ==
               test::sha256Fingerprint(pki.inter.cert()));
    BOOST_TEST(v.certPem == leaf); // canonical re-encoding of the same DER
    BOOST_TEST(v.chainPem == pki.inter.certPem());
    BOOST_TEST(v.fullchainPem == leaf + pki.inter.certPem());
    BOOST_TEST(v.facts.sha256 == test::sha256Fingerprint(*v.leaf));

    writeFile(pki.dir / "cert.pem", v.certPem);
    writeFile(pki.dir / "chain.pem", v.chainPem);
    writeFile(pki.dir / "fullchain.pem", v.fullchainPem);
    auto r = openssl({"verify", "-CAfile", pki.rootFile, "-untrusted", pki.dir / "chain.pem",
                      pki.dir / "cert.pem"});
    BOOST_TEST(r.exitCode == 0, r.output);
    r = openssl({"verify", "-CAfile", pki.rootFile, "-untrusted", pki.dir / "fullchain.pem",
                 pki.dir / "cert.pem"});
    BOOST_TEST(r.exitCode == 0, r.output);
    // The check can fail: without the chain there is no path.
    r = openssl({"verify", "-CAfile", pki.rootFile, pki.dir / "cert.pem"});
    BOOST_TEST(r.exitCode != 0);
}

BOOST_AUTO_TEST_CASE(messy_ca_code_yields_the_path_in_order) {
    Pki pki;
    TestCa inter2 = pki.inter.makeIntermediate("Certagent Issuing CA 2");
    TestCa oldRoot = TestCa::makeRoot("Certagent Old Root");
    CertSpec expiredSpec;
    expiredSpec.notBeforeOffset = -400L * 86400;
    expiredSpec.notAfterOffset = -30L * 86400;
    const std::string expiredCrossInter = toPem(*oldRoot.crossSign(pki.inter, expiredSpec));
    const std::string expiredCrossRoot = toPem(*oldRoot.crossSign(pki.root, expiredSpec));
    const std::string leaf = toPem(*inter2.issue(*pki.key, pki.leafSpec()));

    const std::vector<std::string> caCodes = {
        pki.inter.certPem() + inter2.certPem(),                                          // reversed
        inter2.certPem() + inter2.certPem() + pki.inter.certPem() + pki.inter.certPem(), // dups
        inter2.certPem() + pki.inter.certPem() + pki.root.certPem(),                     // root
        expiredCrossInter + pki.inter.certPem() + inter2.certPem() + expiredCrossRoot,   // cross
    };
    const std::vector<std::string> expected = {test::sha256Fingerprint(inter2.cert()),
                                               test::sha256Fingerprint(pki.inter.cert())};
    for (const auto& ca : caCodes) {
        const VerifiedCert v = verifyIssued(pki.input(leaf, ca));
        BOOST_TEST(fingerprints(v.chain) == expected, boost::test_tools::per_element());
        BOOST_TEST(v.chainPem == inter2.certPem() + pki.inter.certPem());
        writeFile(pki.dir / "chain.pem", v.chainPem);
        writeFile(pki.dir / "cert.pem", v.certPem);
        const auto r = openssl({"verify", "-CAfile", pki.rootFile, "-untrusted",
                                pki.dir / "chain.pem", pki.dir / "cert.pem"});
        BOOST_TEST(r.exitCode == 0, r.output);
    }
}

BOOST_AUTO_TEST_CASE(an_expired_intermediate_on_the_only_path_is_refused) {
    Pki pki;
    TestCa oldRoot = TestCa::makeRoot("Certagent Old Root");
    CertSpec expiredSpec;
    expiredSpec.notBeforeOffset = -400L * 86400;
    expiredSpec.notAfterOffset = -30L * 86400;
    GateInput in = pki.input(pki.leafPem(), toPem(*oldRoot.crossSign(pki.inter, expiredSpec)));
    writeFile(pki.dir / "both.pem", pki.root.certPem() + oldRoot.certPem());
    in.trustCaFile = pki.dir / "both.pem";
    expectFailure(in, GateFailure::Expired);
}

BOOST_AUTO_TEST_CASE(leaf_issued_by_the_root_has_an_empty_chain) {
    Pki pki;
    const VerifiedCert v = verifyIssued(
        pki.input(toPem(*pki.root.issue(*pki.key, pki.leafSpec())), pki.root.certPem()));
    BOOST_TEST(v.chain.empty());
    BOOST_TEST(v.chainPem.empty());
    BOOST_TEST(v.fullchainPem == v.certPem);
}

BOOST_AUTO_TEST_CASE(no_path_to_a_trusted_root_is_refused) {
    Pki pki;
    TestCa otherRoot = TestCa::makeRoot("Someone Else Root");
    TestCa otherInter = otherRoot.makeIntermediate("Someone Else Intermediate");
    // Wrong intermediate.
    expectFailure(pki.input(pki.leafPem(), otherInter.certPem()), GateFailure::NoTrustedPath);
    // A whole foreign chain, its root included.
    const std::string foreign = toPem(*otherInter.issue(*pki.key, pki.leafSpec()));
    expectFailure(pki.input(foreign, otherInter.certPem() + otherRoot.certPem()),
                  GateFailure::NoTrustedPath);
    // A leaf whose signature was tampered with.
    std::string der = toDer(*pki.inter.issue(*pki.key, pki.leafSpec()));
    der.back() = static_cast<char>(der.back() ^ 0x01);
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    X509Ptr tampered(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    BOOST_REQUIRE(tampered);
    expectFailure(pki.input(toPem(*tampered)), GateFailure::NoTrustedPath);
    // Our chain against the system store (the test root is not in it).
    GateInput in = pki.input(pki.leafPem());
    in.trustCaFile.clear();
    expectFailure(in, GateFailure::NoTrustedPath);
}

BOOST_AUTO_TEST_CASE(key_mismatch_is_refused) {
    Pki pki;
    auto otherKey = makeKey(KeyKind::EcP256);
    const GateError e = expectFailure(pki.input(toPem(*pki.inter.issue(*otherKey, pki.leafSpec()))),
                                      GateFailure::KeyMismatch);
    BOOST_TEST(e.exitCode() == 4);
}

BOOST_AUTO_TEST_CASE(names_must_be_covered_exactly) {
    Pki pki;
    CertSpec spec = pki.leafSpec();
    spec.names = {"example.com"};
    const GateError e = expectFailure(pki.input(pki.leafPem(spec)), GateFailure::NamesNotCovered);
    BOOST_TEST(std::string(e.what()).find("www.example.com") != std::string::npos);

    spec.names = {"example.com", "*.example.com"}; // wildcard SAN, name not configured as such
    expectFailure(pki.input(pki.leafPem(spec)), GateFailure::NamesNotCovered);

    GateInput in = pki.input(pki.leafPem(spec));
    in.names = {"example.com", "*.example.com"};
    BOOST_CHECK_NO_THROW(verifyIssued(in));

    spec.names = {"Example.COM", "WWW.example.com", "extra.example.net"};
    BOOST_CHECK_NO_THROW(verifyIssued(pki.input(pki.leafPem(spec))));
}

BOOST_AUTO_TEST_CASE(expired_is_refused_with_injected_time) {
    Pki pki;
    CertSpec spec = pki.leafSpec();
    spec.notBeforeOffset = -100L * 86400;
    spec.notAfterOffset = -60;
    expectFailure(pki.input(pki.leafPem(spec)), GateFailure::Expired);

    GateInput in = pki.input(pki.leafPem());
    in.now += std::chrono::hours(24 * 91); // past the 90-day leaf
    const GateError e = expectFailure(in, GateFailure::Expired);
    BOOST_TEST(e.exitCode() == 4);
}

BOOST_AUTO_TEST_CASE(not_yet_valid_defers_beyond_the_skew) {
    Pki pki;
    CertSpec spec = pki.leafSpec();
    spec.notBeforeOffset = 3600;
    const GateError e = expectFailure(pki.input(pki.leafPem(spec)), GateFailure::NotYetValid);
    BOOST_TEST(e.exitCode() == 3);

    spec.notBeforeOffset = 60; // within the skew
    BOOST_CHECK_NO_THROW(verifyIssued(pki.input(pki.leafPem(spec))));

    GateInput in = pki.input(pki.leafPem()); // notBefore = now - 1h
    in.now -= std::chrono::hours(2);
    expectFailure(in, GateFailure::NotYetValid);

    // A real refusal wins over a defer.
    spec.notBeforeOffset = 3600;
    spec.names = {"example.com"};
    expectFailure(pki.input(pki.leafPem(spec)), GateFailure::NamesNotCovered);
}

BOOST_AUTO_TEST_CASE(ca_leaf_is_refused) {
    Pki pki;
    CertSpec spec = pki.leafSpec();
    spec.isCa = true;
    expectFailure(pki.input(pki.leafPem(spec)), GateFailure::LeafIsCa);
}

BOOST_AUTO_TEST_CASE(leaf_without_server_auth_is_refused) {
    Pki pki;
    CertSpec spec = pki.leafSpec();
    spec.serverAuth = false; // EKU clientAuth only
    expectFailure(pki.input(pki.leafPem(spec)), GateFailure::NoServerAuth);
    // No EKU at all: refused too (CA/B BR require one on subscriber certificates).
    auto leaf = pki.inter.issue(*pki.key, pki.leafSpec());
    auto noEku = resign(*leaf, pki.inter.key(), EVP_sha256(), NID_ext_key_usage);
    expectFailure(pki.input(toPem(*noEku)), GateFailure::NoServerAuth);
    // The re-signing helper itself yields an acceptable cert when nothing is dropped.
    BOOST_CHECK_NO_THROW(
        verifyIssued(pki.input(toPem(*resign(*leaf, pki.inter.key(), EVP_sha256())))));
}

BOOST_AUTO_TEST_CASE(weak_keys_are_refused) {
    Pki pki;
    pki.key = makeKey(KeyKind::Rsa1024);
    expectFailure(pki.input(pki.leafPem()), GateFailure::WeakKey);

    pki.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1"));
    BOOST_REQUIRE(pki.key);
    expectFailure(pki.input(pki.leafPem()), GateFailure::WeakKey);

    pki.key = makeKey(KeyKind::EcP384);
    BOOST_CHECK_NO_THROW(verifyIssued(pki.input(pki.leafPem())));

    pki.key = makeKey(KeyKind::EcP256);
    TestCa weakInter = pki.root.makeIntermediate("Weak Intermediate", KeyKind::Rsa1024);
    const GateError e = expectFailure(
        pki.input(toPem(*weakInter.issue(*pki.key, pki.leafSpec())), weakInter.certPem()),
        GateFailure::WeakKey);
    BOOST_TEST(std::string(e.what()).find("Weak Intermediate") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(weak_signatures_are_refused) {
    Pki pki;
    CertSpec spec = pki.leafSpec();
    spec.digest = Digest::Sha1;
    const GateError e = expectFailure(pki.input(pki.leafPem(spec)), GateFailure::WeakSignature);
    BOOST_TEST(std::string(e.what()).find("SHA1") != std::string::npos, e.what());

    CertSpec interSpec;
    interSpec.notAfterOffset = 365L * 86400;
    interSpec.digest = Digest::Sha1;
    TestCa sha1Inter = pki.root.makeIntermediate("SHA1 Intermediate", interSpec);
    expectFailure(pki.input(toPem(*sha1Inter.issue(*pki.key, pki.leafSpec())), sha1Inter.certPem()),
                  GateFailure::WeakSignature);

    // MD5 (RSA issuer, since there is no ECDSA-with-MD5).
    TestCa rsaInter = pki.root.makeIntermediate("RSA Intermediate", KeyKind::Rsa2048);
    auto leaf = rsaInter.issue(*pki.key, pki.leafSpec());
    expectFailure(pki.input(toPem(*resign(*leaf, rsaInter.key(), EVP_md5())), rsaInter.certPem()),
                  GateFailure::WeakSignature);
    spec.digest = Digest::Sha384;
    BOOST_CHECK_NO_THROW(verifyIssued(pki.input(pki.leafPem(spec))));
}

BOOST_AUTO_TEST_CASE(bad_pem_is_refused_with_context_and_field) {
    Pki pki;
    const std::string keyBlock = keyToPem(*pki.key);
    GateError e = expectFailure(pki.input(pki.leafPem() + keyBlock), GateFailure::BadPem);
    BOOST_TEST(std::string(e.what()) == "order 1840217: crt_code: contains a private key block");
    e = expectFailure(pki.input(pki.leafPem(), pki.inter.certPem() + "junk\n"),
                      GateFailure::BadPem);
    BOOST_TEST(std::string(e.what()).find("ca_code: ") != std::string::npos);
    expectFailure(pki.input(pki.leafPem(), ""), GateFailure::BadPem);
}

BOOST_AUTO_TEST_CASE(missing_key_and_unreadable_anchor_file) {
    Pki pki;
    GateInput in = pki.input(pki.leafPem());
    in.trustCaFile = pki.dir / "nope.pem";
    BOOST_CHECK_THROW(verifyIssued(in), ConfigError);
    in = pki.input(pki.leafPem());
    in.localKey = nullptr;
    BOOST_CHECK_THROW(verifyIssued(in), CryptoError);
}

BOOST_AUTO_TEST_CASE(inspect_live_files) {
    Pki pki;
    LiveFiles files;
    files.certPem = pki.leafPem();
    files.chainPem = pki.inter.certPem();
    files.keyPem = keyToPem(*pki.key);
    files.names = pki.names;
    files.trustCaFile = pki.rootFile;
    files.context = "live/shop";
    LiveCheck c = inspectLive(files);
    BOOST_TEST(c.ok, c.message);
    BOOST_TEST(c.hasFacts);

    LiveFiles other = files;
    other.keyPem = keyToPem(*makeKey(KeyKind::EcP256));
    c = inspectLive(other);
    BOOST_TEST(!c.ok);
    BOOST_TEST(gateFailureName(c.failure) == "key-mismatch");
    BOOST_TEST(c.hasFacts);

    other = files;
    other.keyPem = "not a key";
    c = inspectLive(other);
    BOOST_TEST(gateFailureName(c.failure) == "bad-key");
    BOOST_TEST(c.message.find("not a key") == std::string::npos);

    other = files;
    other.now += std::chrono::hours(24 * 100);
    c = inspectLive(other);
    BOOST_TEST(gateFailureName(c.failure) == "expired");
    BOOST_TEST(c.hasFacts);

    other = files;
    other.now -= std::chrono::hours(2);
    c = inspectLive(other);
    BOOST_TEST(gateFailureName(c.failure) == "not-yet-valid");

    other = files;
    other.chainPem.clear(); // the intermediate is needed
    c = inspectLive(other);
    BOOST_TEST(gateFailureName(c.failure) == "no-trusted-path");

    other = files;
    other.certPem = toPem(*pki.root.issue(*pki.key, pki.leafSpec()));
    other.chainPem = "\n";
    c = inspectLive(other);
    BOOST_TEST(c.ok, c.message);

    other = files;
    other.certPem += files.chainPem;
    c = inspectLive(other);
    BOOST_TEST(gateFailureName(c.failure) == "bad-pem");
    BOOST_TEST(c.message.rfind("live/shop: cert.pem: ", 0) == 0, c.message);
}

BOOST_AUTO_TEST_SUITE_END()
