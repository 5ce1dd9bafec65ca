#pragma once

#include "cluster/EtcdCoordinator.h"
#include "config/Config.h"

#include <functional>
#include <memory>
#include <string>

namespace certagent::cluster {

/// Where the fleet's log lines go.
struct FleetLog {
    std::function<void(const std::string&)> info;
    std::function<void(const std::string&)> warn;
};

/// The coordinator of a host with [cluster] etcd set: the etcd client (endpoints, ca_file, the
/// client certificate, user and password_file, timeout), the fleet key ring (fleet_key and
/// fleet_key_old, each a 0600 file), lease, dcv_wait, member_timeout and [store] keep_versions.
/// Nothing is sent before the first call. Throws ConfigError naming [cluster] and the file for
/// anything that cannot be loaded.
std::unique_ptr<EtcdCoordinator> makeEtcdCoordinator(const config::Config& config,
                                                     const FleetLog& log);

} // namespace certagent::cluster
