#pragma once

#include "cluster/EtcdCoordinator.h"
#include "core/backends/AcmeAccounts.h"

#include <memory>
#include <set>
#include <string>

namespace certagent::cluster {

struct AccountRecord;

/// The ACME accounts of a fleet host (design-fleet §3.8): one account per CA directory for the
/// whole fleet, kept sealed under the fleet key at acme/<dirhash>/account and adopted into each
/// host's store (AcmeAccountFiles, the key 0600), so any host can go on with an order another
/// host placed. The first host that needs an account looks in etcd before registering; after
/// registering it shares the account with a create-if-absent txn, and when that loses it adopts
/// the winner's. A host whose kept account differs from the shared one adopts the shared one
/// (one log line). A record still sealed under fleet_key_old is sealed again under fleet_key by
/// the first host that reads it. etcd is read once per directory and process. Failures are
/// core::FleetError (etcd 3; another fleet key or a bad record 4); the account key is never logged.
class SharedAcmeAccounts : public core::AcmeAccounts {
  public:
    SharedAcmeAccounts(std::unique_ptr<core::AcmeAccountFiles> local, EtcdCoordinator& fleet);
    ~SharedAcmeAccounts() override;

    std::optional<Secret> key(const std::string& directoryUrl) override;
    void addKey(const std::string& directoryUrl, const std::string& pem) override;
    std::optional<core::AcmeAccountRecord> record(const std::string& directoryUrl) override;
    void saveRecord(const core::AcmeAccountRecord& record) override;
    std::string where(const std::string& directoryUrl) const override;
    void sync(const std::string& directoryUrl) override;
    bool share(const std::string& directoryUrl) override;

  private:
    /// The shared record of `directoryUrl` (checking the fleet key first); nullopt when none.
    std::optional<AccountRecord> readShared(const std::string& directoryUrl);
    /// Makes the shared account this host's (key first, then the record).
    void adopt(const AccountRecord& shared, const std::string& directoryUrl);
    /// A record sealed under fleet_key_old (during a key rotation) is sealed again under the
    /// current fleet key, unless another host changed it meanwhile.
    void resealIfOld(const AccountRecord& shared, const std::string& directoryUrl);
    /// The record of this host's kept account, its key sealed under the current fleet key.
    std::string sealedRecord(const std::string& directoryUrl, const std::string& path);
    void info(const std::string& line) const;

    std::unique_ptr<core::AcmeAccountFiles> m_local;
    EtcdCoordinator& m_fleet;
    std::set<std::string> m_synced; ///< directories already brought in line this process
};

} // namespace certagent::cluster
