#pragma once

#include "acme/Account.h"
#include "acme/AcmeClient.h"
#include "config/Config.h"
#include "core/backends/AcmeAccounts.h"

#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace certagent::core {

/// What the ACME backends share and what tests replace.
struct AcmeEnvironment {
    AcmeAccounts* accounts = nullptr;
    /// A transport for the CA's origin ("https://host:port"); unset = the real HTTPS transport.
    std::function<std::unique_ptr<api::HttpTransport>(const std::string& origin)> transport;
    api::Clock* clock = nullptr;                 ///< unset = the system clock
    std::function<std::time_t()> now;            ///< wall clock for record dates; unset = time()
    std::function<void(const std::string&)> log; ///< one line per ACME call
};

/// This host's account at one ACME CA: the key and record in AcmeAccounts, and the client that
/// signs with them. Made lazily: nothing is read or asked before a caller needs the CA.
class AcmeAccount {
  public:
    /// `kind` names the backend in messages ("acme", "acme-le").
    AcmeAccount(std::string kind, const config::AcmeSettings& settings, AcmeEnvironment env);
    ~AcmeAccount();

    /// The client, signing as the account. Fetches the directory (once per run) and keeps it
    /// with the account. When no account is kept yet, looks up the account of the kept key
    /// (onlyReturnExisting), else registers one (with a new key, kept 0600, when there is none).
    /// Throws AcmeError (exit 2 before any POST when EAB or agreeing to the terms is needed and
    /// not configured), ConfigError (the EAB key file), IoError (the store).
    acme::AcmeClient& client();
    /// A client for unauthenticated reads (renewalInfo) over the directory kept with the account;
    /// nullptr when this host has no account at the CA (then it issued nothing for us either).
    acme::AcmeClient* reader();
    /// `certagent acme register`: the account, created when there is none (or the CA's view of
    /// the kept one). Throws like client().
    acme::AccountFacts registerNow();
    /// Brings the kept account in line with the one shared with other hosts (a fleet's: that one
    /// is adopted, or this host's offered when there is none); nothing on a host on its own.
    void sync();
    /// The record kept, nullopt when none.
    std::optional<AcmeAccountRecord> kept();
    /// The CA's view of the kept account (POST-as-GET); nullopt when none is kept.
    std::optional<acme::AccountFacts> fetch();
    /// Where the account lives, for messages.
    std::string where() const;
    /// The account's orders list URL ("" when the CA keeps none), from the record or the CA.
    std::string ordersUrl();
    const config::AcmeSettings& settings() const { return m_settings; }

  private:
    std::unique_ptr<acme::AcmeClient> makeClient(acme::AccountKey key);
    acme::AccountFacts ensureAccount();
    /// The account of a kept key: looked up at the CA (onlyReturnExisting), registered if none.
    acme::AccountFacts findOrRegister(acme::AccountKey key);
    acme::AccountFacts registerWith(std::unique_ptr<acme::AcmeClient> fresh, bool keyIsNew);
    void keep(const acme::AccountFacts& facts);
    /// After keep(): offers the account to the hosts it is shared with; when another one was
    /// shared first, signs with that one instead.
    acme::AccountFacts shareOrAdopt(const acme::AccountFacts& facts);
    std::optional<acme::AccountKey> storedKey();

    std::string m_kind;
    config::AcmeSettings m_settings;
    AcmeEnvironment m_env;
    std::unique_ptr<acme::AcmeClient> m_client;
    bool m_ready = false; ///< m_client signs as the account, with a fresh directory
    std::optional<AcmeAccountRecord> m_record;
};

} // namespace certagent::core
