#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace certagent::core {

/// What the node_exporter textfile says about one certificate. Times are seconds since the epoch.
struct CertMetrics {
    std::string name;                       ///< certificate name (label `name`)
    std::optional<std::time_t> notAfter;    ///< live certificate's notAfter; none: nothing live
    std::optional<std::time_t> lastSuccess; ///< last run that ended well for this certificate
    std::optional<std::time_t> lastFailure; ///< last run that failed for it
    std::string orderState;                 ///< CertState::phase (idle|ordering|validating|...)
    int lastExit = 0;                       ///< exit code of its last run (README "Exit codes")
    std::string deployedSha256;             ///< the leaf this host serves (not exported)
    std::optional<bool> clusterBehind;      ///< fleet: not serving the fleet's current version
    std::string orderHolder;                ///< fleet: host holding an order in progress
    std::optional<std::time_t> ariRenewAt;  ///< renewal time chosen in the CA's window (ARI)
    /// The last daily probe: the web server served the live version (true) or something else;
    /// none: not probed (no installer, or not yet).
    std::optional<bool> servedMatchesLive;
};

/// Prometheus text exposition format (HELP/TYPE lines, label values escaped) for `certs`, with
/// `now` used for certagent_cert_seconds_left. Metrics: certagent_cert_not_after_seconds,
/// certagent_cert_seconds_left, certagent_cert_last_success_seconds,
/// certagent_cert_last_failure_seconds, certagent_cert_order_state{state=...} (1 for the current
/// state), certagent_cert_last_exit_code, certagent_cert_ari_renew_at_seconds (only when some
/// certificate has one), certagent_cert_served_matches_live (1 or 0), certagent_last_run_seconds;
/// in a fleet (`clusterUp` set) also certagent_cluster_up, certagent_cert_cluster_behind and
/// certagent_cert_order_holder{name,host}. Absent optionals are omitted for that certificate.
std::string formatMetrics(const std::vector<CertMetrics>& certs, std::time_t now,
                          std::optional<bool> clusterUp = std::nullopt);

/// Writes formatMetrics() to `path` atomically (temp file in the same directory, mode 0644,
/// rename), so node_exporter never reads half a file. `path` empty: does nothing.
/// Throws IoError naming the path.
void writeMetrics(const std::string& path, const std::vector<CertMetrics>& certs,
                  std::time_t now = std::time(nullptr),
                  std::optional<bool> clusterUp = std::nullopt);

} // namespace certagent::core
