#include "ApacheProcess.h"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace certagent::test {

namespace {

constexpr const char* kModules = "/usr/lib/apache2/modules";
using Clock = std::chrono::steady_clock;

bool accepts(int port) {
    try {
        Poco::Net::StreamSocket socket;
        socket.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)),
                       Poco::Timespan(1, 0));
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

const char* kLoadModules = "mpm_event authz_core alias ssl socache_shmcb";

std::string loadModules() {
    std::string out;
    std::istringstream names(kLoadModules);
    std::string module;
    while (names >> module)
        out += "LoadModule " + module + "_module " + kModules + "/mod_" + module + ".so\n";
    return out;
}

} // namespace

ApacheProcess::ApacheProcess(const std::string& debianInstance)
    : m_instance(debianInstance), m_httpPort(freePort()), m_httpsPort(freePort()) {
    while (m_httpsPort == m_httpPort)
        m_httpsPort = freePort();
    // mkdtemp made the prefix 0700; the unprivileged children must reach htdocs.
    ::chmod(prefix().c_str(), 0755);
    if (m_instance.empty())
        writeStandalone();
    else
        writeInstance(m_instance);
}

ApacheProcess::~ApacheProcess() {
    try {
        stop();
    } catch (...) {
    }
}

std::string ApacheProcess::confDir() const {
    return m_instance.empty() ? prefix() : m_dir / ("apache2-" + m_instance);
}

std::string ApacheProcess::sitesDir() const {
    return m_instance.empty() ? m_dir / "sites" : confDir() + "/sites-enabled";
}

std::string ApacheProcess::pidFile() const {
    return m_instance.empty() ? m_dir / "run/apache2.pid" : m_env.at("APACHE_PID_FILE");
}

std::string ApacheProcess::errorLog() const {
    return m_instance.empty() ? m_dir / "logs/error.log"
                              : m_env.at("APACHE_LOG_DIR") + "/error.log";
}

void ApacheProcess::writeCommon(const std::string& mainConfig) {
    writeFile(configPath(), mainConfig);
    writeFile(docRoot() + "/index.html", "apache test server\n");
    ::mkdir(sitesDir().c_str(), 0755);
}

void ApacheProcess::writeStandalone() {
    std::ostringstream c;
    c << "ServerRoot \"" << prefix() << "\"\n"
      << "DefaultRuntimeDir \"" << prefix() << "/run\"\n"
      << "PidFile \"" << pidFile() << "\"\n"
      << "Mutex file:" << prefix() << "/run default\n"
      << "ErrorLog \"" << errorLog() << "\"\n"
      << "LogLevel info\n"
      << loadModules();
    if (::geteuid() == 0)
        c << "User www-data\nGroup www-data\n";
    c << "ServerName localhost\n"
      << "Listen 127.0.0.1:" << m_httpPort << "\n"
      << "Listen 127.0.0.1:" << m_httpsPort << "\n"
      << "IncludeOptional listen.d/*.conf\n"
      << "StartServers 1\nGracefulShutdownTimeout 5\n"
      << "DocumentRoot \"" << docRoot() << "\"\n"
      << "<Directory \"" << docRoot() << "\">\n    Require all granted\n</Directory>\n"
      << "IncludeOptional \"" << sitesDir() << "/*.conf\"\n";
    writeCommon(c.str());
    ::mkdir((prefix() + "/run").c_str(), 0755);
    ::mkdir((prefix() + "/logs").c_str(), 0755);
}

