#pragma once

// Internal to agent/cluster: the JSON bodies of the etcd v3 gateway calls and the readers of its
// replies (one builder and one parser per call, like api/Requests + api/Replies). Parsers throw
// detail::BadJson; EtcdClient turns that into EtcdError(BadReply).

#include "cluster/EtcdTypes.h"

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>

namespace certagent::cluster::detail {

constexpr std::size_t kMaxKeyBytes = 64 * 1024;
constexpr std::size_t kMaxValueBytes = 2 * 1024 * 1024; ///< etcd refuses requests over 1.5 MiB
constexpr std::size_t kMaxKvs = 100000;
constexpr std::size_t kMaxOps = 1000;

std::string rangeBody(const RangeRequest& request);
std::string putBody(const std::string& key, const std::string& value, std::int64_t lease);
std::string deleteRangeBody(const std::string& key, const std::string& rangeEnd);
std::string txnBody(const Txn& txn);
std::string leaseGrantBody(std::chrono::seconds ttl);
/// {"ID":"<id>"}: keepalive and revoke.
std::string leaseIdBody(std::int64_t id);
std::string timeToLiveBody(std::int64_t id);

/// header.revision of a reply (required, positive).
std::int64_t headerRevision(const Poco::JSON::Object& reply);
RangeResult parseRange(const Poco::JSON::Object& reply, const std::string& where);
std::int64_t parseDeleted(const Poco::JSON::Object& reply);
TxnResult parseTxn(const Poco::JSON::Object& reply, const Txn& sent);
Lease parseLeaseGrant(const Poco::JSON::Object& reply);
/// The remaining TTL after a keepalive; nullopt when the lease is gone (the gateway answers
/// 200 without TTL for an unknown lease).
std::optional<std::chrono::seconds> parseKeepAlive(const Poco::JSON::Object& reply,
                                                   std::int64_t id);
LeaseStatus parseTimeToLive(const Poco::JSON::Object& reply);
/// `token` of auth/authenticate (required, printable ASCII).
std::string parseToken(const Poco::JSON::Object& reply);
/// {"name":…,"password":…}. The caller wipes the result (it holds the password).
std::string authBody(const std::string& user, const std::string& password);

} // namespace certagent::cluster::detail
