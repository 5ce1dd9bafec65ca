#include "PebbleProcess.h"

#include "TestCa.h"
#include "api/Transport.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <map>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace certagent::test {
namespace {

using std::chrono::milliseconds;

/// Starts argv with the current environment, `extraEnv` ("K=V", a later entry replacing an earlier
/// or inherited one: Go takes the first of duplicate names), stdout and stderr appended to
/// `logPath`, in its own process group, killed when the test process dies. Returns the PID.
int spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extraEnv,
          const std::string& logPath) {
    std::map<std::string, std::string> vars;
    for (char** e = environ; *e; ++e) {
        const std::string kv = *e;
        vars[kv.substr(0, kv.find('='))] = kv;
    }
    for (const std::string& kv : extraEnv) {
        vars[kv.substr(0, kv.find('='))] = kv;
    }
    std::vector<std::string> envStrings;
    for (const auto& entry : vars) {
        envStrings.push_back(entry.second);
    }
    std::vector<char*> args, env;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    for (const auto& e : envStrings) {
        env.push_back(const_cast<char*>(e.c_str()));
    }
    env.push_back(nullptr);
    const int log = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log < 0) {
        throw std::runtime_error("cannot open " + logPath);
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) { // only async-signal-safe calls from here to exec
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) {
            ::_exit(127);
        }
        ::setpgid(0, 0);
        const int null = ::open("/dev/null", O_RDONLY);
        ::dup2(null, 0);
        ::dup2(log, 1);
        ::dup2(log, 2);
        ::execve(args[0], args.data(), env.data());
        ::_exit(127);
    }
    ::close(log);
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    return pid;
}

bool exited(int pid) {
    int status = 0;
    return ::waitpid(pid, &status, WNOHANG) == pid;
}

void stopPid(int& pid) noexcept {
    if (pid <= 0) {
        return;
    }
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 50; ++i) {
        if (exited(pid)) {
            pid = -1;
            return;
        }
        std::this_thread::sleep_for(milliseconds(100));
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
}

std::string stringify(const Poco::JSON::Object& obj) {
    std::ostringstream out;
    obj.stringify(out);
    return out.str();
}

} // namespace

PebbleProcess::PebbleProcess(PebbleOptions options) {
    m_port = freePort();
    m_managementPort = freePort();
    m_dnsPort = freePort();
    m_challSrvPort = freePort();
    if (options.httpPort == 0) {
        options.httpPort = freePort();
    }
    const TestCa ca = TestCa::makeRoot("pebble listener test CA");
    const auto key = makeKey();
    CertSpec spec;
    spec.names = {"localhost", "127.0.0.1"};
    writeFile(m_dir / "listener-ca.pem", ca.certPem());
    writeFile(m_dir / "listener.pem", toPem(*ca.issue(*key, spec)));
    writeFile(m_dir / "listener.key", keyToPem(*key), 0600);
    writeConfig(options);
    try {
        startChallSrv();
        startPebble(options);
        waitForDirectory();
    } catch (...) {
        stop();
        throw;
    }
}

PebbleProcess::~PebbleProcess() {
    stop();
}

void PebbleProcess::stop() noexcept {
    stopPid(m_pebblePid);
    stopPid(m_challSrvPid);
}

std::size_t PebbleProcess::requestCount(const std::string& request) const {
    // pebble logs each request as "Pebble <date> <time> METHOD /path -> calling handler()".
    std::istringstream lines(log());
    std::size_t n = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.find(" -> calling handler()") == std::string::npos) {
            continue;
        }
        auto at = line.find(' ', line.find(' ', line.find(' ') + 1) + 1); // after the time
        if (at != std::string::npos && line.compare(at + 1, request.size(), request) == 0) {
            ++n;
        }
    }
    return n;
}

std::string PebbleProcess::directoryUrl() const {
    return "https://127.0.0.1:" + std::to_string(m_port) + "/dir";
}

void PebbleProcess::writeConfig(const PebbleOptions& options) {
    Poco::JSON::Object::Ptr pebble = new Poco::JSON::Object;
    pebble->set("listenAddress", "127.0.0.1:" + std::to_string(m_port));
    pebble->set("managementListenAddress", "127.0.0.1:" + std::to_string(m_managementPort));
    pebble->set("certificate", m_dir / "listener.pem");
    pebble->set("privateKey", m_dir / "listener.key");
    pebble->set("httpPort", options.httpPort);
    pebble->set("tlsPort", freePort());
    pebble->set("ocspResponderURL", "");
    pebble->set("externalAccountBindingRequired", options.eabRequired);
    Poco::JSON::Object::Ptr keys = new Poco::JSON::Object;
    for (const auto& [kid, hmac] : options.eabKeys) {
        keys->set(kid, hmac);
    }
    pebble->set("externalAccountMACKeys", keys);
    if (options.certificateValidityPeriod > 0) {
        pebble->set("certificateValidityPeriod", options.certificateValidityPeriod);
    }
    Poco::JSON::Object config;
    config.set("pebble", pebble);
    writeFile(m_dir / "pebble-config.json", stringify(config));
}

