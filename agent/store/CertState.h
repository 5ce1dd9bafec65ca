#pragma once

#include <ctime>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace certagent::store {

/// Where a certificate's order stands (state machine of ARCHITECTURE.md). Text only in the file.
enum class Phase { Idle, Ordering, Validating, Issued, Installed, Failed };

/// "idle", "ordering", ... as written in state/NAME.json.
const char* phaseName(Phase phase);
/// Writes phaseName(phase) (for messages and test output).
std::ostream& operator<<(std::ostream& out, Phase phase);

/// An order at a CA: the backend that knows it ("gogetssl", "acme", "acme-NAME") and its id there
/// (a GoGetSSL order number, an ACME order URL). Empty id = no order.
struct OrderRef {
    std::string backend;
    std::string id;
    bool empty() const { return id.empty(); }
    bool operator==(const OrderRef& o) const { return backend == o.backend && id == o.id; }
    bool operator!=(const OrderRef& o) const { return !(*this == o); }
};

/// The persisted state of one certificate (state/NAME.json). Semantics belong to the run loop;
/// the store only serialises. Times are seconds since the epoch, written as ISO 8601 UTC.
struct CertState {
    Phase phase = Phase::Idle;
    OrderRef order; ///< the order in progress or last placed; empty = none
    /// Phase::Ordering: what was being placed ("new order", "reissue", ...; the backend's word) and
    /// `order` the order it concerns, so the next run can settle it with the CA. "" otherwise.
    std::string placing;
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
    // ACME Renewal Information (RFC 9773) for the live certificate; cleared when it changes.
    std::string ariCertId;                     ///< the CA's name of the live certificate
    std::optional<std::time_t> ariWindowStart; ///< the CA's suggested window
    std::optional<std::time_t> ariWindowEnd;
    std::optional<std::time_t> ariChosen;    ///< random time in the window, kept while it stays
    std::optional<std::time_t> ariNextCheck; ///< when to ask the CA again

    /// JSON object text (Poco::JSON), stable key names in camelCase. The order is written as
    /// "backend" + "orderRef", and a numeric id also as "orderId" (what older files and tools
    /// read).
    std::string toJson() const;
    /// Parses toJson() output; unknown keys are ignored, missing ones default; a file with only a
    /// numeric "orderId" (written before order references) reads as a GoGetSSL order. Throws
    /// Error (kExitInternal) if the text is not a JSON object, a field has the wrong type or the
    /// phase is not one of phaseName()'s words.
    static CertState fromJson(const std::string& json);
};

} // namespace certagent::store
