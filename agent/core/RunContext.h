#pragma once

#include "config/Config.h"
#include "core/CaBackend.h"
#include "core/Coordinator.h"
#include "core/HookRunner.h"
#include "core/Installer.h"
#include "store/Store.h"

#include <chrono>
#include <ctime>
#include <functional>
#include <optional>
#include <string>

namespace certagent::core {

/// What the command asked for.
struct RunOptions {
    bool dryRun = false;      ///< read and verify only: no files, orders, reloads
    bool force = false;       ///< order now even if not due; ignore backoff and a failed phase
    bool installOnly = false; ///< `install`: never place an order, only fetch/verify/deploy
    std::string adoptOrder;   ///< `install --order-id`: take over this order (backend's id)
    std::optional<std::chrono::seconds> wait; ///< poll until issued or this deadline
    bool followOnly = false; ///< `sync`: pull and place/ack DCV; never lead, never order
};

/// Everything shared by the certificates of one run (seams: CA backends, clock, sleep, installers).
struct RunContext {
    const config::Config& config;
    store::Store& store;
    CaBackends& backends;
    InstallerFactory installers;
    CommandRunner& runner;
    HookRunner& hooks;
    std::function<std::time_t()> now = [] { return std::time(nullptr); };
    std::function<void(std::chrono::seconds)> sleep;
    /// One-line progress while waiting (terminal: rewritten in place). May be empty.
    std::function<void(const std::string&)> progress;
    /// Cron mode (no --wait): every call to a CA ends by this time (runCertificates sets it).
    std::optional<std::chrono::steady_clock::time_point> callsEndBy;
    /// The fleet this host belongs to ([cluster]); a host on its own leads everything.
    Coordinator& coordinator = soloCoordinator();
};

/// How long the calls to CAs of one cron-mode run may take together: a CA that is down costs a
/// run this much at most, whatever the number of certificates (the rest get exit 3 and are
/// tried by the next run).
constexpr std::chrono::minutes kCronCallBudget{15};

} // namespace certagent::core
