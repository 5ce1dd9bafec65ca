#pragma once

// The seam between the run loop and a fleet of hosts that serve the same certificates
// (design-fleet §3.10). A host without [cluster] uses SoloCoordinator, whose every answer is
// today's behaviour: it leads every certificate, nothing is published, nothing is pulled.
// agent/cluster's EtcdCoordinator shares the order state and the issued sets through etcd.
//
// Who calls what, per certificate and run: newerThan() first (a newer published set is pulled
// and deployed through the same gate and writeAndDeploy as an issued one); before any step that
// talks to the CA tryLead() (Following: place and ack the order's http challenges, then end);
// while leading every state save also saves the shared half (saveOrder, fenced), ensureLeader()
// runs before each non-idempotent CA call, challengesAcked() before asking the CA to look, and
// publish() after the gate and before the local deploy; release() at the end.

#include "core/CaBackend.h"
#include "store/CertState.h"
#include "store/Store.h"
#include "util/Error.h"
#include "util/Secret.h"

#include <chrono>
#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace certagent::core {

/// The fleet's shared state could not be used: etcd unreachable or a lock lost (3), a sealed set
/// or a record refused (4), this host's certificate settings differ from the fleet's (2). It is
/// never a CA failure, so it never starts the CA backoff.
class FleetError : public Error {
  public:
    using Error::Error;
};

/// A certificate as the fleet knows it: its name and the settings every host must share
/// (compared through a fingerprint, named field by field when they differ).
struct FleetCert {
    std::string name;
    /// ("domains", "a,b"), ("backend", "gogetssl"), ("key", "ec-p256"), ("order_id", "0").
    std::vector<std::pair<std::string, std::string>> settings;
    /// `issue NAME`: this host may order with its settings although the fleet's published
    /// version has other ones (how a deliberate change of names or key type reaches the fleet).
    bool replaceSettings = false;
};

/// A published version, opened but not yet through the gate.
struct PublishedSet {
    long long version = 0;
    Secret keyPem; ///< the private key
    std::string certPem;
    std::string chainPem;
    OrderRef order;        ///< the order it came from (for meta.json and hooks)
    bool rollback = false; ///< `cluster rollback` made it current: older than live is intended
};

/// What this host serves for a certificate, so the coordinator can tell "newer".
struct LocalLive {
    std::string deployedSha256;           ///< "" = nothing deployed yet
    std::optional<std::time_t> notBefore; ///< of the live version; nullopt = nothing live
};

/// The shared half of a certificate's order (design-fleet §3.1): what any host needs to go on
/// with it. The host half (DCV files placed here, the deployed leaf, checks) stays local.
struct SharedOrder {
    store::Phase phase = store::Phase::Idle;
    OrderRef order;
    std::string csrPem; ///< "" = no pending key
    Secret keyPem;      ///< the pending key (travels sealed)
    std::vector<Challenge> challenges;
    bool checkRequested = false; ///< the CA was asked to look at the placed challenges
    int attempts = 0;
    int consecutiveFailures = 0;
    std::optional<std::time_t> pendingSince;
    std::optional<std::time_t> backoffUntil;
    std::string lastStatus;
    std::string lastError;
};

/// Whether this run may advance a certificate's shared order.
struct Lead {
    enum class Role {
        Leading,     ///< this run holds the certificate's lock
        Following,   ///< another run holds it (`holder` names it)
        Unreachable, ///< the fleet cannot be asked or written (`problem`); nothing may be ordered
    };
    Role role = Role::Leading;
    std::string holder;
    std::string problem;
};

/// One certificate's outcome, for the host's heartbeat.
struct HostReport {
    std::string name;
    int exitCode = 0;
    std::string deployedSha256;
};

/// What the metrics say about a certificate in a fleet.
struct FleetFacts {
    bool behind = false; ///< this host does not serve the fleet's current version
    std::string holder;  ///< host that holds an order in progress, "" = none
};

/// The fleet a host belongs to. Methods that read or write shared state throw FleetError.
class Coordinator {
  public:
    virtual ~Coordinator() = default;

