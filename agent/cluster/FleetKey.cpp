#include "cluster/FleetKey.h"

#include "crypto/OpenSslError.h"
#include "util/Error.h"
#include "util/TrustedFile.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>

namespace certagent::cluster {
namespace {

constexpr std::size_t kMaxKeyFileBytes = 4096;
constexpr std::size_t kKeyTextChars = 44; // base64 of 32 bytes: 43 characters and one '='

bool isBase64Char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

std::string_view trimmed(std::string_view text) {
    const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && isSpace(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && isSpace(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

} // namespace

FleetKey::FleetKey(Secret raw) : m_key(std::move(raw)) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(bytes(), kFleetKeyBytes, digest);
    m_id.assign(reinterpret_cast<const char*>(digest), kKeyIdBytes);
    OPENSSL_cleanse(digest, sizeof digest);
}

const unsigned char* FleetKey::bytes() const {
    return reinterpret_cast<const unsigned char*>(m_key.reveal().data());
}

std::string FleetKey::idHex() const {
    return crypto::hexEncode(reinterpret_cast<const unsigned char*>(m_id.data()), m_id.size(),
                             false);
}

FleetKey FleetKey::fromBase64(std::string_view text, const std::string& what) {
    const std::string_view t = trimmed(text);
    const bool shape = t.size() == kKeyTextChars && t.back() == '=' &&
                       std::all_of(t.begin(), t.end() - 1, isBase64Char);
    if (!shape) {
        throw ConfigError(what + ": not the base64 text of 32 bytes");
    }
    // EVP_DecodeBlock writes into a buffer we own and wipe; a Poco decoder stream would keep
    // copies of the key that nobody can clear.
    std::string raw(kKeyTextChars / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(&raw[0]),
                                  reinterpret_cast<const unsigned char*>(t.data()),
                                  static_cast<int>(t.size()));
    if (n != static_cast<int>(raw.size())) {
        wipe(raw);
        throw ConfigError(what + ": not the base64 text of 32 bytes");
    }
    OPENSSL_cleanse(&raw[kFleetKeyBytes], raw.size() - kFleetKeyBytes);
    raw.resize(kFleetKeyBytes); // the padding byte decodes to a zero
    return FleetKey(Secret(std::move(raw)));
}

FleetKey FleetKey::load(const std::string& path, const std::string& display) {
    const Secret text =
        readTrustedFile(path, display, TrustedFileRules{0600, false, kMaxKeyFileBytes});
    return fromBase64(text.reveal(), display);
}

Secret FleetKey::generateText() {
    unsigned char raw[kFleetKeyBytes];
    if (RAND_bytes(raw, sizeof raw) != 1) {
        crypto::throwOpenSsl("generating a fleet key");
    }
    std::string text(kKeyTextChars + 2, '\0'); // 44 characters, NUL from EVP, then "\n"
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(&text[0]), raw, sizeof raw);
    OPENSSL_cleanse(raw, sizeof raw);
    text[kKeyTextChars] = '\n';
    text.resize(kKeyTextChars + 1);
    return Secret(std::move(text));
}

} // namespace certagent::cluster
