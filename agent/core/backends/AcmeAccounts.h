#pragma once

// Where ACME accounts are kept: one account key and one record per CA directory URL. The run loop
// reaches them only through AcmeAccounts, so a fleet can keep one shared account (design-fleet)
// while a single host keeps files in its store.

#include "util/Secret.h"

#include <optional>
#include <string>
#include <vector>

namespace certagent::core {

/// What is kept of one account besides its key.
struct AcmeAccountRecord {
    std::string directoryUrl;         ///< the CA it belongs to
    std::string accountUrl;           ///< the account URL ("kid") the CA gave
    std::string ordersUrl;            ///< the account's orders list ("" when the CA keeps none)
    std::vector<std::string> contact; ///< as registered
    std::string eabKid;               ///< the binding used at registration ("" = none)
    std::string createdAt;            ///< ISO 8601 UTC
    /// The CA's directory as last fetched: an idle run knows from it, without asking the CA,
    /// whether the CA offers renewal information.
    std::string directoryBody;
};

/// Account keys and records, per CA directory URL. Implementations throw IoError for storage
/// failures and ConfigError for a stored key that is unsafe (readable by others).
class AcmeAccounts {
  public:
    virtual ~AcmeAccounts() = default;
    /// The account key (PEM) kept for `directoryUrl`; nullopt when there is none.
    virtual std::optional<Secret> key(const std::string& directoryUrl) = 0;
    /// Keeps a new account key; never replaces one (IoError when one is kept already).
    virtual void addKey(const std::string& directoryUrl, const std::string& pem) = 0;
    /// The record kept for `directoryUrl`; nullopt when there is none or it cannot be read (the
    /// account is then looked up by its key).
    virtual std::optional<AcmeAccountRecord> record(const std::string& directoryUrl) = 0;
    /// Replaces the record of `record.directoryUrl`.
    virtual void saveRecord(const AcmeAccountRecord& record) = 0;
    /// Where the account of `directoryUrl` is kept, for messages.
    virtual std::string where(const std::string& directoryUrl) const = 0;
    /// Before the account signs anything: brings the kept account in line with the one it is
    /// shared with (a fleet's, design-fleet §3.8), adopting that one or offering this host's;
    /// nothing for a host on its own. Throws core::FleetError when the shared one cannot be read.
    virtual void sync(const std::string& directoryUrl) { (void)directoryUrl; }
    /// After an account was registered (or found by its key) and kept: offers it to the hosts it
    /// is shared with. False when another account was shared first; key() and record() give that
    /// one from then on and this host's new one is no longer used.
    virtual bool share(const std::string& directoryUrl) {
        (void)directoryUrl;
        return true;
    }
};

/// The accounts of one host in its store: <store>/acme/<host>[_<port>]/<first 12 hex digits of
/// SHA-256(directory URL)>/account.key (0600) and account.json (0600), directories 0700.
class AcmeAccountFiles : public AcmeAccounts {
  public:
    explicit AcmeAccountFiles(std::string storeDir);

    std::optional<Secret> key(const std::string& directoryUrl) override;
    void addKey(const std::string& directoryUrl, const std::string& pem) override;
    /// Replaces the kept key (0600 from the start) by another host's: how a fleet host adopts
    /// the shared account.
    void replaceKey(const std::string& directoryUrl, const std::string& pem);
    std::optional<AcmeAccountRecord> record(const std::string& directoryUrl) override;
    void saveRecord(const AcmeAccountRecord& record) override;
    std::string where(const std::string& directoryUrl) const override;

  private:
    /// Creates the directories (0700) of `directoryUrl`'s account.
    void ensureDirs(const std::string& directoryUrl) const;

    std::string m_storeDir;
};

} // namespace certagent::core
