#pragma once

#include "config/Config.h"

#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace certagent::core {

/// What is known about the live certificate of NAME (from meta.json, re-checked by the gate
/// when a full check was due).
struct LiveInfo {
    bool filesOk = true;  ///< the live files passed (or were not re-checked and are unchanged)
    bool expired = false; ///< they failed only because the certificate is past notAfter
    std::string failure;  ///< why they failed, one line
    std::vector<std::string> names;
    std::time_t notBefore = 0;
    std::time_t notAfter = 0;
    std::string keyType; ///< "ec-p256" ...; empty = unknown (not compared)
};

/// Input of the renewal decision; `now` is the seam for a fake clock.
struct RenewalInput {
    std::optional<LiveInfo> live; ///< nullopt: nothing live
    std::vector<std::string> configuredNames;
    std::string configuredKeyType;
    config::RenewBefore before;
    std::time_t now = 0;
    /// The CA's suggested renewal time (ARI), if any: it can only make renewal earlier.
    std::optional<std::time_t> caSuggestsAt;
};

/// The outcome: due or not, why, and when it becomes due.
struct RenewalDecision {
    bool due = false;
    /// Due only because of time: the caller suppresses it when the local clock is far off the
    /// API's (CertRunner::clockAgrees, checked where the order's status is fetched anyway).
    bool expiryBased = false;
    std::string reason; ///< "missing", "names changed: ...", "expires in 12d (renew 16d before)"
    std::time_t renewAt = 0; ///< the earlier of notAfter - renew_before and caSuggestsAt (0 when
                             ///< nothing is live)
};

/// ([renewal] before in README "Configuration reference"): due when missing, live files failing
/// verification, names differ from the SANs, key type changed, less than renew_before of the
/// lifetime left, or the CA's suggested time has come (whichever is first). Never throws.
RenewalDecision decideRenewal(const RenewalInput& input);

/// "12d 3h", "5h 2m", "40s" (negative: "-2d 1h"). For status and logs.
std::string formatRemaining(long long seconds);

} // namespace certagent::core
