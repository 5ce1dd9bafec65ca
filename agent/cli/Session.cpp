#include "cli/Session.h"

#include "cluster/FleetSetup.h"
#include "cluster/SharedAcmeAccounts.h"
#include "core/IdleCheck.h"
#include "core/RunSupport.h"
#include "core/backends/AcmeBackend.h"
#include "core/backends/GoGetSslBackend.h"
#include "util/Text.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FileChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>
#include <Poco/SplitterChannel.h>
#include <Poco/SyslogChannel.h>

#include <algorithm>
#include <thread>

namespace certagent::cli {

namespace {

/// Every line certagent logs or prints as an error passes here: secrets redacted, and whatever a
/// terminal would act on (ESC, BEL, CR, C1, invalid UTF-8) escaped by util's one escaping
/// function, whoever built the message and whatever it quotes.
class RedactingChannel : public Poco::Channel {
  public:
    explicit RedactingChannel(Poco::AutoPtr<Poco::Channel> next) : m_next(std::move(next)) {}
    void log(const Poco::Message& msg) override {
        Poco::Message copy(msg);
        const std::string& text = msg.getText();
        copy.setText(escapeForLog(redact(text), text.size(), Escape::TerminalOnly));
        m_next->log(copy);
    }
    void open() override { m_next->open(); }
    void close() override { m_next->close(); }

  private:
    Poco::AutoPtr<Poco::Channel> m_next;
};

/// Passes on only messages at `level` or more severe (Poco: lower number = more severe).
class MinLevelChannel : public Poco::Channel {
  public:
    MinLevelChannel(Poco::AutoPtr<Poco::Channel> next, int level)
        : m_next(std::move(next)), m_level(level) {}
    void log(const Poco::Message& msg) override {
        if (msg.getPriority() <= m_level)
            m_next->log(msg);
    }
    void open() override { m_next->open(); }
    void close() override { m_next->close(); }

  private:
    Poco::AutoPtr<Poco::Channel> m_next;
    int m_level;
};

bool g_console = true;

Poco::AutoPtr<Poco::Channel> formatted(Poco::AutoPtr<Poco::Channel> channel,
                                       const std::string& pattern) {
    Poco::AutoPtr<Poco::PatternFormatter> formatter(new Poco::PatternFormatter(pattern));
    formatter->setProperty("times", "UTC");
    return new Poco::FormattingChannel(formatter, channel);
}

void install(Poco::AutoPtr<Poco::Channel> channel, int level) {
    Poco::AutoPtr<Poco::Channel> redacting(new RedactingChannel(channel));
    // root() first: setChannel("") only reaches loggers that already exist.
    Poco::Logger::root().setChannel(redacting);
    Poco::Logger::root().setLevel(level);
    Poco::Logger::setChannel("", redacting);
    Poco::Logger::setLevel("", level);
}

/// Logging to a file or syslog: `channel` gets what `level` allows; errors also go to stderr
/// (cron mails stderr), whatever the level.
void installWithStderr(Poco::AutoPtr<Poco::Channel> channel, int level) {
    Poco::AutoPtr<Poco::SplitterChannel> splitter(new Poco::SplitterChannel);
    splitter->addChannel(new MinLevelChannel(channel, level));
    splitter->addChannel(
        new MinLevelChannel(formatted(new Poco::ConsoleChannel, "%t"), Poco::Message::PRIO_ERROR));
    install(splitter, std::max<int>(level, Poco::Message::PRIO_ERROR));
}

} // namespace

void setupDefaultLogging() {
    install(formatted(new Poco::ConsoleChannel, "%t"), Poco::Message::PRIO_INFORMATION);
}

bool logsToConsole() {
    return g_console;
}

void setupLogging(const config::LogSettings& log, const std::string& levelOverride) {
    int level = Poco::Logger::parseLevel(levelOverride.empty() ? log.level : levelOverride);
    g_console = log.target == "console";
    if (log.target == "syslog") {
        Poco::AutoPtr<Poco::SyslogChannel> ch(new Poco::SyslogChannel("certagent"));
        ch->setProperty("facility", "SYSLOG_DAEMON");
        installWithStderr(formatted(ch, "%t"), level);
    } else if (log.target == "file") {
        Poco::AutoPtr<Poco::FileChannel> ch(new Poco::FileChannel(log.file));
        installWithStderr(formatted(ch, "%Y-%m-%dT%H:%M:%SZ [%P] %p: %t"), level);
    } else {
        install(formatted(new Poco::ConsoleChannel, "%t"), level);
    }
}

Args parseArgs(const std::string& command, const std::vector<std::string>& argv,
               const std::vector<std::string>& flags, const std::vector<std::string>& valued) {
    Args args;
    auto known = [](const std::vector<std::string>& list, const std::string& name) {
        return std::find(list.begin(), list.end(), name) != list.end();
    };
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a.size() < 2 || a.compare(0, 2, "--") != 0) {
            args.positional.push_back(a);
            continue;
        }
        auto eq = a.find('=');
        std::string name = a.substr(0, eq);
        if (known(flags, name) && eq == std::string::npos) {
            args.options[name];
        } else if (known(valued, name)) {
            if (eq != std::string::npos)
                args.options[name].push_back(a.substr(eq + 1));
            else if (i + 1 < argv.size())
                args.options[name].push_back(argv[++i]);
            else
                throw ConfigError(command + ": " + name + " needs a value");
        } else {
            throw ConfigError(command + ": unknown option " + escapeForLog(a, 80) +
                              " (see certagent --help)");
        }
    }
    return args;
}

