#include "cluster/FleetLock.h"

#include "util/IsoTime.h"
#include "util/Text.h"

namespace certagent::cluster {
namespace {

using Reason = EtcdError::Reason;

std::string holderOf(const KeyValue& kv) {
    return escapeForLog(kv.value, 200);
}

} // namespace

std::string lockValue(const std::string& host, long pid, std::time_t since) {
    return host + " pid " + std::to_string(pid) + " since " + formatIsoUtc(since);
}

FleetLock::FleetLock(EtcdClient& client, KeyPaths paths, api::Clock& clock)
    : m_client(client), m_paths(std::move(paths)), m_clock(clock) {}

LockOutcome FleetLock::tryLock(const std::string& name, std::int64_t lease,
                               const std::string& holder) {
    const std::string key = m_paths.lock(name);
    Txn txn;
    txn.compare.push_back(Compare::createRevision(key, 0));
    txn.success.push_back(Op::put(key, holder, lease));
    txn.failure.push_back(Op::range(key));
    const TxnResult result = m_client.txn(txn);
    if (result.succeeded) {
        return Leading{result.revision}; // the put created the key at this revision
    }
    const std::vector<KeyValue>& kvs = result.responses.at(0).range.kvs;
    if (kvs.empty()) {
        // The compare said the key exists, the read in the same txn says it does not.
        throw EtcdError({"lock " + name, Reason::BadReply, 200, -1, false},
                        "try-lock failed but the lock key is absent");
    }
    if (kvs[0].lease == lease) {
        return Leading{kvs[0].createRevision};
    }
    return Following{holderOf(kvs[0]), kvs[0].lease};
}

TxnResult FleetLock::fencedTxn(const std::string& name, std::int64_t fence,
                               const std::vector<Compare>& compares, const std::vector<Op>& success,
                               const std::vector<Op>& failure) {
    if (fence <= 0) {
        throw Error("fencedTxn(" + name + ") without a fence"); // a caller bug, exit 1
    }
    const std::string key = m_paths.lock(name);
    Txn txn;
    txn.compare.push_back(Compare::createRevision(key, fence));
    txn.compare.insert(txn.compare.end(), compares.begin(), compares.end());
    txn.success = success;
    txn.failure.push_back(Op::range(key)); // tells a lost lock from a failed caller compare
    txn.failure.insert(txn.failure.end(), failure.begin(), failure.end());
    TxnResult result = m_client.txn(txn);
    if (result.succeeded) {
        return result;
    }
    const std::vector<KeyValue>& lock = result.responses.at(0).range.kvs;
    if (lock.empty() || lock[0].createRevision != fence) {
        const std::string now =
            lock.empty() ? "nobody holds it now" : "held now by \"" + holderOf(lock[0]) + "\"";
        throw EtcdError({"lock " + name, Reason::LostLock, 200, -1, false},
                        "lost the lock (fence " + std::to_string(fence) + "): " + now +
                            "; nothing was written");
    }
    result.responses.erase(result.responses.begin());
    return result;
}

void FleetLock::ensureLeader(const std::string& name, std::int64_t lease,
                             std::chrono::seconds ttl) {
    const auto start = m_clock.now();
    const std::optional<std::chrono::seconds> left = m_client.leaseKeepAlive(lease);
    const auto spent = m_clock.now() - start;
    const EtcdError::Details details{"lock " + name, Reason::LostLease, 200, -1, false};
    if (!left) {
        throw EtcdError(details, "the lease expired; another host may hold the lock now");
    }
    // What is left for sure: the renewed TTL minus the time the keepalive itself took.
    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(*left - spent);
    if (remaining * 3 < std::chrono::milliseconds(ttl) * 2) {
        throw EtcdError(details, "the lease has " + std::to_string(remaining.count()) + " ms of " +
                                     std::to_string(ttl.count()) +
                                     " s left after the keepalive, less than two thirds");
    }
}

} // namespace certagent::cluster
