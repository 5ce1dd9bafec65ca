#include "NginxProcess.h"

#include "util/Subprocess.h"

#include <Poco/File.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace certagent::test {

namespace {

std::string readOr(const std::string& path, const std::string& fallback) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fallback;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool accepts(int port) {
    try {
        Poco::Net::StreamSocket socket;
        socket.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)),
                       Poco::Timespan(1, 0));
        return true;
    } catch (...) {
        return false;
    }
}

bool alive(int pid) {
    if (pid <= 1 || (::kill(pid, 0) != 0 && errno != EPERM))
        return false;
    std::string stat = readOr("/proc/" + std::to_string(pid) + "/stat", "");
    size_t close = stat.rfind(')');
    return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'Z';
}

SubprocessResult runNginx(const std::vector<std::string>& args) {
    SubprocessOptions options;
    options.timeout = std::chrono::seconds(30);
    options.killGroupOnExit = false; // the daemon must survive its launcher
    SystemCommandRunner runner;
    return runner.run(args, options);
}

std::string joinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names)
        out += " " + n;
    return out;
}

} // namespace

NginxProcess::NginxProcess() {
    const std::string p = prefix();
    Poco::File(p + "/conf.d").createDirectories();
    Poco::File(p + "/tmp").createDirectories();
    std::string conf = "daemon on;\nmaster_process on;\nworker_processes 1;\n";
    conf += "pid " + p + "/nginx.pid;\nerror_log " + p + "/error.log notice;\n";
    if (::geteuid() == 0)
        conf += "user root;\n";
    conf += "events { worker_connections 256; }\n"
            "http {\n"
            "    access_log off;\n";
    for (const char* kind : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
        conf += std::string("    ") + kind + "_temp_path " + p + "/tmp/" + kind + ";\n";
    conf += "    types { text/plain txt; }\n"
            "    default_type application/octet-stream;\n"
            "    include " +
            p + "/conf.d/*.conf;\n}\n";
    writeFile(configPath(), conf);
}

NginxProcess::~NginxProcess() {
    stop();
}

std::string NginxProcess::configPath() const {
    return prefix() + "/nginx.conf";
}
std::string NginxProcess::pidPath() const {
    return prefix() + "/nginx.pid";
}
std::string NginxProcess::errorLogPath() const {
    return prefix() + "/error.log";
}
std::string NginxProcess::binary() {
    return "/usr/sbin/nginx";
}
std::string NginxProcess::errorLog() const {
    return readOr(errorLogPath(), "");
}

std::string NginxProcess::addServerFile(const std::string& name, const std::string& text) {
    std::string path = prefix() + "/conf.d/" + name;
    writeFile(path, text);
    return path;
}

std::string NginxProcess::addHttpSite(const std::string& name,
                                      const std::vector<std::string>& names, int port,
                                      const std::string& webroot) {
    Poco::File(webroot).createDirectories();
    return addServerFile(name + ".conf", "server {\n    listen 127.0.0.1:" + std::to_string(port) +
                                             ";\n    server_name" + joinNames(names) +
                                             ";\n    root " + webroot + ";\n}\n");
}

std::string NginxProcess::tlsServerBlock(const std::vector<std::string>& names, int port,
                                         const std::string& certPath, const std::string& keyPath) {
    return "server {\n    listen 127.0.0.1:" + std::to_string(port) + " ssl;\n    server_name" +
           joinNames(names) + ";\n    ssl_certificate " + certPath + ";\n    ssl_certificate_key " +
           keyPath + ";\n    location / { return 200 \"ok\\n\"; }\n}\n";
}

void NginxProcess::start(const std::vector<int>& ports) {
    SubprocessResult r =
        runNginx({binary(), "-e", errorLogPath(), "-p", prefix() + "/", "-c", configPath()});
    if (!r.ok())
        throw std::runtime_error("nginx did not start (" + r.describe() + "): " + r.output +
                                 "\nerror.log: " + errorLog());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    for (;;) {
        bool ready = isRunning();
        for (int port : ports)
            ready = ready && accepts(port);
        if (ready)
            return;
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("nginx did not come up; error.log: " + errorLog());
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

void NginxProcess::reload() {
    size_t before = errorLog().size();
    SubprocessResult r = runNginx(
        {binary(), "-e", errorLogPath(), "-p", prefix() + "/", "-c", configPath(), "-s", "reload"});
    if (!r.ok())
        throw std::runtime_error("nginx -s reload failed (" + r.describe() + "): " + r.output);
    waitWorkerStarted(before);
}

void NginxProcess::waitWorkerStarted(size_t before) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        std::string log = errorLog();
        if (log.size() > before && log.find("start worker process", before) != std::string::npos)
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    throw std::runtime_error("nginx did not reload; error.log: " + errorLog());
}

void NginxProcess::stop() noexcept {
    int master = pid();
    if (!alive(master))
        return;
    ::kill(master, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (alive(master) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (alive(master))
        ::kill(master, SIGKILL);
}

bool NginxProcess::isRunning() const {
    return alive(pid());
}

int NginxProcess::pid() const {
    std::string text = readOr(pidPath(), "");
    try {
        return text.empty() ? 0 : std::stoi(text);
    } catch (...) {
        return 0;
    }
}

} // namespace certagent::test
