#include "cli/Commands.h"
#include "core/Maintenance.h"
#include "core/RunCertificates.h"
#include "core/RunSupport.h"
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
        std::cerr << "\r" << escapeForLog(line, line.size(), Escape::TerminalOnly) << "\x1b[K"
                  << std::flush;
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

int runCertificates(Session& s, const std::vector<const config::CertConfig*>& certs,
                    const core::RunOptions& options) {
    s.lock(options.dryRun);
    Progress progress;
    s.context().progress = [&progress](const std::string& line) { progress.show(line); };
    return core::runCertificates(s.context(), certs, options);
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

int syncCommand(const Globals& g, const std::vector<std::string>& argv,
                const core::InstallerFactory& installers) {
    Args args = parseArgs("sync", argv, {"--dry-run"}, {"--cert"});
    if (!args.positional.empty())
        throw ConfigError("sync: unexpected argument \"" + escapeForLog(args.positional[0], 80) +
                          "\"");
    core::RunOptions options;
    options.dryRun = args.has("--dry-run");
    options.followOnly = true;
    Session s(g, installers, false, true); // never orders: no API credentials needed
    if (!s.fleet())
        throw ConfigError("sync: this host is in no fleet ([cluster] etcd is not set in " +
                          escapeForLog(s.config().path) + ")");
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
        options.adoptOrder = std::to_string(std::stoll(id));
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
    std::string csrPem = core::newPendingCsr(s.context(), cert);
    std::cout << csrPem << std::flush;
    return kExitOk;
}

} // namespace certagent::cli
