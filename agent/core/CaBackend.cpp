#include "core/CaBackend.h"

#include "util/Error.h"

namespace certagent::core {

Reconciliation CaBackend::reconcile(const InFlight& placement, const OrderContext& context) {
    (void)placement;
    (void)context;
    Reconciliation r;
    r.message = unclearPlacementAdvice();
    return r;
}

void CaBackends::add(const std::string& kind, Maker make) {
    m_makers[kind] = std::move(make);
}

CaBackend& CaBackends::of(const config::CertConfig& cert) {
    return named(cert.backend.empty() ? config::kGoGetSslBackend : cert.backend);
}

CaBackend& CaBackends::named(const std::string& kind) {
    if (auto made = m_made.find(kind); made != m_made.end())
        return *made->second;
    auto maker = m_makers.find(kind);
    if (maker == m_makers.end())
        throw ConfigError("no certificate authority backend \"" + kind + "\"");
    return *(m_made[kind] = maker->second());
}

} // namespace certagent::core
