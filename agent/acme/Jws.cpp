#include "acme/Jws.h"

#include "crypto/Digest.h"
#include "crypto/Keys.h"
#include "crypto/OpenSslError.h"
#include "util/Error.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <openssl/core_names.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <sstream>

namespace certagent::acme {
namespace {

std::string compactJson(const Poco::JSON::Object& obj) {
    std::ostringstream out;
    obj.stringify(out); // keys sorted (no insertion order kept), no whitespace
    return out.str();
}

std::string coordinate(const EVP_PKEY& key, const char* param, std::size_t bytes) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(&key, param, &raw) != 1) {
        crypto::throwOpenSsl("reading the account key's public point");
    }
    const crypto::BignumPtr bn(raw);
    std::string out(bytes, '\0');
    if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()),
                     static_cast<int>(bytes)) != static_cast<int>(bytes)) {
        crypto::throwOpenSsl("encoding the account key's public point");
    }
    return b64url(out);
}

bool inAlphabet(char c, bool standard) {
    const bool common = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    return common || (standard ? (c == '+' || c == '/') : (c == '-' || c == '_'));
}

std::optional<std::string> decode(std::string_view text, bool standard) {
    std::string padded(text);
    while (!padded.empty() && padded.back() == '=') {
        padded.pop_back();
    }
    if (padded.empty() || padded.size() % 4 == 1 ||
        !std::all_of(padded.begin(), padded.end(),
                     [&](char c) { return inAlphabet(c, standard); })) {
        return std::nullopt;
    }
    padded.append((4 - padded.size() % 4) % 4, '='); // Poco 1.11 decodes padded input only
    std::istringstream in(padded);
    wipe(padded); // may be an EAB key; the stream holds its own copy
    Poco::Base64Decoder decoder(in, standard ? 0 : Poco::BASE64_URL_ENCODING);
    std::string out;
    char c = 0;
    while (decoder.get(c)) {
        out += c;
    }
    if (decoder.bad()) {
        wipe(out);
        return std::nullopt;
    }
    return out;
}

} // namespace

std::string b64url(std::string_view bytes) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    encoder.rdbuf()->setLineLength(0);
    encoder.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    encoder.close();
    return out.str();
}

std::optional<std::string> b64urlDecode(std::string_view text, bool alsoStandard) {
    auto out = decode(text, false);
    if (!out && alsoStandard) {
        out = decode(text, true);
    }
    return out;
}

std::string jwkThumbprint(const Poco::JSON::Object& members) {
    return b64url(crypto::sha256(compactJson(members), "the JWK"));
}

AccountKey::AccountKey(crypto::EvpPkeyPtr key) : m_key(std::move(key)) {
    const auto type = m_key ? crypto::keyTypeOf(*m_key) : std::nullopt;
    if (type == crypto::KeyType::EcP256) {
        m_alg = "ES256";
        m_coordinateBytes = 32;
    } else if (type == crypto::KeyType::EcP384) {
        m_alg = "ES384";
        m_coordinateBytes = 48;
    } else {
        throw CryptoError("account key: must be an EC P-256 or P-384 key");
    }
    m_x = coordinate(*m_key, OSSL_PKEY_PARAM_EC_PUB_X, m_coordinateBytes);
    m_y = coordinate(*m_key, OSSL_PKEY_PARAM_EC_PUB_Y, m_coordinateBytes);
    m_thumbprint = jwkThumbprint(*jwk());
}

AccountKey AccountKey::fromPem(const std::string& pem, const std::string& what) {
    return AccountKey(crypto::privateKeyFromPem(pem, what));
}

Poco::JSON::Object::Ptr AccountKey::jwk() const {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("crv", m_alg == "ES256" ? "P-256" : "P-384");
    out->set("kty", "EC");
    out->set("x", m_x);
    out->set("y", m_y);
    return out;
}

std::string AccountKey::sign(std::string_view input) const {
    const crypto::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    const EVP_MD* md = m_alg == "ES256" ? EVP_sha256() : EVP_sha384();
    std::size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, m_key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
        crypto::throwOpenSsl("signing with the account key");
    }
    std::string der(len, '\0');
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    if (EVP_DigestSign(ctx.get(), out, &len, reinterpret_cast<const unsigned char*>(input.data()),
                       input.size()) != 1) {
        crypto::throwOpenSsl("signing with the account key");
    }
    const unsigned char* p = out;
    const crypto::EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
    if (!sig) {
        crypto::throwOpenSsl("decoding the account key's signature");
    }
    const auto size = static_cast<int>(m_coordinateBytes);
    std::string raw(2 * m_coordinateBytes, '\0');
    auto* r = reinterpret_cast<unsigned char*>(raw.data());
    if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), r, size) != size ||
        BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), r + size, size) != size) {
        crypto::throwOpenSsl("encoding the account key's signature");
    }
    return raw;
}

std::string flattenedJws(const Signer& signer, const std::string& url, const std::string& nonce,
                         const Poco::JSON::Object* payload) {
    Poco::JSON::Object header;
    header.set("alg", signer.key.alg());
    header.set("nonce", nonce);
    header.set("url", url);
    if (signer.kid.empty()) {
        header.set("jwk", signer.key.jwk());
    } else {
        header.set("kid", signer.kid);
    }
    const std::string protectedPart = b64url(compactJson(header));
    const std::string payloadPart = payload ? b64url(compactJson(*payload)) : std::string();
    Poco::JSON::Object jws;
    jws.set("protected", protectedPart);
    jws.set("payload", payloadPart);
    jws.set("signature", b64url(signer.key.sign(protectedPart + "." + payloadPart)));
    return compactJson(jws);
}

Poco::JSON::Object::Ptr eabBinding(const std::string& eabKid, const Secret& hmacKey,
                                   const AccountKey& key, const std::string& newAccountUrl) {
    Poco::JSON::Object header;
    header.set("alg", "HS256");
    header.set("kid", eabKid);
    header.set("url", newAccountUrl);
    const std::string protectedPart = b64url(compactJson(header));
    const std::string payloadPart = b64url(compactJson(*key.jwk()));
    const std::string input = protectedPart + "." + payloadPart;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int macLen = 0;
    const std::string& secret = hmacKey.reveal();
    if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
             &macLen) == nullptr) {
        crypto::throwOpenSsl("computing the external account binding");
    }
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("protected", protectedPart);
    out->set("payload", payloadPart);
    out->set("signature", b64url(std::string_view(reinterpret_cast<const char*>(mac), macLen)));
    return out;
}

Secret decodeEabKey(const std::string& text, const std::string& what) {
    std::string trimmed = text;
    while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) {
        trimmed.pop_back();
    }
    std::optional<std::string> raw = b64urlDecode(trimmed, true);
    wipe(trimmed);
    if (!raw || raw->empty()) {
        throw ConfigError(what + ": not a base64url or base64 HMAC key");
    }
    return Secret(std::move(*raw));
}

std::string keyAuthorization(const std::string& token, const AccountKey& key) {
    return token + "." + key.thumbprint();
}

std::string dns01TxtValue(const std::string& keyAuthorization) {
    return b64url(crypto::sha256(keyAuthorization, "the key authorization"));
}

} // namespace certagent::acme
