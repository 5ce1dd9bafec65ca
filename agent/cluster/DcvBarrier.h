#pragma once

#include "cluster/EtcdClient.h"
#include "cluster/KeyPaths.h"

#include <chrono>
#include <ctime>
#include <string>
#include <vector>

namespace certagent::cluster {

/// Where the fleet stands with one order's http challenges (design-fleet §3.5).
struct BarrierState {
    std::vector<std::string> active;  ///< hosts seen within member_timeout that serve the name
    std::vector<std::string> missing; ///< those of them without an ack covering every file
    bool met() const { return missing.empty(); }
};

/// Reads acks/<name>/ and members/ (one txn) and tells which active hosts have not acked all of
/// `required` ("/.well-known/<dir>/<file>"). A host is active when its heartbeat is within
/// `memberTimeout` of `now` and lists the certificate; `self` always counts. Records that do not
/// parse count as absent (a broken member cannot hold the fleet up forever: member_timeout).
/// Throws EtcdError.
BarrierState readBarrier(EtcdClient& client, const KeyPaths& paths, const std::string& name,
                         const std::string& self, const std::vector<std::string>& required,
                         std::time_t now, std::chrono::seconds memberTimeout);

} // namespace certagent::cluster
