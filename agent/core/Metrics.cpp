#include "core/Metrics.h"

#include "util/FileIo.h"

#include <algorithm>
#include <functional>
#include <sstream>

namespace certagent::core {

namespace {

const char* const kStates[] = {"idle", "ordering", "validating", "issued", "installed", "failed"};

/// Prometheus label value escaping: backslash, double quote and newline.
std::string escapeLabel(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

using Getter = std::function<std::optional<long long>(const CertMetrics&)>;

void family(std::ostringstream& out, const std::vector<CertMetrics>& certs, const char* metric,
            const char* help, const Getter& get) {
    out << "# HELP " << metric << ' ' << help << "\n# TYPE " << metric << " gauge\n";
    for (const auto& cert : certs) {
        if (auto value = get(cert))
            out << metric << "{name=\"" << escapeLabel(cert.name) << "\"} " << *value << '\n';
    }
}

std::optional<long long> asValue(const std::optional<std::time_t>& t) {
    if (!t)
        return std::nullopt;
    return static_cast<long long>(*t);
}

void stateFamily(std::ostringstream& out, const std::vector<CertMetrics>& certs) {
    const char* metric = "certagent_cert_order_state";
    out << "# HELP " << metric << " 1 for the certificate's current order state.\n"
        << "# TYPE " << metric << " gauge\n";
    for (const auto& cert : certs) {
        bool known = false;
        for (const char* state : kStates) {
            bool current = cert.orderState == state;
            known = known || current;
            out << metric << "{name=\"" << escapeLabel(cert.name) << "\",state=\"" << state
                << "\"} " << (current ? 1 : 0) << '\n';
        }
        if (!known && !cert.orderState.empty())
            out << metric << "{name=\"" << escapeLabel(cert.name) << "\",state=\""
                << escapeLabel(cert.orderState) << "\"} 1\n";
    }
}

/// The fleet's families (design-fleet §3.9), only for a host in a fleet.
void fleetFamilies(std::ostringstream& out, const std::vector<CertMetrics>& certs, bool up) {
    out << "# HELP certagent_cluster_up 1 when the last run reached the fleet's etcd.\n"
           "# TYPE certagent_cluster_up gauge\ncertagent_cluster_up "
        << (up ? 1 : 0) << '\n';
    family(out, certs, "certagent_cert_cluster_behind",
           "1 when this host does not serve the fleet's current version of the certificate.",
           [](const CertMetrics& c) -> std::optional<long long> {
               if (!c.clusterBehind)
                   return std::nullopt;
               return *c.clusterBehind ? 1 : 0;
           });
    const char* metric = "certagent_cert_order_holder";
    out << "# HELP " << metric << " 1 for the host holding the certificate's order in progress.\n"
        << "# TYPE " << metric << " gauge\n";
    for (const auto& cert : certs)
        if (!cert.orderHolder.empty())
            out << metric << "{name=\"" << escapeLabel(cert.name) << "\",host=\""
                << escapeLabel(cert.orderHolder) << "\"} 1\n";
}

} // namespace

std::string formatMetrics(const std::vector<CertMetrics>& certs, std::time_t now,
                          std::optional<bool> clusterUp) {
    std::ostringstream out;
    family(out, certs, "certagent_cert_not_after_seconds",
           "Expiry (notAfter) of the live certificate, seconds since the epoch.",
           [](const CertMetrics& c) { return asValue(c.notAfter); });
    family(out, certs, "certagent_cert_seconds_left",
           "Seconds until the live certificate expires (negative: expired).",
           [now](const CertMetrics& c) -> std::optional<long long> {
               if (!c.notAfter)
                   return std::nullopt;
               return static_cast<long long>(*c.notAfter) - static_cast<long long>(now);
           });
    family(out, certs, "certagent_cert_last_success_seconds",
           "Time of the last successful run for the certificate, seconds since the epoch.",
           [](const CertMetrics& c) { return asValue(c.lastSuccess); });
    family(out, certs, "certagent_cert_last_failure_seconds",
           "Time of the last failed run for the certificate, seconds since the epoch.",
           [](const CertMetrics& c) { return asValue(c.lastFailure); });
    family(out, certs, "certagent_cert_last_exit_code",
           "Exit code of the last run for the certificate (0 ok, see certagent(8)).",
           [](const CertMetrics& c) -> std::optional<long long> { return c.lastExit; });
    family(out, certs, "certagent_cert_served_matches_live",
           "1 if the web server served the live certificate at the last daily probe, else 0.",
           [](const CertMetrics& c) -> std::optional<long long> {
               if (!c.servedMatchesLive)
                   return std::nullopt;
               return *c.servedMatchesLive ? 1 : 0;
           });
    stateFamily(out, certs);
    // Only where some CA offers renewal information, so other stores' text stays as it was.
    if (std::any_of(certs.begin(), certs.end(), [](const CertMetrics& c) { return c.ariRenewAt; }))
        family(out, certs, "certagent_cert_ari_renew_at_seconds",
               "Renewal time chosen in the CA's suggested window (ARI), seconds since the epoch.",
               [](const CertMetrics& c) { return asValue(c.ariRenewAt); });
    if (clusterUp)
        fleetFamilies(out, certs, *clusterUp);
    out << "# HELP certagent_last_run_seconds Time the metrics were written, seconds since the "
           "epoch.\n# TYPE certagent_last_run_seconds gauge\ncertagent_last_run_seconds "
        << static_cast<long long>(now) << '\n';
    return out.str();
}

void writeMetrics(const std::string& path, const std::vector<CertMetrics>& certs, std::time_t now,
                  std::optional<bool> clusterUp) {
    if (path.empty())
        return;
    writeFileAtomic(path, formatMetrics(certs, now, clusterUp), 0644);
}

} // namespace certagent::core
