#include "core/backends/AcmeBackend.h"

#include "acme/Ari.h"
#include "acme/Orders.h"
#include "acme/Wire.h"
#include "core/backends/AcmeChains.h"
#include "crypto/Csr.h"
#include "crypto/Pem.h"
#include "util/Error.h"
#include "util/FaultPoint.h"
#include "util/Text.h"

namespace certagent::core {

namespace {

/// Most orders of the account's list looked at when settling an unclear newOrder (newest first).
constexpr int kMaxReconcileLooks = 20;
/// First pause of --wait between looks: ACME CAs validate and issue within seconds (certbot
/// polls every second); the run loop doubles it from there.
constexpr std::chrono::seconds kPace{1};

std::time_t toTime(std::chrono::system_clock::time_point t) {
    return std::chrono::system_clock::to_time_t(t);
}

Challenge fromTask(const acme::ChallengeTask& task) {
    Challenge c;
    c.domain = task.name;
    if (task.type == "http-01") {
        c.kind = Challenge::Kind::HttpFile;
        c.dir = WellKnownDir::AcmeChallenge;
        c.fileName = task.token;
        c.content = task.content; // computed here (token.thumbprint): no text of the CA's
    } else {
        c.kind = Challenge::Kind::DnsRecord;
        c.dnsName = task.dnsName;
        c.dnsType = "TXT";
        c.dnsValue = task.dnsValue;
    }
    return c;
}

std::string challengeType(const config::CertConfig& cert) {
    return cert.dcv == config::DcvMethod::Dns ? "dns-01" : "http-01";
}

} // namespace

AcmeBackend::AcmeBackend(std::string kind, const config::AcmeSettings& settings,
                         AcmeEnvironment env)
    : m_kind(kind), m_account(std::move(kind), settings, std::move(env)),
      m_rng(std::random_device{}()) {}

std::string AcmeBackend::checkOrderUrl(const std::string& url) const {
    try {
        return acme::Origin(m_account.settings().directory, "directory").check(url, "--order-url");
    } catch (const acme::BadReply& e) {
        throw ConfigError(std::string("install: ") + e.what());
    }
}

std::string AcmeBackend::describe(const OrderRef& order) const {
    return order.empty() ? "the order (no URL yet)" : "order " + escapeForLog(order.id, 300);
}

Plan AcmeBackend::plan(const PlanInput& in) {
    Plan p; // ACME has no subscriptions: every renewal is a new order
    if (!in.state.ariCertId.empty() && in.liveNotAfter)
        p.replaces = in.state.ariCertId; // RFC 9773 §5: the CA may let it skip rate limits
    return p;
}

acme::Order AcmeBackend::newOrder(const config::CertConfig& cert, const std::string& replaces) {
    acme::AcmeClient& client = m_account.client();
    acme::Names names(cert.domains);
    try {
        return acme::newOrder(client, names, replaces);
    } catch (const acme::AcmeError& e) {
        // The certificate was replaced already (by another order): say nothing about it then.
        if (replaces.empty() || e.problemType() != "alreadyReplaced" || e.maybeProcessed())
            throw;
        return acme::newOrder(client, names);
    }
}

std::pair<OrderRef, OrderView> AcmeBackend::place(const Plan& plan, const OrderContext& ctx) {
    acme::Order order = newOrder(ctx.cert, plan.replaces);
    faultPoint("acme.after-neworder");
    OrderRef ref{m_kind, order.url};
    try {
        return {ref, viewOf(order, ctx)};
    } catch (const ServiceError& e) {
        // The order exists: keep its URL, the next look goes on from there.
        if (ctx.warn)
            ctx.warn(e.what());
        OrderView view;
        view.statusText = order.status;
        return {ref, view};
    }
}

OrderView AcmeBackend::advance(const OrderRef& ref, const OrderContext& ctx) {
    acme::Order order;
    try {
        order = acme::fetchOrder(m_account.client(), ref.id, acme::Names(ctx.cert.domains));
    } catch (const acme::AcmeError& e) {
        if (e.retryable() || std::string(e.what()).find(acme::kNamesDiffer) == std::string::npos)
            throw;
        OrderView view; // the configuration changed while the order was pending
        view.state = OrderView::State::Failed;
        view.abandon = true;
        view.statusText = "for other names";
        view.detail = " (the configured names changed)";
        return view;
    }
    return viewOf(order, ctx);
}

OrderView AcmeBackend::viewOf(const acme::Order& order, const OrderContext& ctx) {
    switch (acme::nextStep(order)) {
    case acme::NextStep::Authorize:
        return pendingView(order, ctx);
    case acme::NextStep::Finalize:
        return finalize(order, ctx);
    case acme::NextStep::Wait: {
        OrderView view;
        view.statusText = order.status;
        view.validated = true;
        view.retryAfter = kPace;
        return view;
    }
    case acme::NextStep::Download:
        return issuedView(order);
    case acme::NextStep::Failed:
        break;
    }
    return failedView(order, ctx);
}

OrderView AcmeBackend::pendingView(const acme::Order& order, const OrderContext& ctx) {
    acme::AcmeClient& client = m_account.client();
    acme::Names names(ctx.cert.domains);
    const std::string type = challengeType(ctx.cert);
    OrderView view;
    view.statusText = order.status;
    view.retryAfter = kPace;
    auto& unanswered = m_unanswered[order.url];
    unanswered.clear();
    for (const std::string& url : order.authorizations) {
        acme::Authorization authz = acme::fetchAuthorization(client, url, names);
        if (authz.status == "valid")
            continue; // proven earlier (the CA reuses authorizations): nothing to place
        if (authz.status != "pending")
            return failedView(order, ctx);
        auto task = acme::challengeTask(authz, type, client.key());
        if (!task) {
            view.challengeProblem = describe({m_kind, order.url}) + ": the CA offers no " + type +
                                    " challenge for " + escapeForLog(authz.name(), 300);
            return view;
        }
        if (authz.challenge(type)->status == "pending") {
            unanswered.push_back(task->url);
            view.awaitingResponse = true;
        }
        view.challenges.push_back(fromTask(*task));
    }
    return view;
}

OrderView AcmeBackend::finalize(const acme::Order& order, const OrderContext& ctx) {
    if (ctx.csrPem.empty()) {
        OrderView view;
        view.state = OrderView::State::Failed;
        view.statusText = order.status;
        view.detail = " but there is no pending key and CSR to finalize it with (" + ctx.csrLabel +
                      " is missing)";
        return view;
    }
    auto csr = crypto::csrFromPem(ctx.csrPem, ctx.csrLabel);
    acme::Order after = acme::finalizeOrder(m_account.client(), order, crypto::csrToDer(*csr),
                                            acme::Names(ctx.cert.domains));
    faultPoint("acme.after-finalize");
    if (acme::nextStep(after) == acme::NextStep::Download)
        return issuedView(after);
    if (acme::nextStep(after) == acme::NextStep::Failed)
        return failedView(after, ctx);
    OrderView view;
    view.statusText = after.status;
    view.validated = true;
    view.retryAfter = kPace;
    view.detail = " (finalized)";
    return view;
}

OrderView AcmeBackend::issuedView(const acme::Order& order) {
    OrderView view;
    view.state = OrderView::State::Issued;
    view.statusText = order.status;
    for (const acme::Chain& chain :
         acme::downloadCertificate(m_account.client(), order.certificate))
        view.chains.push_back(splitPemChain(chain.pem));
    view.chains = orderChains(std::move(view.chains), m_account.settings().preferredChain);
    m_unanswered.erase(order.url);
    return view;
}

OrderView AcmeBackend::failedView(const acme::Order& order, const OrderContext& ctx) {
    OrderView view;
    view.state = OrderView::State::Failed;
    view.restartable = true;
    view.statusText = order.status;
    m_unanswered.erase(order.url);
    if (order.error) {
        view.detail = " (" + order.error->describe() + ")";
        return view;
    }
    // The order says only "invalid": the failed authorization says why.
    acme::Names names(ctx.cert.domains);
    for (const std::string& url : order.authorizations) {
        acme::Authorization authz = acme::fetchAuthorization(m_account.client(), url, names);
        if (authz.status == "valid" || authz.status == "pending")
            continue;
        view.detail = " (" + escapeForLog(authz.name(), 300) + ": authorization " + authz.status;
        for (const acme::Challenge& c : authz.challenges)
            if (c.error)
                view.detail += ", " + c.error->describe();
        view.detail += ")";
        break;
    }
    return view;
}

void AcmeBackend::challengesPlaced(const OrderRef& ref, const OrderContext& ctx) {
    if (m_unanswered.find(ref.id) == m_unanswered.end())
        advance(ref, ctx); // not looked at in this run yet: find what is unanswered
    std::vector<std::string> urls = m_unanswered[ref.id];
    m_unanswered.erase(ref.id);
    // Everything is in place (files written, records added): only now may the CA look.
    for (const std::string& url : urls)
        acme::respondToChallenge(m_account.client(), url);
}

std::optional<OrderRef> AcmeBackend::openOrder(const std::string& ordersUrl,
                                               const OrderContext& ctx) {
    acme::AcmeClient& client = m_account.client();
    acme::Names names(ctx.cert.domains);
    auto urls = acme::listOrders(client, ordersUrl);
    int looked = 0;
    for (auto it = urls.rbegin(); it != urls.rend() && looked < kMaxReconcileLooks;
         ++it, ++looked) {
        acme::Order order;
        try {
            order = acme::fetchOrder(client, *it, names);
        } catch (const acme::AcmeError& e) {
            if (e.retryable())
                throw;
            continue; // an order for other names
        }
        if (order.status == "pending" || order.status == "ready")
            return OrderRef{m_kind, order.url};
    }
    return std::nullopt;
}

Reconciliation AcmeBackend::reconcile(const InFlight& placement, const OrderContext& ctx) {
    (void)placement; // every ACME placement is a newOrder
    Reconciliation r;
    r.outcome = Reconciliation::Outcome::NotPlaced;
    const std::string ordersUrl = m_account.ordersUrl();
    if (ordersUrl.empty()) {
        // An unfinished order issues nothing, and CAs like Let's Encrypt hand the pending order
        // for the same names back on the next newOrder.
        r.message = "the CA keeps no list of orders; ordering anew";
        return r;
    }
    if (auto order = openOrder(ordersUrl, ctx)) {
        r.outcome = Reconciliation::Outcome::Placed;
        r.order = *order;
        r.message = "the CA has it: " + describe(r.order);
        return r;
    }
    r.message = "the CA has no unfinished order for these names; ordering anew";
    return r;
}

Reconciled AcmeBackend::findPlaced(const OrderRef& intended, const OrderContext& ctx) {
    (void)intended; // every ACME placement is a newOrder
    Reconciled out;
    // Not in the account's list, or no list: ordering again with the same key is safe, since an
    // order that is never finalized issues nothing (one certificate either way).
    out.outcome = Reconciled::Outcome::NotFound;
    const std::string ordersUrl = m_account.ordersUrl();
    if (ordersUrl.empty())
        return out;
    if (auto order = openOrder(ordersUrl, ctx)) {
        out.outcome = Reconciled::Outcome::Found;
        out.order = *order;
    }
    return out;
}

std::optional<RenewalHint> AcmeBackend::renewalHint(const config::CertConfig& cert,
                                                    const std::string& leafPem, std::time_t now) {
    (void)cert;
    acme::AcmeClient* client = m_account.reader();
    if (!client || client->directory().renewalInfo.empty())
        return std::nullopt; // nothing is polled at a CA without renewalInfo
    std::string certId;
    try {
        certId = acme::ariCertId(*crypto::parseSingleCert(leafPem, "live certificate"));
    } catch (const Error&) {
        return std::nullopt; // no authority key identifier: the CA cannot name it either
    }
    auto info = acme::fetchRenewalInfo(*client, certId);
    if (!info)
        return std::nullopt;
    auto chosen =
        acme::chooseRenewalTime(*info, std::chrono::system_clock::from_time_t(now), m_rng);
    RenewalHint hint;
    hint.certId = certId;
    hint.windowStart = toTime(info->windowStart);
    hint.windowEnd = toTime(info->windowEnd);
    hint.chosen = toTime(chosen);
    hint.nextCheck = now + info->retryAfter.count();
    return hint;
}

} // namespace certagent::core
