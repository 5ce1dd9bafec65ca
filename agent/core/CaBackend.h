#pragma once

// The seam between the per-certificate state machine and a certificate authority. The run loop
// (CertRunner and its steps) knows phases, keys, validation files, the gate and the deploy; a
// backend knows how its CA places, names and reports orders. GoGetSslBackend is the first one
// (core/backends/); ARCHITECTURE.md says how to add another.

#include "config/Config.h"
#include "core/DcvFile.h"
#include "store/CertState.h"

#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certagent::core {

using store::OrderRef;

/// One proof of control the CA asks for, already checked by the backend (names among the
/// configured ones, file names and contents safe to write, DNS names and values plain).
struct Challenge {
    enum class Kind { HttpFile, DnsRecord, Email };
    Kind kind = Kind::HttpFile;
    std::string domain;                             ///< the configured name it proves
    WellKnownDir dir = WellKnownDir::PkiValidation; ///< HttpFile: below <webroot>/.well-known/
    std::string fileName;                           ///< HttpFile
    std::string content;                            ///< HttpFile: inert bytes
    std::string dnsName;                            ///< DnsRecord: owner name
    std::string dnsType;                            ///< DnsRecord: CNAME | TXT
    std::string dnsValue;                           ///< DnsRecord: target or text
    std::string email;                              ///< Email: where the approval mail goes
};

/// A certificate as the CA hands it out: leaf plus helpers, both untrusted text for the gate.
struct IssuedChain {
    std::string leafPem;
    std::string chainPem;
};

/// What the CA says about an order, in the run loop's words.
struct OrderView {
    enum class State {
        Waiting, ///< not issued yet (validation pending or the CA is working)
        Issued,  ///< `chains` holds the certificate (default chain first)
        Failed,  ///< the order ended without a certificate; nothing more will happen
    };
    State state = State::Waiting;
    std::string statusText; ///< the CA's own word for it (untrusted: escaped before showing)
    std::string detail;     ///< shown after the status, e.g. " (no certificate yet)"
    std::vector<Challenge> challenges;
    /// Set instead of challenges when the CA's validation data was refused (one line).
    std::string challengeProblem;
    std::vector<IssuedChain> chains;
    std::optional<std::time_t> serverTime; ///< the CA's clock, for the clock check
    /// Waiting: the CA waits to be told that the challenges are in place (ACME: a challenge it
    /// offered is still unanswered, also after a run that died between placing and telling).
    bool awaitingResponse = false;
    /// Waiting: the CA needs no more proof and is issuing (no challenges to place).
    bool validated = false;
    /// Failed: a new order may follow after the backoff (ACME: a failed order costs nothing), so
    /// the certificate goes back to idle instead of waiting for a human.
    bool restartable = false;
    /// Failed: the order no longer fits the configuration (its names changed): drop it and order
    /// anew at once.
    bool abandon = false;
    /// When to look again: the CA's Retry-After, or the backend's own pace (--wait starts its
    /// doubling intervals there; the default is 5 s).
    std::optional<std::chrono::seconds> retryAfter;
};

/// What the backend decided for a due certificate.
struct Plan {
    enum class Action {
        Place,  ///< send an order (`what`; a reissue or renewal of `existing` when set)
        Follow, ///< an order of ours is already under way at the CA: poll `existing`
        Stop,   ///< end the run for this certificate with `exitCode` and `message`
    };
    Action action = Action::Place;
    std::string what = "new order"; ///< "new order", "reissue", "renew order"
    OrderRef existing;
    std::string note;     ///< logged (information) before acting, may be empty
    std::string message;  ///< Stop: the reason; Follow: logged (information)
    int exitCode = 0;     ///< Stop
    bool record = true;   ///< Stop: record as the certificate's last error (false: only warn)
    std::string replaces; ///< Place: the CA's id of the certificate this order replaces (ARI)
};

/// The CA's suggestion when to renew the live certificate (ACME Renewal Information).
struct RenewalHint {
    std::string certId;          ///< how the CA names the certificate (the ARI certID)
    std::time_t windowStart = 0; ///< suggested window
    std::time_t windowEnd = 0;
    std::time_t chosen = 0;    ///< one random time in the window (now when it is over)
    std::time_t nextCheck = 0; ///< when to ask again (the CA's Retry-After)
};

/// What the backend is given about the certificate it works on.
struct OrderContext {
    const config::CertConfig& cert;
    std::string csrPem;   ///< the pending key's CSR (empty when there is none)
    std::string csrLabel; ///< where it lives, for messages
    std::function<void(const std::string&)> warn; ///< one line for the log (prefixed)
};

/// What the backend needs to plan.
struct PlanInput {
    const config::CertConfig& cert;
    const store::CertState& state;
    OrderRef existing;                       ///< orderFor(Renew): the order a renewal concerns
    bool expiryBased = false;                ///< due only because of time (clock check applies)
    std::optional<std::time_t> liveNotAfter; ///< of the live certificate, if any
    std::time_t now = 0;
};

/// The state of an order from a batch poll (cron mode), without the certificate.
struct QuickStatus {
    std::string statusText;
    bool mayBeIssued = false; ///< worth a full look even if the text did not change
};

