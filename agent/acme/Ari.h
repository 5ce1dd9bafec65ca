#pragma once

// ACME Renewal Information (RFC 9773): the certificate identifier, the CA's suggested window and
// the random renewal time inside it.

#include "acme/AcmeClient.h"
#include "crypto/OpenSslTypes.h"

#include <chrono>
#include <optional>
#include <random>
#include <string>

namespace certagent::acme {

/// When to ask again after an ARI error (RFC 9773 §4.3.3), and the bounds of a Retry-After.
constexpr std::chrono::seconds kAriErrorRetry{6 * 3600};
constexpr std::chrono::seconds kAriMinRetry{60};

/// The certID (RFC 9773 §4.1): base64url(AKI keyIdentifier) "." base64url(the serial's DER
/// INTEGER content octets, a leading 0x00 kept). Throws CryptoError when the certificate has no
/// authority key identifier or an unusable serial.
std::string ariCertId(const X509& leaf);

/// The CA's suggestion for one certificate.
struct RenewalInfo {
    std::chrono::system_clock::time_point windowStart;
    std::chrono::system_clock::time_point windowEnd; ///< after windowStart
    std::string explanationUrl; ///< raw server text for humans (escape before showing)
    /// When to ask again: Retry-After clamped to [kAriMinRetry, 24 h]; kAriErrorRetry if absent.
    std::chrono::seconds retryAfter{kAriErrorRetry};
};

/// GET {renewalInfo}/{certID} (unauthenticated, same-origin, one attempt): nullopt when the
/// directory offers no renewalInfo. Throws AcmeError; the caller asks again after
/// kAriErrorRetry.
std::optional<RenewalInfo> fetchRenewalInfo(AcmeClient& client, const std::string& certId);

/// One uniformly random time in [windowStart, windowEnd); `now` when the window is already over
/// (the CA wants the certificate replaced at once).
std::chrono::system_clock::time_point chooseRenewalTime(const RenewalInfo& info,
                                                        std::chrono::system_clock::time_point now,
                                                        std::mt19937_64& rng);

} // namespace certagent::acme
