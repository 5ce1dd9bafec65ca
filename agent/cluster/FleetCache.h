#pragma once

#include "cluster/EtcdClient.h"
#include "cluster/KeyPaths.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace certagent::cluster {

/// What one run knows of the fleet's shared state: every certificate's current/ and order/ key,
/// this host's member record and the key check, read in one txn (plus a page per 500 keys past
/// the first in each prefix), so an idle run at N = 1,000 certificates costs three reads.
/// When the cluster has no quorum the same keys are read serializable (possibly stale, answered
/// by one member), which is enough to pull published versions but never to order.
class FleetCache {
  public:
    /// How well the fleet could be read.
    enum class Reach {
        Full,  ///< linearizable: the fleet as it is
        Stale, ///< serializable only (no quorum, or a minority member): pull, never write
        None,  ///< nothing answered
    };

    FleetCache(EtcdClient& client, const KeyPaths& paths, std::string host);

    /// Reads everything (see above); never throws, the outcome is reach() and problem().
    void load();
    /// Re-reads current/<name> and order/<name> (linearizable). Throws EtcdError.
    void refresh(const std::string& name);

    Reach reach() const { return m_reach; }
    /// Why the fleet could not be read fully ("" when it could).
    const std::string& problem() const { return m_problem; }
    /// The exit code of that problem: 3 (unreachable, no quorum), or the refusal's own (4: a
    /// permission or certificate refused, 2: misconfigured) when etcd answered and said no.
    int problemExit() const { return m_problemExit; }
    /// The store revision the batch read reflects.
    std::int64_t revision() const { return m_revision; }

    const KeyValue* current(const std::string& name) const;
    const KeyValue* order(const std::string& name) const;
    const std::optional<KeyValue>& ownMember() const { return m_member; }
    const std::optional<KeyValue>& keyCheck() const { return m_keyCheck; }

    /// What this run wrote (so later reads in the run see it).
    void setCurrent(const std::string& name, KeyValue kv);
    void setOrder(const std::string& name, KeyValue kv);
    void setKeyCheck(KeyValue kv) { m_keyCheck = std::move(kv); }

    /// Every current/ and order/ entry read, by certificate name.
    const std::map<std::string, KeyValue>& currents() const { return m_current; }
    const std::map<std::string, KeyValue>& orders() const { return m_order; }

  private:
    void loadLinearizable();
    void loadSerializable();
    void keep(const std::string& prefix, std::map<std::string, KeyValue>& into,
              std::vector<KeyValue> kvs);
    std::vector<KeyValue> rest(const std::string& prefix, const RangeResult& first);

    EtcdClient& m_client;
    const KeyPaths& m_paths;
    std::string m_host;
    Reach m_reach = Reach::None;
    std::string m_problem = "not read yet";
    int m_problemExit = 3;
    std::int64_t m_revision = 0;
    std::map<std::string, KeyValue> m_current;
    std::map<std::string, KeyValue> m_order;
    std::optional<KeyValue> m_member;
    std::optional<KeyValue> m_keyCheck;
};

} // namespace certagent::cluster
