#include "cli/Commands.h"
#include "core/Metrics.h"
#include "core/RunSupport.h"
#include "crypto/Csr.h"
#include "crypto/Keys.h"
#include "util/FileIo.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <iostream>
#include <unistd.h>

namespace certagent::cli {

namespace {

/// Progress while waiting: one rewritten line on a terminal, plain log lines otherwise.
class Progress {
  public:
    Progress() : m_tty(::isatty(2) == 1) {}
    ~Progress() {
        if (m_shown)
            std::cerr << "\n";
    }
    void show(const std::string& line) {
        if (!m_tty) {
            core::logger().information(line);
            return;
        }
        std::cerr << "\r" << line << "\x1b[K" << std::flush;
        m_shown = true;
    }

  private:
    bool m_tty;
    bool m_shown = false;
};

std::optional<std::chrono::seconds> waitOption(const Args& args) {
    if (!args.has("--wait"))
        return std::nullopt;
    return parseDuration(args.value("--wait"), "--wait");
}

/// getOrdersStatus for several pending orders at once (cron mode); empty on failure (each
/// certificate then polls on its own).
std::map<std::string, api::BatchStatus>
prefetch(Session& s, const std::vector<const config::CertConfig*>& certs) {
    std::map<long long, std::string> pending;
    std::time_t now = s.context().now();
    for (const auto* cert : certs) {
        auto state = s.store().loadState(cert->name);
        if (state && core::CertRunner::pendingOrder(*state) &&
            !(state->backoffUntil && *state->backoffUntil > now))
            pending[state->orderId] = cert->name;
    }
    std::map<std::string, api::BatchStatus> out;
    if (pending.size() < 2)
        return out;
    std::vector<long long> ids;
    for (const auto& p : pending)
        ids.push_back(p.first);
    try {
        for (const auto& b : s.api().statuses(ids))
            if (pending.count(b.orderId))
                out[pending[b.orderId]] = b;
    } catch (const api::ApiError& e) {
        core::logger().warning(std::string("batch status: ") + e.what());
    }
    return out;
}

int processOne(Session& s, const config::CertConfig& cert, const core::RunOptions& options,
               const std::optional<api::BatchStatus>& batch, core::CertMetrics& metrics) {
    int rc;
    try {
        core::CertRunner runner(s.context(), cert);
        rc = runner.process(options, batch);
    } catch (const Error& e) {
        rc = e.exitCode();
        core::logger().error(cert.name + ": " + e.what());
        if (!options.dryRun && rc != kExitLocalIo) {
            auto state = s.store().loadState(cert.name).value_or(store::CertState{});
            state.lastError = e.what();
            state.lastErrorAt = std::time(nullptr);
            s.store().saveState(cert.name, state);
        }
    } catch (const std::exception& e) {
        // A bug for this certificate must not stop the others (exit 1 at the end).
        rc = kExitInternal;
        core::logger().error(cert.name + ": internal error: " + escapeForLog(e.what()));
    }
    auto state = s.store().loadState(cert.name).value_or(store::CertState{});
    metrics.name = cert.name;
    metrics.orderState = state.phase;
    metrics.lastExit = rc;
    metrics.lastSuccess = state.lastSuccess;
    metrics.lastFailure = state.lastFailure;
    if (auto meta = s.store().liveMeta(cert.name))
        metrics.notAfter = parseIsoUtc(meta->notAfter);
    return rc;
}

int runCertificates(Session& s, const std::vector<const config::CertConfig*>& certs,
                    const core::RunOptions& options) {
    s.lock();
    Progress progress;
    s.context().progress = [&progress](const std::string& line) { progress.show(line); };
    auto batch = options.wait ? std::map<std::string, api::BatchStatus>{} : prefetch(s, certs);
    int worst = kExitOk;
    std::vector<core::CertMetrics> metrics;
    for (const auto* cert : certs) {
        std::optional<api::BatchStatus> b;
        if (auto it = batch.find(cert->name); it != batch.end())
            b = it->second;
        metrics.emplace_back();
        worst = worseExit(worst, processOne(s, *cert, options, b, metrics.back()));
    }
    if (!options.dryRun && !s.config().metricsTextfile.empty()) {
        try {
            core::writeMetrics(s.config().metricsTextfile, metrics);
        } catch (const Error& e) {
            core::logger().warning(e.what());
        }
    }
    return worst;
}

} // namespace

int runCommand(const Globals& g, const std::vector<std::string>& argv,
               const core::InstallerFactory& installers) {
    Args args = parseArgs("run", argv, {"--dry-run", "--force"}, {"--cert", "--wait"});
    if (!args.positional.empty())
        throw ConfigError("run: unexpected argument \"" + escapeForLog(args.positional[0], 80) +
                          "\"");
    core::RunOptions options;
    options.dryRun = args.has("--dry-run");
    options.force = args.has("--force");
    options.wait = waitOption(args);
    Session s(g, installers, true, true);
    auto names = args.has("--cert") ? args.options.at("--cert") : std::vector<std::string>{};
    return runCertificates(s, s.select(names), options);
}

int issueCommand(const Globals& g, const std::vector<std::string>& argv,
                 const core::InstallerFactory& installers) {
    Args args = parseArgs("issue", argv, {"--dry-run"}, {"--wait"});
    if (args.positional.size() != 1)
        throw ConfigError("issue: expected one certificate NAME");
    core::RunOptions options;
    options.dryRun = args.has("--dry-run");
    options.force = true;
    options.wait = waitOption(args);
    Session s(g, installers, true, true);
    return runCertificates(s, s.select(args.positional), options);
}

int installCommand(const Globals& g, const std::vector<std::string>& argv,
                   const core::InstallerFactory& installers) {
    Args args = parseArgs("install", argv, {"--dry-run"}, {"--order-id", "--wait"});
    if (args.positional.size() != 1)
        throw ConfigError("install: expected one certificate NAME");
    core::RunOptions options;
    options.dryRun = args.has("--dry-run");
    options.installOnly = true;
    options.wait = waitOption(args);
    if (args.has("--order-id")) {
        std::string id = args.value("--order-id");
        if (id.empty() || id.size() > 12 ||
            id.find_first_not_of("0123456789") != std::string::npos || std::stoll(id) <= 0)
            throw ConfigError("install: --order-id: expected a positive number");
        options.adoptOrderId = std::stoll(id);
    }
    Session s(g, installers, true, true);
    return runCertificates(s, s.select(args.positional), options);
}

int csrCommand(const Globals& g, const std::vector<std::string>& argv,
               const core::InstallerFactory& installers) {
    Args args = parseArgs("csr", argv, {}, {});
    if (args.positional.size() != 1)
        throw ConfigError("csr: expected one certificate NAME");
    Session s(g, installers, false, false);
    const auto& cert = s.config().cert(args.positional[0]);
    s.lock();
    auto state = s.store().loadState(cert.name);
    if (state && (core::CertRunner::pendingOrder(*state) || state->phase == "ordering"))
        throw RefusedError(cert.name + ": order " + std::to_string(state->orderId) +
                           " is in progress with the key in " +
                           s.store().pendingKeyPath(cert.name) + "; not replacing it");
    auto key = crypto::generateKey(crypto::parseKeyType(cert.keyType));
    std::string keyPem = crypto::privateKeyToPem(*key);
    std::string csrPem = crypto::csrToPem(*crypto::makeCsr(*key, cert.domains));
    s.store().writePendingKey(cert.name, keyPem);
    wipe(keyPem);
    std::string csrPath = core::pendingCsrPath(s.store(), cert.name);
    writeFileAtomic(csrPath, csrPem, 0644);
    core::logger().information(cert.name + ": new " + cert.keyType + " key in " +
                               s.store().pendingKeyPath(cert.name) + ", CSR in " + csrPath);
    std::cout << csrPem << std::flush;
    return kExitOk;
}

} // namespace certagent::cli