void PebbleProcess::startChallSrv() {
    m_challSrvPid =
        spawn({"/usr/bin/pebble-challtestsrv", "-dns01", "127.0.0.1:" + std::to_string(m_dnsPort),
               "-http01", "", "-https01", "", "-tlsalpn01", "", "-management",
               "127.0.0.1:" + std::to_string(m_challSrvPort), "-defaultIPv4", "127.0.0.1",
               "-defaultIPv6", ""},
              {}, m_dir / "challtestsrv.log");
}

void PebbleProcess::startPebble(const PebbleOptions& options) {
    std::vector<std::string> env = {"PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0",
                                    "PEBBLE_AUTHZREUSE=0"};
    env.insert(env.end(), options.env.begin(), options.env.end()); // later entries win
    m_pebblePid = spawn({"/usr/bin/pebble", "-config", m_dir / "pebble-config.json", "-dnsserver",
                         "127.0.0.1:" + std::to_string(m_dnsPort)},
                        env, m_dir / "pebble.log");
}

void PebbleProcess::waitForDirectory() {
    api::TlsSettings tls;
    tls.caFile = listenerCaPath();
    auto transport = api::makeHttpsTransport("https://127.0.0.1:" + std::to_string(m_port), tls);
    api::HttpRequest req;
    req.method = "GET";
    req.target = "/dir";
    for (int i = 0; i < 300; ++i) {
        for (int* pid : {&m_pebblePid, &m_challSrvPid}) {
            if (exited(*pid)) {
                *pid = -1; // reaped; stop() ends the other one
                throw std::runtime_error("pebble did not start: " + log() +
                                         readFile(m_dir / "challtestsrv.log"));
            }
        }
        try {
            if (transport->send(req, milliseconds(2000)).status == 200) {
                return;
            }
        } catch (const api::TransportError&) {
        }
        std::this_thread::sleep_for(milliseconds(100));
    }
    throw std::runtime_error("pebble /dir did not answer within 30 s: " + log());
}

std::string PebbleProcess::rootPath(int n) {
    api::TlsSettings tls;
    tls.caFile = listenerCaPath();
    auto transport =
        api::makeHttpsTransport("https://127.0.0.1:" + std::to_string(m_managementPort), tls);
    api::HttpRequest req;
    req.method = "GET";
    req.target = "/roots/" + std::to_string(n);
    req.accept = "";
    const api::HttpResponse r = transport->send(req, milliseconds(10000));
    if (r.status != 200) {
        throw std::runtime_error("pebble /roots/" + std::to_string(n) + ": HTTP " +
                                 std::to_string(r.status));
    }
    const std::string path = m_dir / ("root-" + std::to_string(n) + ".pem");
    writeFile(path, r.body);
    return path;
}

void PebbleProcess::challSrvPost(const std::string& path, const std::string& body) {
    for (int attempt = 1;; ++attempt) {
        try {
            challSrvPostOnce(path, body);
            return;
        } catch (const Poco::Exception&) {
            if (attempt == 50) { // challtestsrv may still be binding its port
                throw;
            }
            std::this_thread::sleep_for(milliseconds(100));
        }
    }
}

void PebbleProcess::challSrvPostOnce(const std::string& path, const std::string& body) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(m_challSrvPort));
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, path,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::string answer;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), answer);
    if (resp.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
        throw std::runtime_error("challtestsrv " + path + ": HTTP " +
                                 std::to_string(resp.getStatus()) + " " + answer);
    }
}

void PebbleProcess::addTxt(const std::string& name, const std::string& value) {
    Poco::JSON::Object body;
    body.set("host", name + ".");
    body.set("value", value);
    challSrvPost("/set-txt", stringify(body));
}

void PebbleProcess::clearTxt(const std::string& name) {
    Poco::JSON::Object body;
    body.set("host", name + ".");
    challSrvPost("/clear-txt", stringify(body));
}

std::string PebbleProcess::log() const {
    try {
        return readFile(m_dir / "pebble.log");
    } catch (const std::exception&) {
        return {};
    }
}

} // namespace certagent::test
