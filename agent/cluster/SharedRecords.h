#pragma once

// Internal to agent/cluster: how core's fleet types become etcd records and back. What must stay
// private (keys) or must not be forged by whoever can write to etcd (the challenge files every
// host serves) travels sealed under the fleet key, with the record's etcd key path as AAD; the
// rest is clear text for `cluster status` and for humans with etcdctl.

#include "cluster/FleetKey.h"
#include "cluster/KeyPaths.h"
#include "cluster/Records.h"
#include "core/Coordinator.h"
#include "store/Store.h"

#include <map>
#include <string>

namespace certagent::cluster::detail {

/// A certificate's settings print: SHA-256 over every setting, and 16 hex digits per setting so
/// a difference can be named.
struct ConfigPrint {
    std::string full;
    std::map<std::string, std::string> fields;
};
ConfigPrint configPrint(const core::FleetCert& cert);

/// The first setting in which `ours` differs from a record's print; "" when they are equal or
/// the record has none.
std::string differingSetting(const ConfigPrint& ours, const std::string& full,
                             const std::map<std::string, std::string>& fields);

/// The plaintext facts of a version (meta.json without the file stamps).
VersionFacts factsOf(const store::VersionMeta& meta);

/// The sealed key, leaf and chain of `files`, stored at `path` (versions/<name>/<n>).
std::string sealSet(const FleetKeyRing& keys, const KeyPaths& paths, const std::string& path,
                    const store::VersionFiles& files);

/// Opens the set of a version record read from `path` (refused: EnvelopeError, a set that is not
/// ours in shape: RecordError).
core::PublishedSet openSet(const FleetKeyRing& keys, const KeyPaths& paths, const std::string& path,
                           const VersionRecord& record);

/// The clear part of the order record of `order` (facts and the CSR; sealedKey empty).
OrderRecord clearOrderRecord(const core::SharedOrder& order);
/// The plaintext of the record's sealed part: the pending key and the challenges ("" when there
/// is neither). The caller wipes it; sealEnvelope with the record's path as AAD seals it.
std::string orderSecrets(const core::SharedOrder& order);

/// The shared order of a record read from `path`. Its challenges must name `domains` and be
/// plain validation files (RecordError otherwise); refused sealed parts throw EnvelopeError.
core::SharedOrder sharedOrderOf(const OrderRecord& record, const FleetKeyRing& keys,
                                const KeyPaths& paths, const std::string& path,
                                const std::vector<std::string>& domains);

/// True for the phase words of an order in progress (ordering, validating, issued).
bool orderInProgress(const std::string& phase);

/// The settings value of `cert` named `setting` ("" when absent).
std::string settingOf(const core::FleetCert& cert, const std::string& setting);

/// "/.well-known/<dir>/<file>" of every http file challenge.
std::vector<std::string> challengePaths(const std::vector<core::Challenge>& challenges);

} // namespace certagent::cluster::detail
