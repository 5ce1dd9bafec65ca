#include "cli/Commands.h"
#include "core/Maintenance.h"
#include "core/RunCertificates.h"
#include "core/RunSupport.h"
#include "core/backends/AcmeBackend.h"
#include "util/Text.h"

#include <algorithm>
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
    Session s(g, installers, config::NeedCredentials::IfUsed, true, true);
    auto names = args.has("--cert") ? args.options.at("--cert") : std::vector<std::string>{};
    s.lock(options.dryRun);
    Progress progress;
    s.context().progress = [&progress](const std::string& line) { progress.show(line); };
    return core::runCertificates(s.context(), s.selectForRun(names), options, &s.index(),
                                 names.empty());
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
    // Never orders: no API credentials needed.
    Session s(g, installers, config::NeedCredentials::No, true);
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
    Session s(g, installers, config::NeedCredentials::IfUsed, true);
    return runCertificates(s, s.select(args.positional), options);
}

namespace {

/// The order `install` adopts: --order-id for GoGetSSL certificates, --order-url (on the CA's
/// own origin) for ACME ones.
std::string adoptedOrder(const Args& args, const config::CertConfig& cert, Session& s) {
    bool acme = config::isAcmeBackend(cert.backend);
    if (args.has("--order-id") && args.has("--order-url"))
        throw ConfigError("install: --order-id and --order-url exclude each other");
    if (args.has("--order-id")) {
        if (acme)
            throw ConfigError("install: --order-id is for backend = gogetssl; " + cert.name +
                              " uses " + cert.backend + " (use --order-url URL)");
        std::string id = args.value("--order-id");
        if (id.empty() || id.size() > 12 ||
            id.find_first_not_of("0123456789") != std::string::npos || std::stoll(id) <= 0)
            throw ConfigError("install: --order-id: expected a positive number");
        return std::to_string(std::stoll(id));
    }
    if (args.has("--order-url")) {
        if (!acme)
            throw ConfigError("install: --order-url is for ACME certificates; " + cert.name +
                              " uses " + cert.backend + " (use --order-id ID)");
        std::string url = args.value("--order-url");
        bool printable = std::all_of(url.begin(), url.end(),
                                     [](unsigned char c) { return c > 0x20 && c < 0x7f; });
        // Checked against the directory's origin here, before anything is sent or saved.
        if (url.compare(0, 8, "https://") != 0 || url.size() > 2048 || !printable)
            throw ConfigError("install: --order-url: expected an https:// URL of the CA");
        auto* backend = dynamic_cast<core::AcmeBackend*>(&s.backends().named(cert.backend));
        if (!backend)
            throw Error("install: backend " + cert.backend + " is not an ACME backend");
        return backend->checkOrderUrl(url);
    }
    return {};
}

} // namespace

int installCommand(const Globals& g, const std::vector<std::string>& argv,
                   const core::InstallerFactory& installers) {
    Args args = parseArgs("install", argv, {"--dry-run"}, {"--order-id", "--order-url", "--wait"});
    if (args.positional.size() != 1)
        throw ConfigError("install: expected one certificate NAME");
    core::RunOptions options;
    options.dryRun = args.has("--dry-run");
    options.installOnly = true;
    options.wait = waitOption(args);
    Session s(g, installers, config::NeedCredentials::IfUsed, true);
    auto certs = s.select(args.positional);
    options.adoptOrder = adoptedOrder(args, *certs[0], s);
    return runCertificates(s, certs, options);
}

int csrCommand(const Globals& g, const std::vector<std::string>& argv,
               const core::InstallerFactory& installers) {
    Args args = parseArgs("csr", argv, {}, {});
    if (args.positional.size() != 1)
        throw ConfigError("csr: expected one certificate NAME");
    Session s(g, installers, config::NeedCredentials::No, false);
    const auto& cert = s.config().cert(args.positional[0]);
    s.lock();
    std::string csrPem = core::newPendingCsr(s.context(), cert);
    std::cout << csrPem << std::flush;
    return kExitOk;
}

} // namespace certagent::cli
