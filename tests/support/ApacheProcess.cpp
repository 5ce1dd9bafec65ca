#include "ApacheProcess.h"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace certagent::test {

namespace {

constexpr const char* kModules = "/usr/lib/apache2/modules";

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

} // namespace

bool processAlive(int pid) {
    if (pid <= 0)
        return false;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat))
        return false;
    size_t close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

ApacheProcess::ApacheProcess() : m_httpPort(freePort()), m_httpsPort(freePort()) {
    while (m_httpsPort == m_httpPort)
        m_httpsPort = freePort();
    // mkdtemp made the prefix 0700; the unprivileged children must reach htdocs.
    ::chmod(prefix().c_str(), 0755);
    writeConfig();
}

ApacheProcess::~ApacheProcess() {
    try {
        stop();
    } catch (...) {
    }
}

void ApacheProcess::writeConfig() {
    std::ostringstream c;
    c << "ServerRoot \"" << prefix() << "\"\n"
      << "DefaultRuntimeDir \"" << prefix() << "/run\"\n"
      << "PidFile \"" << pidFile() << "\"\n"
      << "Mutex file:" << prefix() << "/run default\n"
      << "ErrorLog \"" << errorLog() << "\"\n"
      << "LogLevel info\n";
    for (const char* module : {"mpm_event", "authz_core", "alias", "ssl", "socache_shmcb"})
        c << "LoadModule " << module << "_module " << kModules << "/mod_" << module << ".so\n";
    if (::geteuid() == 0)
        c << "User www-data\nGroup www-data\n";
    c << "ServerName localhost\n"
      << "Listen 127.0.0.1:" << m_httpPort << "\n"
      << "Listen 127.0.0.1:" << m_httpsPort << "\n"
      << "StartServers 1\nGracefulShutdownTimeout 5\n"
      << "DocumentRoot \"" << docRoot() << "\"\n"
      << "<Directory \"" << docRoot() << "\">\n    Require all granted\n</Directory>\n"
      << "IncludeOptional \"" << sitesDir() << "/*.conf\"\n";
    writeFile(configPath(), c.str());
    writeFile(docRoot() + "/index.html", "apache test server\n");
    ::mkdir(sitesDir().c_str(), 0755);
    ::mkdir((prefix() + "/run").c_str(), 0755);
    ::mkdir((prefix() + "/logs").c_str(), 0755);
}

void ApacheProcess::addSiteFile(const std::string& name, const std::string& text) {
    writeFile(sitesDir() + "/" + name + ".conf", text);
}

config::ServerSettings ApacheProcess::settings(const std::string& reload) const {
    config::ServerSettings s;
    s.binary = binary();
    s.config = configPath();
    s.reload = reload;
    return s;
}

void ApacheProcess::start() {
    CommandOutput out = runCommand({binary(), "-f", configPath(), "-k", "start"}, {}, 60);
    if (out.exitCode != 0)
        throw std::runtime_error("apache2 -k start failed: " + out.output + errorLogTail());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!(isRunning() && accepts(m_httpPort) && accepts(m_httpsPort))) {
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("apache2 did not come up: " + errorLogTail());
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

void ApacheProcess::stop() {
    int p = pid();
    if (!processAlive(p))
        return;
    runCommand({binary(), "-f", configPath(), "-k", "stop"}, {}, 30);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (processAlive(p)) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(p, SIGKILL);
            deadline += std::chrono::seconds(5);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

void ApacheProcess::kill() {
    int p = pid();
    if (!processAlive(p))
        return;
    ::kill(-p, SIGKILL); // the daemon leads its own process group (setsid)
    ::kill(p, SIGKILL);
    while (processAlive(p))
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
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
