#pragma once

#include "cluster/EtcdCoordinator.h"
#include "config/Config.h"
#include "core/HookRunner.h"
#include "core/RunCertificates.h"
#include "core/RunContext.h"
#include "core/backends/AcmeAccounts.h"
#include "core/backends/OrderService.h"
#include "store/Index.h"
#include "store/Lock.h"
#include "store/Store.h"
#include "util/Subprocess.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certagent::cli {

/// Global options (before the command).
struct Globals {
    std::string configPath = "/etc/certagent/certagent.conf";
    std::string logLevel; ///< overrides [log] level when set
    bool json = false;
};

/// A parsed command line of one command: flags, options with values, positional arguments.
struct Args {
    std::map<std::string, std::vector<std::string>> options; ///< "--wait" → {"10m"}
    std::vector<std::string> positional;
    bool has(const std::string& name) const { return options.count(name) > 0; }
    std::string value(const std::string& name) const {
        auto it = options.find(name);
        return it == options.end() || it->second.empty() ? "" : it->second.back();
    }
};

/// Parses `argv` of a command: `flags` take no value, `valued` take one (`--x V` or `--x=V`).
/// Throws ConfigError (exit 2) for anything else, naming the command.
Args parseArgs(const std::string& command, const std::vector<std::string>& argv,
               const std::vector<std::string>& flags, const std::vector<std::string>& valued);

/// Everything a command needs, built from the configuration: store, runners, hooks, the API.
class Session {
  public:
    /// Loads the configuration (credentials as `credentials` says), sets up logging, checks hook
    /// files when `checkHooks`, registers the CA backends (made on first use). `deferUnchanged`:
    /// certificate files the store's index knows unchanged are not read (config::loadConfig's
    /// `known`; `run`).
    Session(const Globals& globals, const core::InstallerFactory& installers,
            config::NeedCredentials credentials, bool checkHooks, bool deferUnchanged = false);

    const config::Config& config() const { return m_config; }
    store::Store& store() { return *m_store; }
    core::HookRunner& hooks() { return *m_hooks; }
    /// The GoGetSSL client (made on first use), for `certagent api`.
    api::ApiClient& apiClient() { return m_api->client(); }
    core::RunContext& context() { return *m_context; }
    core::CaBackends& backends() { return m_backends; }
    const Globals& globals() const { return m_globals; }
    /// The fleet ([cluster]); nullptr on a host on its own.
    cluster::EtcdCoordinator* fleet() { return m_fleet.get(); }

    /// Takes <store>/lock (waiting at most [store] lock_wait; TemporaryError naming the holder)
    /// after making the store's layout. A dry run changes nothing (README): no layout, no lock
    /// file, no cached API key; it reads what is there.
    void lock(bool dryRun = false);
    /// The certificates named (all when `names` is empty); ConfigError for an unknown name.
    std::vector<const config::CertConfig*> select(const std::vector<std::string>& names) const;
    /// The same for a run: deferred certificates only by name (core/RunCertificates.h).
    std::vector<core::RunCert> selectForRun(const std::vector<std::string>& names) const;
    /// The store's index as read at load (empty unless `deferUnchanged`).
    store::Index& index() { return m_index; }

  private:
    Globals m_globals;
    store::Index m_index; ///< before m_config: loading the configuration reads it
    config::Config m_config;
    std::unique_ptr<store::Store> m_store;
    SystemCommandRunner m_runner;
    std::unique_ptr<core::HookRunner> m_hooks;
    std::unique_ptr<core::ApiOrderService> m_api;
    std::unique_ptr<core::AcmeAccounts> m_acmeAccounts;
    core::CaBackends m_backends;
    std::unique_ptr<cluster::EtcdCoordinator> m_fleet;
    std::unique_ptr<core::RunContext> m_context;
    std::unique_ptr<store::StoreLock> m_lock;
    bool m_dryRun = false;
};

/// Sets up Poco logging from [log] (console on stderr, syslog, or a file), every line passed
/// through redact. `levelOverride` (from --log-level) wins when not empty.
void setupLogging(const config::LogSettings& log, const std::string& levelOverride);

/// Logging before the configuration is read: console, information.
void setupDefaultLogging();

/// False once [log] sent the log to syslog or a file. Error lines then also go to stderr (a
/// channel of their own), so cron still reports every certificate's failure.
bool logsToConsole();

} // namespace certagent::cli