void ApacheProcess::writeInstance(const std::string& name) {
    // The values Debian's envvars computes for /etc/apache2-NAME, below the prefix.
    std::string suffix = "-" + name;
    m_env = {{"APACHE_RUN_DIR", m_dir / ("run" + suffix)},
             {"APACHE_PID_FILE", m_dir / ("run" + suffix + "/apache2.pid")},
             {"APACHE_LOCK_DIR", m_dir / ("lock" + suffix)},
             {"APACHE_LOG_DIR", m_dir / ("log" + suffix)},
             {"APACHE_RUN_USER", "www-data"},
             {"APACHE_RUN_GROUP", "www-data"}};
    std::string dir = confDir();
    writeFile(dir + "/envvars",
              "# envvars - default environment variables for apache2ctl\n"
              "unset HOME\n"
              "if [ \"${APACHE_CONFDIR##/etc/apache2-}\" != \"${APACHE_CONFDIR}\" ] ; then\n"
              "\tSUFFIX=\"-${APACHE_CONFDIR##/etc/apache2-}\"\nelse\n\tSUFFIX=\nfi\n"
              "export APACHE_RUN_USER=www-data\nexport APACHE_RUN_GROUP=www-data\n"
              "export APACHE_PID_FILE=" +
                  prefix() + "/run$SUFFIX/apache2.pid\nexport APACHE_RUN_DIR=" + prefix() +
                  "/run$SUFFIX\nexport APACHE_LOCK_DIR=" + prefix() +
                  "/lock$SUFFIX\nexport APACHE_LOG_DIR=" + prefix() +
                  "/log$SUFFIX\nexport LANG=C\nexport LANG\n");
    writeFile(dir + "/mods-enabled/test.load", loadModules());
    writeFile(dir + "/ports.conf", "Listen 127.0.0.1:" + std::to_string(m_httpPort) +
                                       "\n<IfModule ssl_module>\n\tListen 127.0.0.1:" +
                                       std::to_string(m_httpsPort) + "\n</IfModule>\n");
    std::string user =
        ::geteuid() == 0 ? "User ${APACHE_RUN_USER}\nGroup ${APACHE_RUN_GROUP}\n" : "";
    writeCommon("DefaultRuntimeDir ${APACHE_RUN_DIR}\nPidFile ${APACHE_PID_FILE}\n"
                "Mutex file:${APACHE_LOCK_DIR} default\nErrorLog ${APACHE_LOG_DIR}/error.log\n"
                "LogLevel info\nIncludeOptional mods-enabled/*.load\n" +
                user +
                "ServerName localhost\nInclude ports.conf\nIncludeOptional listen.d/*.conf\n"
                "StartServers 1\nGracefulShutdownTimeout 5\nDocumentRoot \"" +
                docRoot() + "\"\n<Directory \"" + docRoot() +
                "\">\n\tRequire all granted\n</Directory>\n"
                "IncludeOptional sites-enabled/*.conf\n");
    for (const char* d : {"run", "lock", "log"})
        ::mkdir((m_dir / (d + suffix)).c_str(), 0755);
}

void ApacheProcess::addSiteFile(const std::string& name, const std::string& text) {
    writeFile(sitesDir() + "/" + name + ".conf", text);
}

void ApacheProcess::addListen(const std::string& address) {
    std::string path = confDir() + "/listen.d/extra.conf";
    std::string text = exists(path) ? readFile(path) : "";
    writeFile(path, text + "Listen " + address + "\n");
}

config::ServerSettings ApacheProcess::settings(const std::string& reload) const {
    config::ServerSettings s;
    s.binary = binary();
    s.config = configPath();
    s.reload = reload;
    return s;
}

void ApacheProcess::start() {
    std::vector<std::string> argv{binary()};
    if (!m_instance.empty())
        argv.insert(argv.end(), {"-d", confDir()});
    argv.insert(argv.end(), {"-f", configPath(), "-k", "start"});
    for (const std::string& name : m_defines)
        argv.insert(argv.end(), {"-D", name});
    std::vector<std::string> env;
    for (const auto& [key, value] : m_env)
        env.push_back(key + "=" + value);
    CommandOutput out = runCommand(argv, env, 60);
    if (out.exitCode != 0)
        throw std::runtime_error("apache2 -k start failed: " + out.output + errorLogTail());
    // Generous: on a loaded 2-core machine apache2 once took over 20 s between mod_ssl's init
    // and "resuming normal operations". Only a failing start waits this long.
    auto deadline = Clock::now() + std::chrono::seconds(60);
    while (!(isRunning() && accepts(m_httpPort) && accepts(m_httpsPort))) {
        if (Clock::now() > deadline)
            throw std::runtime_error("apache2 did not come up: " + errorLogTail());
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

void ApacheProcess::stop() {
    int p = pid();
    if (processAlive(p)) {
        ::kill(p, SIGTERM); // the master stops its children, then itself
        if (!waitGone({p}, std::chrono::seconds(15)))
            ::kill(-p, SIGKILL); // the daemon leads its own process group (setsid)
        waitGone({p}, std::chrono::seconds(5));
    }
    killMentioning(prefix() + "/");
}

void ApacheProcess::kill() {
    int p = pid();
    if (!processAlive(p))
        return;
    ::kill(-p, SIGKILL);
    ::kill(p, SIGKILL);
    waitGone({p}, std::chrono::seconds(10));
}

bool ApacheProcess::isRunning() const {
    return processAlive(pid());
}

int ApacheProcess::pid() const {
    std::ifstream in(pidFile());
    int p = -1;
    if (!(in >> p))
        return -1;
    return p;
}

std::string ApacheProcess::errorLogTail(size_t lines) const {
    std::ifstream in(errorLog());
    std::vector<std::string> all;
    std::string line;
    while (std::getline(in, line))
        all.push_back(line);
    std::string out;
    for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
        out += all[i] + "\n";
    return out;
}

} // namespace certagent::test
