#include "acme/Ari.h"

#include "acme/Json.h"
#include "crypto/OpenSslError.h"
#include "util/Error.h"
#include "util/Text.h"

#include <openssl/x509v3.h>

#include <algorithm>

namespace certagent::acme {
namespace {

using std::chrono::system_clock;

system_clock::time_point rfc3339(const detail::Fields& f, const std::string& key) {
    const std::string text = f.str(key);
    const auto at = parseRfc3339(text);
    if (!at) {
        f.fail(key, "not an RFC 3339 time: \"" + escapeForLog(text, 64) + "\"");
    }
    return *at;
}

RenewalInfo readRenewalInfo(const Reply& reply) {
    const auto obj = detail::parseJson(reply.body, "renewalInfo");
    const detail::Fields f(*obj, "renewalInfo");
    const auto window = f.object("suggestedWindow");
    if (!window) {
        f.fail("suggestedWindow", "missing");
    }
    const detail::Fields w(*window, "renewalInfo.suggestedWindow");
    RenewalInfo info;
    info.windowStart = rfc3339(w, "start");
    info.windowEnd = rfc3339(w, "end");
    if (info.windowEnd <= info.windowStart) {
        w.fail("end", "not after start");
    }
    info.explanationUrl = f.optStr("explanationURL");
    if (reply.retryAfter) {
        info.retryAfter = std::max(*reply.retryAfter, kAriMinRetry);
    }
    return info;
}

} // namespace

std::string ariCertId(const X509& leaf) {
    X509* cert = const_cast<X509*>(&leaf); // the getter caches extensions, it changes nothing
    const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(cert);
    if (!aki || ASN1_STRING_length(aki) <= 0) {
        throw CryptoError("ARI certID: the certificate has no authority key identifier");
    }
    unsigned char* der = nullptr;
    const int len = i2d_ASN1_INTEGER(X509_get0_serialNumber(cert), &der);
    if (len <= 0) {
        crypto::throwOpenSsl("ARI certID: encoding the serial");
    }
    const std::string serial(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    // Only byte-level step allowed: skip the INTEGER's 2-byte header (serials ≤ 20 octets use the
    // short length form).
    if (len < 3 || serial[0] != 0x02 || static_cast<unsigned char>(serial[1]) >= 0x80 ||
        static_cast<int>(static_cast<unsigned char>(serial[1])) != len - 2) {
        throw CryptoError("ARI certID: serial longer than 127 octets");
    }
    const std::string keyId(reinterpret_cast<const char*>(ASN1_STRING_get0_data(aki)),
                            static_cast<std::size_t>(ASN1_STRING_length(aki)));
    return b64url(keyId) + "." + b64url(serial.substr(2));
}

std::optional<RenewalInfo> fetchRenewalInfo(AcmeClient& client, const std::string& certId) {
    std::string base = client.directory().renewalInfo;
    if (base.empty()) {
        return std::nullopt;
    }
    if (base.back() != '/') {
        base += '/';
    }
    // One attempt: on failure the caller asks again in 6 hours (RFC 9773 §4.3.3), not in seconds.
    const Reply reply = client.get("renewalInfo", base + certId, Repeat::Once);
    return readReply("renewalInfo", reply, [&] { return readRenewalInfo(reply); });
}

system_clock::time_point chooseRenewalTime(const RenewalInfo& info, system_clock::time_point now,
                                           std::mt19937_64& rng) {
    if (info.windowEnd <= now) {
        return now;
    }
    const auto span =
        std::chrono::duration_cast<std::chrono::seconds>(info.windowEnd - info.windowStart);
    std::uniform_int_distribution<long long> pick(0, std::max<long long>(span.count() - 1, 0));
    return info.windowStart + std::chrono::seconds(pick(rng));
}

} // namespace certagent::acme
