#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace certagent::store {

/// The persisted state of one certificate (state/NAME.json). Semantics belong to the run loop;
/// the store only serialises. Times are seconds since the epoch, written as ISO 8601 UTC.
struct CertState {
    std::string phase = "idle"; ///< idle|ordering|validating|issued|installed|failed
    long long orderId = 0;      ///< 0 = none
    std::optional<std::time_t> pendingSince;
    int attempts = 0;
    std::string lastError;
    std::optional<std::time_t> lastErrorAt;
    std::optional<std::time_t> nextCheck;
    std::optional<std::time_t> backoffUntil;
    int consecutiveFailures = 0;
    std::optional<std::time_t> lastSuccess;
    std::optional<std::time_t> lastFailure;
    std::vector<std::string> dcvFiles;   ///< absolute paths this agent created (to remove later)
    std::vector<std::string> dnsRecords; ///< DNS records added through hooks
    std::string lastStatus;              ///< last order status seen from the API
    std::string deployedSha256;          ///< leaf fingerprint last deployed successfully
    std::optional<std::time_t> lastFullCheck; ///< last full OpenSSL verification of live files

    /// JSON object text (Poco::JSON), stable key names in camelCase.
    std::string toJson() const;
    /// Parses toJson() output; unknown keys are ignored, missing ones default. Throws Error
    /// (kExitInternal) if the text is not a JSON object or a field has the wrong type.
    static CertState fromJson(const std::string& json);
};

} // namespace certagent::store