/// A placement that may have reached the CA without its answer reaching us (the run was stopped
/// while it was in flight, or the reply was lost): what the state recorded before the CA was
/// called.
struct InFlight {
    std::string what;  ///< Plan::what ("new order", "reissue", ...); "" = not recorded
    OrderRef existing; ///< Plan::existing: the order it concerns, if any
    std::time_t sentAt = 0;
};

/// What a backend found out about a placement in flight.
struct Reconciliation {
    enum class Outcome {
        Placed,    ///< the CA has it: follow `order`
        NotPlaced, ///< the CA never got it: plan and place again
        Unknown,   ///< the CA cannot tell: a human must look (`message` says where)
    };
    Outcome outcome = Outcome::Unknown;
    OrderRef order;      ///< Placed
    std::string message; ///< one line: how it was settled, or what a human should check
};

/// What the CA knows of an order request whose answer was never recorded (its sender died).
struct Reconciled {
    enum class Outcome {
        Found,    ///< the CA made `order` from the request's CSR: go on with it
        NotFound, ///< the request never reached the CA: it may be sent again with the same CSR
        Unknown,  ///< the backend cannot tell: a human checks the account
    };
    Outcome outcome = Outcome::Unknown;
    OrderRef order;
};

/// A certificate authority behind the run loop. Methods throw ServiceError (retryable or not,
/// maybeProcessed for a placement that may have reached the CA) for failures of the CA's
/// service; they report refusals of the CA's data in the returned view, never by throwing.
class CaBackend {
  public:
    virtual ~CaBackend() = default;
    /// "gogetssl", "acme", ... (written into state and meta with each order reference).
    virtual std::string kind() const = 0;
    /// How an order is named in messages: "order 1840217".
    virtual std::string describe(const OrderRef& order) const = 0;
    /// The order a configuration names (GoGetSSL `order_id`), if any.
    virtual std::optional<OrderRef> configuredOrder(const config::CertConfig& cert) const = 0;
    /// How to name an order on the command line (`install --order-id ID`).
    virtual std::string adoptOption() const = 0;
    /// What to tell a human when an order request got no clear answer and cannot be settled.
    virtual std::string unclearPlacementAdvice() const = 0;
    /// What to do for a due certificate (may ask the CA about an existing order).
    virtual Plan plan(const PlanInput& input) = 0;
    /// Sends the order of `plan` with the CSR; returns its reference and first view.
    virtual std::pair<OrderRef, OrderView> place(const Plan& plan, const OrderContext& context) = 0;
    /// Fetches the order and does the client's next protocol step.
    virtual OrderView advance(const OrderRef& order, const OrderContext& context) = 0;
    /// Settles a placement in flight by asking the CA (e.g. the order's status, or the account's
    /// orders for the CSR in `context`). The default cannot tell: Unknown with
    /// unclearPlacementAdvice().
    virtual Reconciliation reconcile(const InFlight& placement, const OrderContext& context);
    /// Every call to the CA from now on ends by `until` (the time left of --wait, or the run's own
    /// bound); nullopt lifts the bound. The default ignores it.
    virtual void setDeadline(std::optional<std::chrono::steady_clock::time_point> until) {
        (void)until;
    }
    /// The challenges are in place: ask the CA to look now.
    virtual void challengesPlaced(const OrderRef& order, const OrderContext& context) = 0;
    /// An order request for `intended` (a reissue or renewal of it; empty for a new order) was
    /// sent with context.csrPem and its answer never recorded: the order the CA made from that
    /// CSR, if any (design-fleet §3.6). The default cannot tell.
    virtual Reconciled findPlaced(const OrderRef& intended, const OrderContext& context) {
        (void)intended;
        (void)context;
        return {};
    }
    /// Batch poll of several orders (cron mode); empty when the CA has none or it failed.
    virtual std::map<std::string, QuickStatus> quickStatuses(const std::vector<OrderRef>& orders) {
        (void)orders;
        return {};
    }
    /// True when renewalHint() may give hints for `cert` (no I/O: a configuration question).
    virtual bool offersRenewalHints(const config::CertConfig& cert) const {
        (void)cert;
        return false;
    }
    /// The CA's renewal window for the live leaf `leafPem`; nullopt when the CA offers none (ask
    /// again after a day). Throws ServiceError (ask again after 6 hours).
    virtual std::optional<RenewalHint> renewalHint(const config::CertConfig& cert,
                                                   const std::string& leafPem, std::time_t now) {
        (void)cert;
        (void)leafPem;
        (void)now;
        return std::nullopt;
    }
};

/// The backends of one run, made on first use (a run that never needs a CA needs no
/// credentials).
class CaBackends {
  public:
    using Maker = std::function<std::unique_ptr<CaBackend>()>;
    /// Registers the maker of backend `kind`.
    void add(const std::string& kind, Maker make);
    /// The backend `cert` names (`backend =`). Throws ConfigError for a kind nobody registered.
    CaBackend& of(const config::CertConfig& cert);
    /// The backend named `kind`. Throws ConfigError when there is none.
    CaBackend& named(const std::string& kind);

  private:
    std::map<std::string, Maker> m_makers;
    std::map<std::string, std::unique_ptr<CaBackend>> m_made;
};

} // namespace certagent::core
