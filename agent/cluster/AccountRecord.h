#pragma once

// acme/<dirhash>/account: the fleet's one account at an ACME CA (design-fleet §3.8). The account
// key travels sealed under the fleet key (AAD = the record's key path); the rest is in clear.

#include "core/backends/AcmeAccounts.h"

#include <cstdint>
#include <string>

namespace certagent::cluster {

/// One shared ACME account as etcd keeps it.
struct AccountRecord {
    core::AcmeAccountRecord account; ///< directoryBody is not shared (each host fetches its own)
    std::string host;                ///< the host that shared it
    std::string sealedKey;           ///< the account key's PEM, sealed (envelope bytes)
    std::int64_t modRevision = 0;    ///< etcd's revision of the record as read (not stored)
};

/// The record as JSON: {"directory","accountUrl","ordersUrl","contact","eabKid","createdAt",
/// "host","sealedKey" (base64)}.
std::string toJson(const AccountRecord& r);
/// Reads a record written by toJson; `key` is the etcd key it came from (for messages). Throws
/// RecordError (exit 4) for anything else, a record of another directory included.
AccountRecord parseAccount(const std::string& json, const std::string& key,
                           const std::string& directoryUrl);

} // namespace certagent::cluster
