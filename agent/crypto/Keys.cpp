#include "crypto/Keys.h"

#include "crypto/OpenSslError.h"
#include "util/Error.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

namespace certagent::crypto {

namespace {

struct KeyTypeEntry {
    KeyType type;
    const char* name;
};

constexpr KeyTypeEntry kKeyTypes[] = {
    {KeyType::Rsa2048, "rsa-2048"}, {KeyType::Rsa3072, "rsa-3072"}, {KeyType::Rsa4096, "rsa-4096"},
    {KeyType::EcP256, "ec-p256"},   {KeyType::EcP384, "ec-p384"},
};

std::string ecGroupName(const EVP_PKEY& key) {
    char name[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(&key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) !=
        1) {
        ERR_clear_error();
        return {};
    }
    return std::string(name, len);
}

} // namespace

KeyType parseKeyType(const std::string& text) {
    for (const auto& entry : kKeyTypes)
        if (text == entry.name)
            return entry.type;
    throw ConfigError("key: unknown key type \"" + text +
                      "\" (expected rsa-2048, rsa-3072, rsa-4096, ec-p256 or ec-p384)");
}

std::string keyTypeName(KeyType type) {
    for (const auto& entry : kKeyTypes)
        if (type == entry.type)
            return entry.name;
    return "unknown";
}

std::optional<KeyType> keyTypeOf(const EVP_PKEY& key) {
    switch (EVP_PKEY_get_base_id(&key)) {
    case EVP_PKEY_RSA:
        switch (EVP_PKEY_get_bits(&key)) {
        case 2048:
            return KeyType::Rsa2048;
        case 3072:
            return KeyType::Rsa3072;
        case 4096:
            return KeyType::Rsa4096;
        default:
            return std::nullopt;
        }
    case EVP_PKEY_EC: {
        const std::string group = ecGroupName(key);
        if (group == "prime256v1" || group == "P-256")
            return KeyType::EcP256;
        if (group == "secp384r1" || group == "P-384")
            return KeyType::EcP384;
        return std::nullopt;
    }
    default:
        return std::nullopt;
    }
}

EvpPkeyPtr generateKey(KeyType type) {
    EVP_PKEY* raw = nullptr;
    switch (type) {
    case KeyType::Rsa2048:
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
        break;
    case KeyType::Rsa3072:
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072});
        break;
    case KeyType::Rsa4096:
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{4096});
        break;
    case KeyType::EcP256:
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
        break;
    case KeyType::EcP384:
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
        break;
    }
    EvpPkeyPtr key(raw);
    if (!key)
        throwOpenSsl("generating " + keyTypeName(type) + " key");
    return key;
}

std::string privateKeyToPem(const EVP_PKEY& key) {
    // Secure-memory BIO: the buffer is cleansed when freed.
    BioPtr bio(BIO_new(BIO_s_secmem()));
    if (!bio)
        throwOpenSsl("encoding private key");
    if (PEM_write_bio_PrivateKey(bio.get(), &key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throwOpenSsl("encoding private key");
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
}

EvpPkeyPtr privateKeyFromPem(const std::string& pem, const std::string& what) {
    if (pem.empty())
        throw CryptoError(what + ": empty private key file");
    BioPtr bio(BIO_new(BIO_s_secmem()));
    if (!bio || BIO_write(bio.get(), pem.data(), static_cast<int>(pem.size())) !=
                    static_cast<int>(pem.size()))
        throwOpenSsl(what + ": reading private key");
    // An empty passphrase callback: an encrypted key fails instead of prompting on a tty.
    auto noPass = [](char*, int, int, void*) -> int { return 0; };
    EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, noPass, nullptr));
    if (!key)
        throwOpenSsl(what + ": reading private key");
    return key;
}

bool keyMatches(const X509& cert, const EVP_PKEY& key) {
    const EVP_PKEY* pub = X509_get0_pubkey(&cert);
    const bool match = pub != nullptr && EVP_PKEY_eq(pub, &key) == 1;
    ERR_clear_error();
    return match;
}

} // namespace certagent::crypto
