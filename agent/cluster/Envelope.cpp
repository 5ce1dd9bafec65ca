#include "cluster/Envelope.h"

#include "crypto/OpenSslError.h"
#include "crypto/OpenSslTypes.h"
#include "util/Text.h"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <climits>

namespace certagent::cluster {
namespace {

const unsigned char* bytesOf(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

int intSize(std::size_t n) {
    return n > INT_MAX ? INT_MAX : static_cast<int>(n);
}

crypto::EvpCipherCtxPtr newContext(const char* step) {
    crypto::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx) {
        crypto::throwOpenSsl(step);
    }
    return ctx;
}

/// Decrypts and checks the tag; false (queue cleared) when GCM refuses. `out` has the
/// ciphertext's size.
bool gcmOpen(const FleetKey& key, std::string_view nonce, std::string_view ciphertext,
             std::string_view tag, std::string_view aad, std::string& out) {
    crypto::EvpCipherCtxPtr ctx = newContext("opening sealed data");
    int len = 0;
    unsigned char* dst = reinterpret_cast<unsigned char*>(out.data());
    const bool ok =
        EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
        EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.bytes(), bytesOf(nonce)) == 1 &&
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytesOf(aad), intSize(aad.size())) == 1 &&
        EVP_DecryptUpdate(ctx.get(), dst, &len, bytesOf(ciphertext), intSize(ciphertext.size())) ==
            1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes,
                            const_cast<char*>(tag.data())) == 1 &&
        EVP_DecryptFinal_ex(ctx.get(), dst + len, &len) == 1;
    ERR_clear_error(); // a refused tag leaves nothing worth reporting in the queue
    return ok;
}

} // namespace

std::string envelopeAad(const std::string& cluster, const std::string& keyPath) {
    return "certagent/v1|" + cluster + "|" + keyPath;
}

std::string sealEnvelope(const FleetKey& key, std::string_view plaintext, std::string_view aad) {
    if (plaintext.size() > kMaxSealedBytes - kEnvelopeOverhead) {
        throw CryptoError("sealing: data larger than " +
                          std::to_string(kMaxSealedBytes - kEnvelopeOverhead) + " bytes");
    }
    std::string blob(kEnvelopeOverhead + plaintext.size(), '\0');
    auto* out = reinterpret_cast<unsigned char*>(blob.data());
    out[0] = kEnvelopeVersion;
    blob.replace(1, kKeyIdBytes, key.id());
    unsigned char* nonce = out + 1 + kKeyIdBytes;
    unsigned char* body = nonce + kNonceBytes;
    if (RAND_bytes(nonce, kNonceBytes) != 1) {
        crypto::throwOpenSsl("sealing: random nonce");
    }
    crypto::EvpCipherCtxPtr ctx = newContext("sealing");
    int len = 0;
    bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
              EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.bytes(), nonce) == 1 &&
              EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytesOf(aad), intSize(aad.size())) == 1 &&
              EVP_EncryptUpdate(ctx.get(), body, &len, bytesOf(plaintext),
                                intSize(plaintext.size())) == 1;
    const int written = len;
    ok = ok && EVP_EncryptFinal_ex(ctx.get(), body + written, &len) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, body + plaintext.size()) ==
             1;
    if (!ok || static_cast<std::size_t>(written + len) != plaintext.size()) {
        crypto::throwOpenSsl("sealing");
    }
    return blob;
}

std::string_view envelopeKeyId(std::string_view blob) {
    if (blob.size() < kEnvelopeOverhead || static_cast<unsigned char>(blob[0]) != kEnvelopeVersion)
        return {};
    return blob.substr(1, kKeyIdBytes);
}

Secret openEnvelope(const FleetKeyRing& keys, std::string_view blob, std::string_view aad,
                    const std::string& where) {
    const std::string prefix = "sealed data at " + escapeForLog(where, 200) + ": ";
    if (blob.size() > kMaxSealedBytes) {
        throw EnvelopeError(EnvelopeFailure::TooLarge,
                            prefix + "larger than " + std::to_string(kMaxSealedBytes) + " bytes");
    }
    if (blob.size() < kEnvelopeOverhead) {
        throw EnvelopeError(EnvelopeFailure::Truncated,
                            prefix + "truncated (" + std::to_string(blob.size()) +
                                " bytes, an envelope has at least " +
                                std::to_string(kEnvelopeOverhead) + ")");
    }
    if (static_cast<unsigned char>(blob[0]) != kEnvelopeVersion) {
        throw EnvelopeError(EnvelopeFailure::UnknownVersion,
                            prefix + "unknown envelope version " +
                                std::to_string(static_cast<unsigned char>(blob[0])));
    }
    const std::string_view id = envelopeKeyId(blob);
    const FleetKey* key = id == keys.current.id()            ? &keys.current
                          : keys.old && id == keys.old->id() ? &*keys.old
                                                             : nullptr;
    if (key == nullptr) {
        const std::string idHex = crypto::hexEncode(bytesOf(id), id.size(), false);
        throw EnvelopeError(EnvelopeFailure::UnknownKey,
                            prefix + "sealed with fleet key id " + idHex +
                                ", which is neither fleet_key (id " + keys.current.idHex() + ")" +
                                (keys.old ? " nor fleet_key_old (id " + keys.old->idHex() + ")"
                                          : std::string(" and there is no fleet_key_old")));
    }
    const std::string_view nonce = blob.substr(1 + kKeyIdBytes, kNonceBytes);
    const std::size_t bodySize = blob.size() - kEnvelopeOverhead;
    const std::string_view ciphertext = blob.substr(1 + kKeyIdBytes + kNonceBytes, bodySize);
    const std::string_view tag = blob.substr(blob.size() - kTagBytes);
    std::string plain(bodySize, '\0');
    if (!gcmOpen(*key, nonce, ciphertext, tag, aad, plain)) {
        wipe(plain);
        throw EnvelopeError(EnvelopeFailure::Authentication,
                            prefix + "authentication failed (wrong fleet key, another key path, "
                                     "or altered data)");
    }
    return Secret(std::move(plain));
}

} // namespace certagent::cluster
