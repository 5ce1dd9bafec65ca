#pragma once

#include "config/Config.h"
#include "core/HookRunner.h"
#include "core/Installer.h"
#include "core/OrderService.h"
#include "core/Renewal.h"
#include "crypto/GateError.h"
#include "store/Store.h"

#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace certagent::core {

/// What the command asked for.
struct RunOptions {
    bool dryRun = false;        ///< read and verify only: no files, orders, reloads
    bool force = false;         ///< order now even if not due; ignore backoff and a failed phase
    bool installOnly = false;   ///< `install`: never place an order, only fetch/verify/deploy
    long long adoptOrderId = 0; ///< `install --order-id`: take over this order
    std::optional<std::chrono::seconds> wait; ///< poll until issued or this deadline
};

/// Everything shared by the certificates of one run (seams: api, clock, sleep, installers).
struct RunContext {
    const config::Config& config;
    store::Store& store;
    OrderService& api;
    InstallerFactory installers;
    CommandRunner& runner;
    HookRunner& hooks;
    std::function<std::time_t()> now = [] { return std::time(nullptr); };
    std::function<void(std::chrono::seconds)> sleep;
    /// One-line progress while waiting (terminal: rewritten in place). May be empty.
    std::function<void(const std::string&)> progress;
};

/// The per-certificate state machine of design.md §1. Every step persists state/NAME.json.
/// process() returns the exit code of design.md §5 for this certificate; it throws only for
/// bugs and for Errors it does not own (ConfigError from an installer, IoError from the store),
/// which the caller maps to exit codes and records.
class CertRunner {
  public:
    CertRunner(RunContext& context, const config::CertConfig& cert);

    /// One run for this certificate. `batch`: the status from getOrdersStatus when the caller
    /// polled several pending orders at once.
    int process(const RunOptions& options, const std::optional<api::BatchStatus>& batch = {});

    /// The renewal decision for the live certificate (reads meta.json; re-checks the files with
    /// the gate when they changed or a daily full check is due).
    RenewalDecision decide(bool fullCheck);

    /// True when the certificate's order is waiting for the CA (for batch polling).
    static bool pendingOrder(const store::CertState& state);

    const store::CertState& state() const { return m_state; }

    enum class OrderKind { New, Reissue, Renew };

  private:
    // CertRunner.cpp: decision and ordering
    int startOrder(const RunOptions& options, const std::string& reason, bool expiryBased);
    std::optional<int> checkExistingOrder(const RunOptions& options, long long existing,
                                          bool expiryBased, OrderKind& kind);
    std::string writePendingKeyAndCsr();
    void sendOrder(OrderKind kind, long long existing, const std::string& csrPem, api::DcvInfo& dcv,
                   std::vector<api::SanItem>& sanItems);
    bool clockAgrees(const api::OrderStatus& status) const;
    int pollAndAdvance(const RunOptions& options, const std::optional<api::BatchStatus>& batch);
    void save();
    int apiFailure(const std::exception& e, int code);
    int refuseAndRecord(const std::string& message, int code);
    int refuseAndSave(const std::string& message, int code, bool dryRun = false);
    std::vector<std::string> sanNames() const;
    // Validation.cpp: DCV and polling
    void prepareValidation(const api::DcvInfo& main, const std::vector<api::SanItem>& sans,
                           bool dryRun);
    void placeHttpFiles(const api::DcvInfo& main, const std::vector<api::SanItem>& sans);
    void addDnsRecords(const api::DcvInfo& main, const std::vector<api::SanItem>& sans);
    void cleanupValidation();
    int waitForIssue(const RunOptions& options, api::OrderStatus status);
    int handleStatus(const RunOptions& options, const api::OrderStatus& status, bool& done);
    std::optional<int> recheckAfterPlacing(const RunOptions& options, bool& done);
    bool showsDeployedCert(const api::OrderStatus& status) const;
    // Installation.cpp: gate, store, deploy
    int installIssued(const RunOptions& options, const api::OrderStatus& status);
    std::optional<std::string> orderKey(std::string& label) const;
    int gateRefused(const RunOptions& options, const crypto::GateError& e);
    int writeAndDeploy(store::VersionFiles& files);
    int finishInstalled(const std::string& sha256, bool changed);
    int deployVersion(Installer* installer, const std::string& sha256,
                      const std::string& previousSha, std::optional<int> previousVersion);
    void runHooks(const std::string& phase, const std::string& error);
    std::unique_ptr<Installer> makeInstaller();
    std::string readCsrPem() const;
    std::string csrPath() const;

    RunContext& m_ctx;
    const config::CertConfig& m_cert;
    store::CertState m_state;
    std::string m_prefix; ///< "shop: " for log lines
    bool m_dryRun = false;
    bool m_placedNow = false; ///< DCV placed in this run: ask the CA to re-check
};

/// Exponential persistent backoff after API failures: 5m, 10m, 20m ... capped at 6h.
std::chrono::seconds backoffAfter(int consecutiveFailures);

} // namespace certagent::core