Session::Session(const Globals& globals, const core::InstallerFactory& installers,
                 config::NeedCredentials credentials, bool checkHooks, bool deferUnchanged)
    : m_globals(globals), m_config(config::loadConfig(globals.configPath, credentials,
                                                      deferUnchanged ? core::knownFromIndex(m_index)
                                                                     : config::KnownCertFile())) {
    setupLogging(m_config.log, globals.logLevel);
    m_store =
        std::make_unique<store::Store>(m_config.storeDir, m_config.keepVersions,
                                       [](const std::string& w) { core::logger().warning(w); });
    core::HookSettings hooks{m_config.hooksDir, m_config.hooksTimeout};
    m_hooks = std::make_unique<core::HookRunner>(
        hooks, m_runner, [](const std::string& line) { core::logger().information(line); });
    if (checkHooks) {
        std::vector<std::string> extra;
        for (const auto& cert : m_config.certs)
            if (!cert.deployHook.empty())
                extra.push_back(cert.deployHook);
        for (const auto& name : m_config.deferred) // as recorded when the file was read
            if (!m_index.deployHook(name).empty())
                extra.push_back(m_index.deployHook(name));
        m_hooks->checkFiles(extra);
    }
    const config::Config& cfg = m_config;
    std::string keyCache = cfg.storeDir + "/auth.key";
    m_api = std::make_unique<core::ApiOrderService>([this, &cfg, keyCache] {
        api::ApiSettings s;
        s.url = cfg.api.url;
        s.caFile = cfg.api.caFile;
        s.timeout = cfg.api.timeout;
        s.keyCachePath = m_dryRun ? "" : keyCache;
        s.log = [](const std::string& line) { core::logger().debug(line); };
        if (!cfg.api.pass)
            throw ConfigError(cfg.api.credentialsFile + ": not read");
        api::Credentials c{cfg.api.user, Secret(std::string_view(cfg.api.pass->reveal()))};
        return std::make_unique<api::ApiClient>(s, std::move(c));
    });
    m_backends.add(core::GoGetSslBackend::kKind,
                   [this] { return std::make_unique<core::GoGetSslBackend>(*m_api); });
    core::Coordinator* coordinator = &core::soloCoordinator();
    if (m_config.cluster.enabled()) {
        cluster::FleetLog log{[](const std::string& line) { core::logger().information(line); },
                              [](const std::string& line) { core::logger().warning(line); }};
        m_fleet = cluster::makeEtcdCoordinator(m_config, log);
        coordinator = m_fleet.get();
    }
    auto accounts = std::make_unique<core::AcmeAccountFiles>(m_config.storeDir);
    if (m_fleet) // one ACME account per CA for the whole fleet, shared sealed through etcd
        m_acmeAccounts =
            std::make_unique<cluster::SharedAcmeAccounts>(std::move(accounts), *m_fleet);
    else
        m_acmeAccounts = std::move(accounts);
    for (const auto& [instance, settings] : m_config.acme) {
        std::string kind = instance.empty() ? "acme" : "acme-" + instance;
        m_backends.add(kind, [this, kind, &acme = settings] {
            core::AcmeEnvironment env;
            env.accounts = m_acmeAccounts.get();
            env.log = [](const std::string& line) { core::logger().debug(line); };
            return std::make_unique<core::AcmeBackend>(kind, acme, env);
        });
    }
    m_context = std::make_unique<core::RunContext>(core::RunContext{
        m_config,
        *m_store,
        m_backends,
        installers,
        m_runner,
        *m_hooks,
        [] { return std::time(nullptr); },
        // A wait keeps the fleet locks this run holds alive (a host on its own just sleeps).
        [coordinator](std::chrono::seconds d) {
            coordinator->pause(d, [](std::chrono::seconds s) { std::this_thread::sleep_for(s); });
        },
        {},
        std::nullopt,
        *coordinator});
}

void Session::lock(bool dryRun) {
    m_dryRun = dryRun;
    if (dryRun)
        return;
    m_store->ensureLayout();
    m_lock = std::make_unique<store::StoreLock>(
        m_store->lockPath(),
        std::chrono::duration_cast<std::chrono::milliseconds>(m_config.lockWait));
}

std::vector<const config::CertConfig*>
Session::select(const std::vector<std::string>& names) const {
    std::vector<const config::CertConfig*> out;
    if (names.empty()) {
        for (const auto& c : m_config.certs)
            out.push_back(&c);
        return out;
    }
    for (const auto& n : names)
        out.push_back(&m_config.cert(n));
    return out;
}

std::vector<core::RunCert> Session::selectForRun(const std::vector<std::string>& names) const {
    std::vector<core::RunCert> all = core::runList(m_config);
    if (names.empty())
        return all;
    std::vector<core::RunCert> chosen;
    for (const auto& n : names) {
        auto it = std::find_if(all.begin(), all.end(),
                               [&n](const core::RunCert& c) { return *c.name == n; });
        if (it == all.end())
            m_config.cert(n); // throws: unknown certificate
        else
            chosen.push_back(*it);
    }
    return chosen;
}

} // namespace certagent::cli
