#include "TestCa.h"

#include "TestEnv.h"

#include <boost/test/unit_test.hpp>
#include <openssl/x509v3.h>

using namespace certagent;
using namespace certagent::test;

namespace {

/// X509_verify_cert of leaf against root with the given untrusted intermediates; returns the
/// verify error (X509_V_OK on success).
int verify(const X509& root, const std::vector<const X509*>& untrusted, const X509& leaf) {
    crypto::X509StorePtr store(X509_STORE_new());
    X509_STORE_add_cert(store.get(), const_cast<X509*>(&root));
    crypto::X509StackPtr chain(sk_X509_new_null());
    for (const X509* c : untrusted)
        sk_X509_push(chain.get(), const_cast<X509*>(c));
    crypto::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), const_cast<X509*>(&leaf), chain.get());
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
    int ok = X509_verify_cert(ctx.get());
    int err = X509_STORE_CTX_get_error(ctx.get());
    // The stack does not own the certificates.
    while (sk_X509_num(chain.get()) > 0)
        sk_X509_pop(chain.get());
    return ok == 1 ? X509_V_OK : err;
}

bool hasServerAuth(const X509& cert) {
    return (X509_get_extended_key_usage(const_cast<X509*>(&cert)) & XKU_SSL_SERVER) != 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(TestCaTest)

BOOST_AUTO_TEST_CASE(rootIntermediateLeafVerify) {
    TestCa root = TestCa::makeRoot("Test Root");
    TestCa inter = root.makeIntermediate("Test Intermediate");
    auto key = makeKey();
    CertSpec spec;
    spec.names = {"a.example.com", "b.example.com", "127.0.0.1"};
    auto leaf = inter.issue(*key, spec);
    BOOST_TEST(verify(root.cert(), {&inter.cert()}, *leaf) == X509_V_OK);
    BOOST_TEST(verify(root.cert(), {}, *leaf) == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    BOOST_TEST(X509_check_host(leaf.get(), "b.example.com", 0, 0, nullptr) == 1);
    BOOST_TEST(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0) == 1);
    BOOST_TEST(X509_check_ca(leaf.get()) == 0);
    BOOST_TEST(X509_check_ca(const_cast<X509*>(&inter.cert())) != 0);
    BOOST_TEST(X509_check_private_key(leaf.get(), key.get()) == 1);
    BOOST_TEST(hasServerAuth(*leaf));
}

BOOST_AUTO_TEST_CASE(defectsAreReal) {
    TestCa root = TestCa::makeRoot("Root");
    TestCa inter = root.makeIntermediate("Inter");
    auto key = makeKey(KeyKind::Rsa1024);
    BOOST_TEST(EVP_PKEY_get_bits(key.get()) == 1024);

    CertSpec expired;
    expired.names = {"x.example"};
    expired.notBeforeOffset = -10 * 86400;
    expired.notAfterOffset = -86400;
    BOOST_TEST(verify(root.cert(), {&inter.cert()}, *inter.issue(*key, expired)) ==
               X509_V_ERR_CERT_HAS_EXPIRED);

    CertSpec noEku;
    noEku.names = {"x.example"};
    noEku.serverAuth = false;
    BOOST_TEST(!hasServerAuth(*inter.issue(*key, noEku)));

    CertSpec sha1;
    sha1.names = {"x.example"};
    sha1.digest = Digest::Sha1;
    auto sha1Leaf = inter.issue(*key, sha1);
    BOOST_TEST(X509_get_signature_nid(sha1Leaf.get()) == NID_ecdsa_with_SHA1);

    CertSpec ca;
    ca.names = {"x.example"};
    ca.isCa = true;
    BOOST_TEST(X509_check_ca(inter.issue(*key, ca).get()) != 0);
}

BOOST_AUTO_TEST_CASE(expiredCrossSignHasSameSubjectAndKey) {
    TestCa oldRoot = TestCa::makeRoot("Old Root");
    TestCa newRoot = TestCa::makeRoot("New Root");
    TestCa inter = newRoot.makeIntermediate("Inter");
    CertSpec spec;
    spec.notBeforeOffset = -400 * 86400L;
    spec.notAfterOffset = -86400;
    auto cross = oldRoot.crossSign(inter, spec);
    BOOST_TEST(X509_NAME_cmp(X509_get_subject_name(cross.get()),
                             X509_get_subject_name(&inter.cert())) == 0);
    BOOST_TEST(EVP_PKEY_eq(X509_get0_pubkey(cross.get()), &inter.key()) == 1);
    BOOST_TEST(X509_verify(cross.get(), const_cast<EVP_PKEY*>(&oldRoot.key())) == 1);
    auto key = makeKey();
    CertSpec leafSpec;
    leafSpec.names = {"x.example"};
    auto leaf = inter.issue(*key, leafSpec);
    BOOST_TEST(verify(oldRoot.cert(), {cross.get()}, *leaf) == X509_V_ERR_CERT_HAS_EXPIRED);
    BOOST_TEST(verify(newRoot.cert(), {cross.get(), &inter.cert()}, *leaf) == X509_V_OK);
}

BOOST_AUTO_TEST_CASE(csrAndPemRoundTrip) {
    TempDir dir;
    TestCa root = TestCa::makeRoot("Root", KeyKind::Rsa2048);
    root.save(dir / "ca.pem", dir / "ca.key");
    TestCa loaded = TestCa::load(dir / "ca.pem", dir / "ca.key");
    BOOST_TEST(sha256Fingerprint(loaded.cert()) == sha256Fingerprint(root.cert()));
    BOOST_TEST(keyToPem(loaded.key()) == keyToPem(root.key()));

    auto key = makeKey(KeyKind::EcP384);
    auto csr = csrFromPem(csrToPem(*makeCsr(*key, {"shop.example.net", "api.example.net"})));
    BOOST_TEST(X509_REQ_verify(csr.get(), key.get()) == 1);
    auto names = csrNames(*csr);
    BOOST_TEST(names == (std::vector<std::string>{"shop.example.net", "api.example.net"}),
               boost::test_tools::per_element());
    auto leaf = loaded.issueFromCsr(*csr, {});
    BOOST_TEST(X509_check_private_key(leaf.get(), key.get()) == 1);
    BOOST_TEST(X509_check_host(leaf.get(), "api.example.net", 0, 0, nullptr) == 1);
    auto bundle = certsFromPem(toPem(*leaf) + loaded.certPem());
    BOOST_TEST(bundle.size() == 2u);
    BOOST_TEST(sha256Fingerprint(*bundle[1]) == sha256Fingerprint(root.cert()));
    BOOST_CHECK_THROW(certFromPem("junk"), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
