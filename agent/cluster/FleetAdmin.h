#pragma once

// What the `certagent cluster` commands do to the fleet, beside the run loop's coordinator.

#include "cluster/EtcdCoordinator.h"

#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace certagent::cluster {

/// One host's view of one certificate in `cluster status`.
struct HostStatus {
    std::string name;
    std::optional<std::time_t> lastHeartbeat;
    std::string deployedSha256; ///< "" = nothing deployed
    int lastExit = 0;
    bool converged = false; ///< deploys the fleet's current version
};

/// One certificate in `cluster status`.
struct CertStatus {
    std::string name;
    std::optional<CurrentRecord> current;
    std::string phase;      ///< of the shared order, "" = none
    std::string orderRef;   ///< the order's reference, "" = none
    std::string lockHolder; ///< the lock's value, "" = free
    std::vector<HostStatus> hosts;
    std::string problem; ///< a record that could not be read
};

/// Reads every certificate of the fleet (current/, order/, lock/ and members/ in one txn), plus
/// `names` even when the fleet has nothing for them yet. Throws core::FleetError.
std::vector<CertStatus> readStatus(EtcdCoordinator& fleet, const std::vector<std::string>& names);

/// `cluster rollback NAME`: moves current/<name> back to the newest published version below it,
/// marked as a rollback so every host takes it although it is older. The caller holds the lock
/// (tryLead). Returns the record now current. Throws core::FleetError (4 when there is no older
/// version in etcd).
CurrentRecord rollbackCurrent(EtcdCoordinator& fleet, const std::string& name);

/// `cluster leave`: removes members/<host> and this host's acks of `names`. Throws FleetError.
void leaveFleet(EtcdCoordinator& fleet, const std::vector<std::string>& names);

/// The heartbeat of a command that only reads the fleet (`status`, `cluster status`): this
/// host's deployed leaves, the last exit codes kept. Never throws (a failure is logged).
void joinFleet(EtcdCoordinator& fleet,
               const std::vector<std::pair<std::string, std::string>>& deployed);

} // namespace certagent::cluster
