#pragma once

#include "core/CaBackend.h"
#include "core/backends/OrderService.h"
#include "crypto/OpenSslTypes.h"

#include <string>

namespace certagent::core {

/// The GoGetSSL reseller API behind the CA seam: new orders (addSSLOrder), reissues of a
/// subscription order (reissueSSLOrder), renew orders at the end of a subscription
/// (addSSLRenewOrder), the status words (only "active" with crt_code is issued; cancelled,
/// rejected, expired are final), Sectigo DCV data, `revalidate`, and the quirk that right after a
/// reissue the order still shows the old certificate as active.
class GoGetSslBackend : public CaBackend {
  public:
    static constexpr const char* kKind = "gogetssl";
    explicit GoGetSslBackend(OrderService& orders);

    std::string kind() const override { return kKind; }
    std::string describe(const OrderRef& order) const override;
    std::optional<OrderRef> configuredOrder(const config::CertConfig& cert) const override;
    std::string adoptOption() const override { return "--order-id ID"; }
    std::string unclearPlacementAdvice() const override {
        return "check the account, then set order_id";
    }
    Plan plan(const PlanInput& input) override;
    std::pair<OrderRef, OrderView> place(const Plan& plan, const OrderContext& context) override;
    OrderView advance(const OrderRef& order, const OrderContext& context) override;
    /// A reissue: the order's csr_code tells (ours: placed; the order still active with another
    /// CSR: never reached the CA). A new or renew order: the account's newest orders are searched
    /// for one whose csr_code carries our key (GoGetSslReconcile.cpp).
    Reconciliation reconcile(const InFlight& placement, const OrderContext& context) override;
    void setDeadline(std::optional<std::chrono::steady_clock::time_point> until) override {
        m_orders.setDeadline(until);
    }
    void challengesPlaced(const OrderRef& order, const OrderContext& context) override;
    /// A reissue of `intended` whose status shows the CSR, else the newest open orders of the
    /// account (getAllSSLOrders) whose status shows it.
    Reconciled findPlaced(const OrderRef& intended, const OrderContext& context) override;
    std::map<std::string, QuickStatus> quickStatuses(const std::vector<OrderRef>& orders) override;

    /// GoGetSSL order ids are positive numbers; throws Error (a bug) for anything else.
    static long long orderNumber(const OrderRef& order);
    static OrderRef ref(long long orderId) { return OrderRef{kKind, std::to_string(orderId)}; }

  private:
    /// The API's clock from a status reply (its time_stamp, else the last reply's Date).
    std::optional<std::time_t> serverTime(const api::OrderStatus& status) const;
    Plan planExisting(const PlanInput& input, long long existing);
    /// The configured webserver_type, else the one of the product's brand (-1 when the product is
    /// not known: a reissue of an order whose status named none).
    int webserverType(const config::CertConfig& cert, long long productId);
    /// The newest order of the account whose csr_code carries the key of `csr`, if any.
    std::optional<long long> orderWithCsr(const X509_REQ& csr);

    OrderService& m_orders;
    std::map<long long, long long> m_productOf; ///< order → product, from the statuses seen
};

} // namespace certagent::core
