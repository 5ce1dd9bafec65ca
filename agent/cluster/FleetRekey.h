#pragma once

// `certagent cluster rekey` (design-fleet §3.7, key rotation): after every host has the new key
// as fleet_key and the old one as fleet_key_old, every envelope under the fleet's prefix that
// the old key sealed is opened and sealed again under the new one, so fleet_key_old can go.

#include "cluster/EtcdClient.h"
#include "cluster/FleetKey.h"
#include "cluster/KeyPaths.h"

#include <string>
#include <vector>

namespace certagent::cluster {

/// What a rekey did.
struct RekeyReport {
    int records = 0;  ///< records written (each may hold several envelopes)
    int resealed = 0; ///< envelopes sealed again under fleet_key
    int current = 0;  ///< envelopes that fleet_key had sealed already
    /// Records another writer changed between the read and the write (each write compares the
    /// record's mod_revision); a second rekey picks them up.
    std::vector<std::string> changed;
};

/// Re-seals under keys.current every envelope under `paths.root()` that keys.old sealed: a value
/// that is an envelope itself (the key check) and every string of a JSON record that is the
/// base64 of one (sealed sets, pending keys, any later sealed field), each under its own etcd
/// key path as AAD. Each record is written back in a txn comparing its mod_revision (and keeping
/// its lease), so a concurrent writer's record is never overwritten. Throws core::FleetError: 4
/// when an envelope under a known key does not open, etcd's code when etcd fails.
RekeyReport rekeyFleet(EtcdClient& client, const KeyPaths& paths, const FleetKeyRing& keys);

} // namespace certagent::cluster
