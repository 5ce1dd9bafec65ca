// JOSE pieces: base64url, the RFC 7638 thumbprint, ES256/ES384 signatures that OpenSSL verifies,
// the flattened JWS (kid, JWK, POST-as-GET) and the External Account Binding.

#include "acme/Jws.h"

#include "FakeAcme.h"
#include "crypto/Keys.h"

#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>
#include <openssl/hmac.h>

using namespace certagent;
using namespace certagent::acme;

namespace {

Poco::JSON::Object::Ptr parseObject(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

/// Verifies a raw R‖S signature by re-encoding it as DER for EVP_DigestVerify.
bool verifies(const AccountKey& key, const std::string& input, const std::string& raw,
              const EVP_MD* md) {
    const std::size_t half = raw.size() / 2;
    const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
    crypto::EcdsaSigPtr sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(bytes, static_cast<int>(half), nullptr);
    BIGNUM* s = BN_bin2bn(bytes + half, static_cast<int>(half), nullptr);
    BOOST_REQUIRE(ECDSA_SIG_set0(sig.get(), r, s) == 1);
    unsigned char* der = nullptr;
    const int derLen = i2d_ECDSA_SIG(sig.get(), &der);
    BOOST_REQUIRE(derLen > 0);
    crypto::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    const bool ok =
        EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, const_cast<EVP_PKEY*>(&key.pkey())) ==
            1 &&
        EVP_DigestVerify(ctx.get(), der, static_cast<std::size_t>(derLen),
                         reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    OPENSSL_free(der);
    return ok;
}

AccountKey newKey(crypto::KeyType type = crypto::KeyType::EcP256) {
    return AccountKey(crypto::generateKey(type));
}

} // namespace

BOOST_AUTO_TEST_SUITE(AcmeJws)

BOOST_AUTO_TEST_CASE(base64url_has_no_padding_and_the_url_alphabet) {
    BOOST_TEST(b64url("") == "");
    BOOST_TEST(b64url("f") == "Zg");
    BOOST_TEST(b64url("fo") == "Zm8");
    BOOST_TEST(b64url("foo") == "Zm9v");
    BOOST_TEST(b64url(std::string("\xfb\xff\xfe", 3)) == "-__-");
    BOOST_TEST(b64url(std::string(100, 'x')).find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(base64url_decoding_accepts_both_paddings_and_refuses_junk) {
    BOOST_TEST(b64urlDecode("Zm8").value() == "fo");
    BOOST_TEST(b64urlDecode("Zm8=").value() == "fo");
    BOOST_TEST(b64urlDecode("-__-").value() == std::string("\xfb\xff\xfe", 3));
    BOOST_TEST(!b64urlDecode("+//+"));
    BOOST_TEST(b64urlDecode("+//+", true).value() == std::string("\xfb\xff\xfe", 3));
    BOOST_TEST(!b64urlDecode(""));
    BOOST_TEST(!b64urlDecode("Z"));
    BOOST_TEST(!b64urlDecode("Zm 8"));
    BOOST_TEST(!b64urlDecode("Zm8\n"));
}

BOOST_AUTO_TEST_CASE(thumbprint_matches_rfc7638_section_3_1) {
    Poco::JSON::Object jwk;
    jwk.set("kty", "RSA");
    jwk.set("e", "AQAB");
    jwk.set("n",
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tS"
            "oc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-"
            "65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qN"
            "Lyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awa"
            "pJzKnqDKgw");
    BOOST_TEST(jwkThumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

BOOST_AUTO_TEST_CASE(ec_jwk_has_the_required_members_and_its_thumbprint) {
    for (auto [type, crv, bytes] : {std::tuple{crypto::KeyType::EcP256, "P-256", 32u},
                                    std::tuple{crypto::KeyType::EcP384, "P-384", 48u}}) {
        const AccountKey key = newKey(type);
        const auto jwk = key.jwk();
        BOOST_TEST(jwk->size() == 4u);
        BOOST_TEST(jwk->getValue<std::string>("kty") == "EC");
        BOOST_TEST(jwk->getValue<std::string>("crv") == crv);
        BOOST_TEST(b64urlDecode(jwk->getValue<std::string>("x")).value().size() == bytes);
        BOOST_TEST(b64urlDecode(jwk->getValue<std::string>("y")).value().size() == bytes);
        BOOST_TEST(key.thumbprint() == jwkThumbprint(*jwk));
        BOOST_TEST(key.thumbprint().size() == 43u);
    }
}

BOOST_AUTO_TEST_CASE(es256_and_es384_signatures_are_raw_r_s_that_openssl_verifies) {
    const AccountKey p256 = newKey();
    const AccountKey p384 = newKey(crypto::KeyType::EcP384);
    BOOST_TEST(p256.alg() == "ES256");
    BOOST_TEST(p384.alg() == "ES384");
    for (int i = 0; i < 20; ++i) { // R or S with leading zero bytes must still be padded
        const std::string input = "protected.payload" + std::to_string(i);
        const std::string s256 = p256.sign(input);
        const std::string s384 = p384.sign(input);
        BOOST_TEST(s256.size() == 64u);
        BOOST_TEST(s384.size() == 96u);
        BOOST_TEST(verifies(p256, input, s256, EVP_sha256()));
        BOOST_TEST(verifies(p384, input, s384, EVP_sha384()));
        BOOST_TEST(!verifies(p256, input + "x", s256, EVP_sha256()));
    }
}

BOOST_AUTO_TEST_CASE(other_keys_are_refused_as_account_keys) {
    BOOST_CHECK_THROW(AccountKey(crypto::generateKey(crypto::KeyType::Rsa2048)), CryptoError);
    BOOST_CHECK_THROW(AccountKey(nullptr), CryptoError);
}

BOOST_AUTO_TEST_CASE(pem_round_trip_keeps_the_thumbprint) {
    const AccountKey key = newKey();
    const AccountKey again =
        AccountKey::fromPem(crypto::privateKeyToPem(key.pkey()), "account.key");
    BOOST_TEST(again.thumbprint() == key.thumbprint());
}

BOOST_AUTO_TEST_CASE(flattened_jws_with_kid_verifies) {
    const AccountKey key = newKey();
    Poco::JSON::Object payload;
    payload.set("csr", "abc");
    certagent::api::HttpRequest req;
    req.body = flattenedJws(Signer{key, "https://ca.test/acct/1"}, "https://ca.test/finalize",
                            "nonce-1", &payload);
    const auto jws = test::decodeJws(req);
    BOOST_TEST(jws.header->size() == 4u);
    BOOST_TEST(jws.header->getValue<std::string>("alg") == "ES256");
    BOOST_TEST(jws.header->getValue<std::string>("kid") == "https://ca.test/acct/1");
    BOOST_TEST(jws.header->getValue<std::string>("nonce") == "nonce-1");
    BOOST_TEST(jws.header->getValue<std::string>("url") == "https://ca.test/finalize");
    BOOST_TEST(!jws.header->has("jwk"));
    BOOST_TEST(jws.payload == R"({"csr":"abc"})");
    BOOST_TEST(verifies(key, jws.protectedB64 + "." + jws.payloadB64, jws.signature, EVP_sha256()));
}

BOOST_AUTO_TEST_CASE(post_as_get_has_an_empty_payload_and_jwk_signer_embeds_the_key) {
    const AccountKey key = newKey();
    certagent::api::HttpRequest req;
    req.body = flattenedJws(Signer{key, ""}, "https://ca.test/order/1", "n", nullptr);
    BOOST_TEST(req.body.find(R"("payload":"")") != std::string::npos);
    const auto jws = test::decodeJws(req);
    BOOST_TEST(jws.payloadB64.empty());
    BOOST_TEST(!jws.header->has("kid"));
    const auto jwk = jws.header->getObject("jwk");
    BOOST_REQUIRE(jwk);
    BOOST_TEST(jwkThumbprint(*jwk) == key.thumbprint());
    BOOST_TEST(verifies(key, jws.protectedB64 + ".", jws.signature, EVP_sha256()));
}

BOOST_AUTO_TEST_CASE(eab_binding_has_the_rfc8555_shape_and_a_valid_hmac) {
    const AccountKey key = newKey();
    const std::string hmacText = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
    const certagent::Secret hmacKey = decodeEabKey(hmacText, "eab_hmac_file");
    BOOST_TEST(hmacKey.reveal().size() == 48u);
    const auto eab = eabBinding("kid-1", hmacKey, key, test::kNewAccountUrl);
    BOOST_TEST(eab->size() == 3u);
    const std::string protectedB64 = eab->getValue<std::string>("protected");
    const std::string payloadB64 = eab->getValue<std::string>("payload");
    const auto header = parseObject(b64urlDecode(protectedB64).value());
    BOOST_TEST(header->size() == 3u);
    BOOST_TEST(header->getValue<std::string>("alg") == "HS256");
    BOOST_TEST(header->getValue<std::string>("kid") == "kid-1");
    BOOST_TEST(header->getValue<std::string>("url") == test::kNewAccountUrl);
    const auto jwk = parseObject(b64urlDecode(payloadB64).value());
    BOOST_TEST(jwkThumbprint(*jwk) == key.thumbprint());
    const std::string input = protectedB64 + "." + payloadB64;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int macLen = 0;
    HMAC(EVP_sha256(), hmacKey.reveal().data(), static_cast<int>(hmacKey.reveal().size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &macLen);
    BOOST_TEST(b64urlDecode(eab->getValue<std::string>("signature")).value() ==
               std::string(reinterpret_cast<const char*>(mac), macLen));
}

BOOST_AUTO_TEST_CASE(eab_key_text_may_be_base64url_or_base64_never_echoed) {
    BOOST_TEST(decodeEabKey("-__-\n", "k").reveal() == std::string("\xfb\xff\xfe", 3));
    BOOST_TEST(decodeEabKey("+//+", "k").reveal() == std::string("\xfb\xff\xfe", 3));
    try {
        decodeEabKey("not base64 !secret!", "eab_hmac_file");
        BOOST_FAIL("expected a ConfigError");
    } catch (const ConfigError& e) {
        BOOST_TEST(std::string(e.what()) == "eab_hmac_file: not a base64url or base64 HMAC key");
        BOOST_TEST(e.exitCode() == 2);
    }
    BOOST_CHECK_THROW(decodeEabKey("", "k"), ConfigError);
}

BOOST_AUTO_TEST_CASE(key_authorization_and_dns01_value) {
    const AccountKey key = newKey();
    const std::string ka = keyAuthorization(test::kToken, key);
    BOOST_TEST(ka == std::string(test::kToken) + "." + key.thumbprint());
    // Independent computation: EVP_Q_digest and EVP_EncodeBlock, then the URL alphabet.
    unsigned char md[32];
    std::size_t mdLen = 0;
    BOOST_REQUIRE(EVP_Q_digest(nullptr, "SHA256", nullptr, ka.data(), ka.size(), md, &mdLen) == 1);
    unsigned char text[64] = {0};
    EVP_EncodeBlock(text, md, 32);
    std::string expected(reinterpret_cast<char*>(text));
    expected.pop_back(); // the one '=' of 32 bytes
    std::replace(expected.begin(), expected.end(), '+', '-');
    std::replace(expected.begin(), expected.end(), '/', '_');
    BOOST_TEST(dns01TxtValue(ka) == expected);
    BOOST_TEST(dns01TxtValue(ka).size() == 43u);
}

BOOST_AUTO_TEST_SUITE_END()
