#pragma once

#include "api/Transport.h"
#include "cluster/EtcdClient.h"
#include "cluster/KeyPaths.h"

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>
#include <variant>
#include <vector>

namespace certagent::cluster {

/// This run holds lock/<name>; `fence` is the lock key's create_revision, which every shared
/// write compares.
struct Leading {
    std::int64_t fence = 0;
};
/// Another run holds lock/<name>.
struct Following {
    std::string holder;     ///< the lock's value ("web-02 pid 4242 since …"), escaped for logs
    std::int64_t lease = 0; ///< the holder's lease
};
using LockOutcome = std::variant<Leading, Following>;

/// The value a holder writes into its lock key: "<host> pid <pid> since <ISO time>".
std::string lockValue(const std::string& host, long pid, std::time_t since);

/// The per-certificate ordering lock of design-fleet §3.3: a lease-bound try-lock (never
/// blocking) and fencing by the lock key's create_revision. Revisions only grow, so a later
/// holder always has a larger fence and a stalled holder's late write fails its compare.
class FleetLock {
  public:
    FleetLock(EtcdClient& client, KeyPaths paths, api::Clock& clock = api::systemClock());

    /// One txn: if lock/<name> does not exist, put `holder` there with `lease` attached;
    /// otherwise read it. Leading when this call created it, or when it already carries `lease`
    /// (an earlier attempt of ours whose reply was lost). Throws EtcdError.
    LockOutcome tryLock(const std::string& name, std::int64_t lease, const std::string& holder);

    /// A txn that applies only while lock/<name> still has create_revision `fence` and every
    /// compare of the caller holds. Returns the result with `succeeded` false when a caller
    /// compare failed (responses are those of `failure`). Throws EtcdError(LostLock, exit 3)
    /// when the lock is gone or another holder's, and EtcdError for etcd failures.
    TxnResult fencedTxn(const std::string& name, std::int64_t fence,
                        const std::vector<Compare>& compares, const std::vector<Op>& success,
                        const std::vector<Op>& failure = {});

    /// ensureLeader(): run before every non-idempotent CA call. A keepalive of `lease`, which
    /// must come back with at least ⅔ of `ttl` left once the keepalive's own duration is
    /// subtracted. Throws EtcdError(LostLease, exit 3) otherwise.
    void ensureLeader(const std::string& name, std::int64_t lease, std::chrono::seconds ttl);

  private:
    EtcdClient& m_client;
    KeyPaths m_paths;
    api::Clock& m_clock;
};

} // namespace certagent::cluster