    /// False for a host on its own.
    virtual bool inFleet() const = 0;
    /// Reads the fleet's view of `names` in as few requests as it can (never throws: a fleet
    /// that cannot be reached shows in tryLead and endRun).
    virtual void beginRun(const std::vector<std::string>& names) = 0;
    /// The current published set when it is newer than what this host serves.
    virtual std::optional<PublishedSet> newerThan(const FleetCert& cert, const LocalLive& live) = 0;
    /// The shared half of the certificate's order, if the fleet has one.
    virtual std::optional<SharedOrder> sharedOrder(const FleetCert& cert) = 0;
    /// Takes the certificate's lock for this run if it is free (then re-reads its shared state).
    virtual Lead tryLead(const FleetCert& cert) = 0;
    /// Writes the shared half (leading only; fenced: a run that lost the lock writes nothing).
    virtual void saveOrder(const FleetCert& cert, const SharedOrder& order) = 0;
    /// Before every non-idempotent CA call: the lock still holds with time to spare.
    virtual void ensureLeader(const FleetCert& cert) = 0;
    /// After the gate, before the local deploy: the verified set becomes the fleet's current
    /// version and the order is marked installed (one fenced write).
    virtual void publish(const FleetCert& cert, const store::VersionFiles& files) = 0;
    /// This host placed the order's http challenges (URL paths "/.well-known/<dir>/<file>").
    virtual void ackChallenges(const FleetCert& cert, const std::vector<std::string>& placed) = 0;
    /// Every active host placed the challenges, or [cluster] dcv_wait passed.
    virtual bool challengesAcked(const FleetCert& cert) = 0;
    /// Gives the lock back (never throws: an unreleased lock expires with its lease).
    virtual void release(const FleetCert& cert) = 0;
    /// Re-reads the certificate's current version and order (for a waiting run).
    virtual void refresh(const FleetCert& cert) = 0;
    /// Waits `d` with `sleep`, keeping the held locks alive meanwhile.
    virtual void pause(std::chrono::seconds d,
                       const std::function<void(std::chrono::seconds)>& sleep) = 0;
    /// Records this host's heartbeat; returns the run's fleet exit code (0, or 3 when the fleet
    /// could not be reached, 4 when the fleet key was refused).
    virtual int endRun(const std::vector<HostReport>& report) = 0;
    /// After endRun: the certificate's fleet facts; nullopt on a host on its own.
    virtual std::optional<FleetFacts> facts(const std::string& name) const = 0;
    /// After endRun: whether the fleet could be reached; nullopt on a host on its own.
    virtual std::optional<bool> up() const = 0;
};

/// The coordinator of a host on its own: leads everything, shares nothing.
class SoloCoordinator : public Coordinator {
  public:
    bool inFleet() const override { return false; }
    void beginRun(const std::vector<std::string>&) override {}
    std::optional<PublishedSet> newerThan(const FleetCert&, const LocalLive&) override {
        return std::nullopt;
    }
    std::optional<SharedOrder> sharedOrder(const FleetCert&) override { return std::nullopt; }
    Lead tryLead(const FleetCert&) override { return Lead{}; }
    void saveOrder(const FleetCert&, const SharedOrder&) override {}
    void ensureLeader(const FleetCert&) override {}
    void publish(const FleetCert&, const store::VersionFiles&) override {}
    void ackChallenges(const FleetCert&, const std::vector<std::string>&) override {}
    bool challengesAcked(const FleetCert&) override { return true; }
    void release(const FleetCert&) override {}
    void refresh(const FleetCert&) override {}
    void pause(std::chrono::seconds d,
               const std::function<void(std::chrono::seconds)>& sleep) override {
        sleep(d);
    }
    int endRun(const std::vector<HostReport>&) override { return kExitOk; }
    std::optional<FleetFacts> facts(const std::string&) const override { return std::nullopt; }
    std::optional<bool> up() const override { return std::nullopt; }
};

/// The one SoloCoordinator every RunContext starts with.
Coordinator& soloCoordinator();

} // namespace certagent::core
