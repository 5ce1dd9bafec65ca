#include "cli/Session.h"

#include "api/Text.h"
#include "core/RunSupport.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FileChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>
#include <Poco/SyslogChannel.h>

#include <algorithm>
#include <thread>

namespace certagent::cli {

namespace {

/// Passes every message through api::redact before the real channel sees it.
class RedactingChannel : public Poco::Channel {
  public:
    explicit RedactingChannel(Poco::AutoPtr<Poco::Channel> next) : m_next(std::move(next)) {}
    void log(const Poco::Message& msg) override {
        Poco::Message copy(msg);
        copy.setText(api::redact(msg.getText()));
        m_next->log(copy);
    }
    void open() override { m_next->open(); }
    void close() override { m_next->close(); }

  private:
    Poco::AutoPtr<Poco::Channel> m_next;
};

bool g_console = true;

void install(Poco::AutoPtr<Poco::Channel> channel, const std::string& pattern,
             const std::string& level) {
    Poco::AutoPtr<Poco::PatternFormatter> formatter(new Poco::PatternFormatter(pattern));
    formatter->setProperty("times", "UTC");
    Poco::AutoPtr<Poco::Channel> formatting(new Poco::FormattingChannel(formatter, channel));
    Poco::AutoPtr<Poco::Channel> redacting(new RedactingChannel(formatting));
    // root() first: setChannel("") only reaches loggers that already exist.
    Poco::Logger::root().setChannel(redacting);
    Poco::Logger::root().setLevel(Poco::Logger::parseLevel(level));
    Poco::Logger::setChannel("", redacting);
    Poco::Logger::setLevel("", Poco::Logger::parseLevel(level));
}

} // namespace

void setupDefaultLogging() {
    install(new Poco::ConsoleChannel, "%t", "information");
}

bool logsToConsole() {
    return g_console;
}

void setupLogging(const config::LogSettings& log, const std::string& levelOverride) {
    std::string level = levelOverride.empty() ? log.level : levelOverride;
    g_console = log.target == "console";
    if (log.target == "syslog") {
        Poco::AutoPtr<Poco::SyslogChannel> ch(new Poco::SyslogChannel("certagent"));
        ch->setProperty("facility", "SYSLOG_DAEMON");
        install(ch, "%t", level);
    } else if (log.target == "file") {
        Poco::AutoPtr<Poco::FileChannel> ch(new Poco::FileChannel(log.file));
        install(ch, "%Y-%m-%dT%H:%M:%SZ [%P] %p: %t", level);
    } else {
        install(new Poco::ConsoleChannel, "%t", level);
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
            throw ConfigError(command + ": unknown option " + api::escapeForLog(a, 80) +
                              " (see certagent --help)");
        }
    }
    return args;
}

Session::Session(const Globals& globals, const core::InstallerFactory& installers, bool needApi,
                 bool checkHooks)
    : m_globals(globals), m_config(config::loadConfig(globals.configPath, needApi)) {
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
        m_hooks->checkFiles(extra);
    }
    const config::Config& cfg = m_config;
    std::string keyCache = cfg.storeDir + "/auth.key";
    m_api = std::make_unique<core::ApiOrderService>([&cfg, keyCache] {
        api::ApiSettings s;
        s.url = cfg.api.url;
        s.caFile = cfg.api.caFile;
        s.timeout = cfg.api.timeout;
        s.keyCachePath = keyCache;
        s.log = [](const std::string& line) { core::logger().debug(line); };
        if (!cfg.api.pass)
            throw ConfigError(cfg.api.credentialsFile + ": not read");
        api::Credentials c{cfg.api.user, api::Secret(std::string_view(cfg.api.pass->reveal()))};
        return std::make_unique<api::ApiClient>(s, std::move(c));
    });
    m_context = std::make_unique<core::RunContext>(
        core::RunContext{m_config,
                         *m_store,
                         *m_api,
                         installers,
                         m_runner,
                         *m_hooks,
                         [] { return std::time(nullptr); },
                         [](std::chrono::seconds d) { std::this_thread::sleep_for(d); },
                         {}});
}

void Session::lock() {
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

} // namespace certagent::cli
