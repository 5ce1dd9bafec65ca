#pragma once

// Plain values of the etcd v3 KV and lease API, as EtcdClient speaks them. Keys and values are
// raw bytes (the client does the base64); revisions and lease ids are int64.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace certagent::cluster {

/// One key as etcd stores it.
struct KeyValue {
    std::string key;
    std::string value;
    std::int64_t createRevision = 0; ///< revision of the put that created the key
    std::int64_t modRevision = 0;    ///< revision of its last change
    std::int64_t version = 0;        ///< number of changes since creation (1 after creation)
    std::int64_t lease = 0;          ///< attached lease id, 0 = none
};

/// kv/range. `rangeEnd` empty = the single key; see prefixEnd() for a prefix.
struct RangeRequest {
    std::string key;
    std::string rangeEnd;
    std::int64_t limit = 0;    ///< 0 = no limit
    std::int64_t revision = 0; ///< 0 = newest
    bool serializable =
        false; ///< answered by the member alone (possibly stale; works without quorum)
    bool keysOnly = false;
    bool countOnly = false;

    /// Every key starting with `prefix`.
    static RangeRequest prefix(const std::string& prefix, std::int64_t limit = 0);
};

/// Reply of kv/range.
struct RangeResult {
    std::vector<KeyValue> kvs;
    bool more = false;         ///< more keys match than `limit` returned
    std::int64_t count = 0;    ///< number of matching keys
    std::int64_t revision = 0; ///< store revision the answer reflects
};

/// One compare of a txn.
struct Compare {
    enum class Target { Version, Create, Mod, Value };
    enum class Result { Equal, Greater, Less, NotEqual };
    Target target = Target::Version;
    Result result = Result::Equal;
    std::string key;
    std::int64_t number = 0; ///< the revision or version compared (not for Value)
    std::string value;       ///< for Value

    /// create_revision(key) == rev; rev 0 = "the key does not exist".
    static Compare createRevision(const std::string& key, std::int64_t rev);
    /// mod_revision(key) == rev.
    static Compare modRevision(const std::string& key, std::int64_t rev);
    /// version(key) == v; v 0 = "the key does not exist".
    static Compare version(const std::string& key, std::int64_t v);
    /// value(key) == value.
    static Compare valueEquals(const std::string& key, const std::string& value);
};

/// One operation of a txn.
struct Op {
    enum class Kind { Put, Range, DeleteRange };
    Kind kind = Kind::Range;
    std::string key;
    std::string value;      ///< Put
    std::string rangeEnd;   ///< Range, DeleteRange
    std::int64_t lease = 0; ///< Put
    std::int64_t limit = 0; ///< Range

    static Op put(const std::string& key, const std::string& value, std::int64_t lease = 0);
    static Op range(const std::string& key, const std::string& rangeEnd = {},
                    std::int64_t limit = 0);
    static Op deleteRange(const std::string& key, const std::string& rangeEnd = {});
};

/// The answer to one Op, in order.
struct OpResult {
    Op::Kind kind = Op::Kind::Range;
    RangeResult range;        ///< Range
    std::int64_t deleted = 0; ///< DeleteRange
};

/// kv/txn: if every compare holds, run `success`, else `failure`.
struct Txn {
    std::vector<Compare> compare;
    std::vector<Op> success;
    std::vector<Op> failure;
};

/// Reply of kv/txn. `succeeded` is absent (false) in the gateway's JSON when the compares failed.
struct TxnResult {
    bool succeeded = false;
    std::int64_t revision = 0; ///< store revision after the txn (= create_revision of a new key)
    std::vector<OpResult> responses;
};

/// A granted lease.
struct Lease {
    std::int64_t id = 0;
    std::chrono::seconds ttl{0};
};

/// Reply of lease/timetolive.
struct LeaseStatus {
    bool alive = false;          ///< false: expired or revoked (etcd answers TTL -1)
    std::chrono::seconds ttl{0}; ///< remaining
    std::chrono::seconds granted{0};
    std::vector<std::string> keys; ///< keys attached to the lease
};

/// The range end that selects every key starting with `prefix` (last byte below 0xff
/// incremented; "\0" = every key when the prefix is empty or all 0xff).
std::string prefixEnd(std::string_view prefix);

} // namespace certagent::cluster
