#pragma once

#include "core/CaBackend.h"
#include "core/backends/AcmeAccount.h"

#include <map>
#include <random>
#include <string>
#include <vector>

namespace certagent::core {

/// An RFC 8555 certificate authority behind the CA seam: one new order per renewal (with ARI's
/// `replaces`), one protocol step per look (authorize, finalize with the pending CSR, download
/// the default and alternate chains), http-01 files below /.well-known/acme-challenge/ or dns-01
/// TXT records through the dns.d hooks, challenges answered once everything is placed, orders
/// with an unclear answer found again in the account's orders list, and renewal information
/// (RFC 9773). A failed order goes back to idle with the backoff (a new one costs nothing).
class AcmeBackend : public CaBackend {
  public:
    /// `kind` is "acme" or "acme-NAME"; `settings` its section of certagent.conf.
    AcmeBackend(std::string kind, const config::AcmeSettings& settings, AcmeEnvironment env);

    std::string kind() const override { return m_kind; }
    std::string describe(const OrderRef& order) const override;
    std::optional<OrderRef> configuredOrder(const config::CertConfig&) const override {
        return std::nullopt;
    }
    std::string adoptOption() const override { return "--order-url URL"; }
    std::string unclearPlacementAdvice() const override {
        return "look for the order in the CA account, then use install --order-url URL";
    }
    Plan plan(const PlanInput& input) override;
    std::pair<OrderRef, OrderView> place(const Plan& plan, const OrderContext& context) override;
    OrderView advance(const OrderRef& order, const OrderContext& context) override;
    void challengesPlaced(const OrderRef& order, const OrderContext& context) override;
    Reconciliation reconcile(const InFlight& placement, const OrderContext& context) override;
    /// In a fleet, a newOrder whose answer was never recorded (the holder died): an unfinished
    /// order for the same names in the (shared) account's orders list; NotFound otherwise.
    Reconciled findPlaced(const OrderRef& intended, const OrderContext& context) override;
    bool offersRenewalHints(const config::CertConfig&) const override {
        return m_account.settings().ari;
    }
    std::optional<RenewalHint> renewalHint(const config::CertConfig& cert,
                                           const std::string& leafPem, std::time_t now) override;

    /// The account (for `certagent acme register|account`).
    AcmeAccount& account() { return m_account; }
    /// `install --order-url URL`: the URL made absolute when it is https on the directory's own
    /// origin; ConfigError (exit 2, nothing sent) otherwise.
    std::string checkOrderUrl(const std::string& url) const;

  private:
    acme::Order newOrder(const config::CertConfig& cert, const std::string& replaces);
    /// The newest pending or ready order for the configured names in the account's orders list
    /// (the newest kMaxReconcileLooks looked at).
    std::optional<OrderRef> openOrder(const std::string& ordersUrl, const OrderContext& context);
    /// The view of an order as fetched: the step it allows is done (finalize, download).
    OrderView viewOf(const acme::Order& order, const OrderContext& context);
    OrderView pendingView(const acme::Order& order, const OrderContext& context);
    OrderView finalize(const acme::Order& order, const OrderContext& context);
    OrderView issuedView(const acme::Order& order);
    OrderView failedView(const acme::Order& order, const OrderContext& context);

    std::string m_kind;
    AcmeAccount m_account;
    /// Challenge URLs offered and not answered yet, per order URL (from the last look this run).
    std::map<std::string, std::vector<std::string>> m_unanswered;
    std::mt19937_64 m_rng;
};

} // namespace certagent::core
