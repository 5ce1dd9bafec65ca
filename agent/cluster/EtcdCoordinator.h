#pragma once

#include "cluster/EtcdClient.h"
#include "cluster/FleetCache.h"
#include "cluster/FleetKey.h"
#include "cluster/FleetLock.h"
#include "cluster/KeyPaths.h"
#include "cluster/Records.h"
#include "core/Coordinator.h"

#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace certagent::cluster {

/// What the coordinator needs besides the etcd client and the fleet key ([cluster], [store]).
struct FleetSettings {
    std::string cluster;                        ///< [cluster] name
    std::string host;                           ///< [cluster] host
    std::chrono::seconds lease{60};             ///< ordering-lock TTL
    std::chrono::seconds dcvWait{86400};        ///< longest wait for every host's DCV files
    std::chrono::seconds memberTimeout{259200}; ///< hosts older than this do not count
    int keepVersions = 5;                       ///< published versions kept in etcd
    std::string agentVersion;                   ///< written into the heartbeat
    std::function<std::time_t()> now = [] { return std::time(nullptr); };
    /// One line for the log: information (what the fleet did) and problems; either may be empty.
    std::function<void(const std::string&)> info;
    std::function<void(const std::string&)> warn;
};

/// Whether this run writes its heartbeat: when what it says changed (a certificate's deployed
/// leaf or exit code, the agent version) or the last one is a quarter of `memberTimeout` old.
/// Otherwise an idle run's only etcd request is the batched read.
bool heartbeatDue(const MemberRecord& last, const std::vector<core::HostReport>& report,
                  const std::string& agentVersion, std::time_t now,
                  std::chrono::seconds memberTimeout);

/// core::Coordinator over etcd (design-fleet §3): one batched read per run (FleetCache), a
/// lease-bound try-lock per certificate with fenced writes (FleetLock), the pending key, the
/// challenges and every published set sealed under the fleet key, acks and heartbeats.
/// Every etcd, envelope and record failure leaves it as core::FleetError with the exit code of
/// its cause; nothing is written once the fleet key was found to differ from the fleet's.
class EtcdCoordinator : public core::Coordinator {
  public:
    EtcdCoordinator(std::unique_ptr<EtcdClient> client, FleetKeyRing keys, FleetSettings settings);
    ~EtcdCoordinator() override;

    bool inFleet() const override { return true; }
    void beginRun(const std::vector<std::string>& names) override;
    std::optional<core::PublishedSet> newerThan(const core::FleetCert& cert,
                                                const core::LocalLive& live) override;
    std::optional<core::SharedOrder> sharedOrder(const core::FleetCert& cert) override;
    core::Lead tryLead(const core::FleetCert& cert) override;
    void saveOrder(const core::FleetCert& cert, const core::SharedOrder& order) override;
    void ensureLeader(const core::FleetCert& cert) override;
    void publish(const core::FleetCert& cert, const store::VersionFiles& files) override;
    void ackChallenges(const core::FleetCert& cert,
                       const std::vector<std::string>& placed) override;
    bool challengesAcked(const core::FleetCert& cert) override;
    void release(const core::FleetCert& cert) override;
    void refresh(const core::FleetCert& cert) override;
    void pause(std::chrono::seconds d,
               const std::function<void(std::chrono::seconds)>& sleep) override;
    int endRun(const std::vector<core::HostReport>& report) override;
    std::optional<core::FleetFacts> facts(const std::string& name) const override;
    std::optional<bool> up() const override { return m_up; }

    /// For the `cluster` commands.
    EtcdClient& client() { return *m_client; }
    const KeyPaths& paths() const { return m_paths; }
    const FleetKeyRing& keys() const { return m_keys; }
    const FleetSettings& settings() const { return m_settings; }
    FleetCache& cache() { return m_cache; }
    FleetLock& lock() { return m_lock; }
    /// The lock of a certificate this run holds: its fence; throws FleetError when none.
    std::int64_t fenceOf(const std::string& name) const;
    /// Throws FleetError (4) when the fleet key was refused at beginRun.
    void checkKey() const;

  private:
    struct Held {
        std::int64_t lease = 0;
        std::int64_t fence = 0;
    };
    void readKeyCheck();
    void checkSettings(const core::FleetCert& cert, const std::string& full,
                       const std::map<std::string, std::string>& fields, const std::string& what,
                       const std::string& holder) const;
    std::optional<CurrentRecord> currentOf(const std::string& name) const;
    std::optional<OrderRecord> orderOf(const std::string& name) const;
    void heartbeat(const std::vector<core::HostReport>& report);
    void info(const std::string& line) const;
    void warn(const std::string& line) const;

    std::unique_ptr<EtcdClient> m_client;
    FleetKeyRing m_keys;
    FleetSettings m_settings;
    KeyPaths m_paths;
    FleetLock m_lock;
    FleetCache m_cache;
    std::map<std::string, Held> m_held;
    std::map<std::string, std::string> m_saved; ///< what saveOrder last wrote, per name
    std::map<std::string, std::vector<std::string>> m_acked;
    std::map<std::string, core::FleetFacts> m_facts;
    std::string m_keyProblem; ///< set when the fleet key is not the fleet's
    std::optional<bool> m_up;
};

} // namespace certagent::cluster
