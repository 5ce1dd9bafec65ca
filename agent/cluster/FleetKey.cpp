#include "cluster/FleetKey.h"

#include "crypto/OpenSslError.h"
#include "util/Error.h"
#include "util/FileIo.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

std::string octal(unsigned mode) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
    return buf;
}

/// Reads the whole (small) file behind `fd` into a string the caller wipes.
std::string readSmall(int fd, const std::string& display) {
    std::string text(kMaxKeyFileBytes + 1, '\0');
    std::size_t used = 0;
    while (used < text.size()) {
        const ssize_t n = ::read(fd, &text[used], text.size() - used);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            const int err = errno;
            wipe(text);
            throw ConfigError(display + ": cannot read: " + errnoText(err));
        }
        if (n == 0) {
            break;
        }
        used += static_cast<std::size_t>(n);
    }
    if (used > kMaxKeyFileBytes) {
        wipe(text);
        throw ConfigError(display + ": larger than 4 KiB");
    }
    OPENSSL_cleanse(&text[used], text.size() - used);
    text.resize(used); // shrinking keeps the buffer, so wipe() still covers every byte
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
    // O_NONBLOCK: a FIFO planted in the key's place must not hang the run (fstat refuses it).
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd.valid()) {
        const int err = errno;
        if (err == ENOENT) {
            throw ConfigError(display + ": no such file");
        }
        if (err == ELOOP) {
            throw ConfigError(display + ": is a symbolic link, which certagent does not follow "
                                        "here (put the file itself in its place)");
        }
        throw ConfigError(display + ": cannot open: " + errnoText(err));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        throw ConfigError(display + ": cannot stat: " + errnoText(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        throw ConfigError(display + ": not a regular file");
    }
    if ((st.st_mode & 077) != 0) {
        throw ConfigError(display + ": must be mode 0600 or stricter (is " + octal(st.st_mode) +
                          ")");
    }
    if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
        throw ConfigError(display + ": owned by uid " + std::to_string(st.st_uid) +
                          ", not root or the running user");
    }
    std::string text = readSmall(fd.get(), display);
    try {
        FleetKey key = fromBase64(text, display);
        wipe(text);
        return key;
    } catch (...) {
        wipe(text);
        throw;
    }
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
