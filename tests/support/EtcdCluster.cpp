#include "EtcdCluster.h"

#include "TestCa.h"

#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace certagent::test {
namespace {

constexpr const char* kEtcd = "/usr/bin/etcd";
constexpr const char* kEtcdctl = "/usr/bin/etcdctl";

/// True when every thread of `pid` is in the stopped state ('T' in /proc/PID/task/TID/stat).
bool allThreadsStopped(int pid) {
    const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(tasks, ec)) {
        std::ifstream in(entry.path() / "stat");
        std::string stat;
        std::getline(in, stat);
        const std::size_t close = stat.rfind(')');
        if (close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'T') {
            return false;
        }
    }
    return !ec;
}

/// fork + exec with the log as stdout/stderr, its own process group, and SIGKILL when the test
/// runner dies. Everything the child touches is prepared before fork().
int spawn(const std::vector<std::string>& argv, const std::string& logPath) {
    std::vector<char*> args;
    for (const std::string& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    char path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
    char* env[] = {path, nullptr};
    const char* log = logPath.c_str();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) {
            ::_exit(127);
        }
        ::setpgid(0, 0);
        const int in = ::open("/dev/null", O_RDONLY);
        const int out = ::open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (in < 0 || out < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) {
            ::_exit(127);
        }
        for (int fd = 3; fd < 1024; ++fd) {
            ::close(fd); // sockets of the test runner must not leak into etcd
        }
        ::execve(args[0], args.data(), env);
        ::_exit(127);
    }
    return pid;
}

void reap(int pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

bool exited(int pid) {
    int status = 0;
    return ::waitpid(pid, &status, WNOHANG) == pid;
}

/// `n` distinct ports that were free a moment ago: all probe sockets stay open until every port
/// is chosen, so the kernel cannot hand out the same one twice.
std::vector<int> freePorts(std::size_t n) {
    std::vector<Poco::Net::ServerSocket> probes;
    std::vector<int> ports;
    for (std::size_t i = 0; i < n; ++i) {
        probes.emplace_back(Poco::Net::SocketAddress("127.0.0.1", 0));
        ports.push_back(probes.back().address().port());
    }
    return ports;
}

void removeDir(const std::string& path) {
    Poco::File dir(path);
    if (dir.exists()) {
        dir.remove(true);
    }
}

Poco::JSON::Object::Ptr postJson(const std::string& endpoint, const api::TlsSettings& tls,
                                 const std::string& target) {
    auto transport = api::makeHttpsTransport(endpoint, tls);
    api::HttpRequest req;
    req.method = "POST";
    req.target = target;
    req.body = "{}";
    req.contentType = "application/json";
    const api::HttpResponse resp = transport->send(req, std::chrono::seconds(5));
    if (resp.status != 200) {
        throw std::runtime_error(endpoint + target + ": HTTP " + std::to_string(resp.status));
    }
    Poco::JSON::Parser parser;
    return parser.parse(resp.body).extract<Poco::JSON::Object::Ptr>();
}

} // namespace

EtcdCluster::EtcdCluster(EtcdClusterOptions options) : m_options(std::move(options)) {
    m_token = "certagent-test-" + std::to_string(std::random_device{}());
    const TestCa ca = TestCa::makeRoot("certagent etcd test CA");
    ca.save(m_dir / "ca.pem", m_dir / "ca.key");
    for (int i = 0; i < m_options.members; ++i) {
        Member m;
        m.name = "e" + std::to_string(i + 1);
        const crypto::EvpPkeyPtr key = makeKey();
        CertSpec spec;
        spec.names = {"127.0.0.1"}; // serverAuth + clientAuth: peers use it both ways
        const crypto::X509Ptr cert = ca.issue(*key, spec);
        writeFile(m_dir / (m.name + ".pem"), toPem(*cert), 0644);
        writeFile(m_dir / (m.name + ".key"), keyToPem(*key), 0600);
        m_members.push_back(m);
    }
    const crypto::EvpPkeyPtr clientKey = makeKey();
    CertSpec clientSpec;
    clientSpec.serverAuth = false; // clientAuth only, and no CN at all
    writeFile(m_dir / "agent.pem", toPem(*ca.issue(*clientKey, clientSpec)), 0644);
    writeFile(m_dir / "agent.key", keyToPem(*clientKey), 0600);
    // Another process may take a port between our probe and etcd's bind: then start afresh
    // on new ports (a few times at most).
    for (int attempt = 1;; ++attempt) {
        try {
            startAll();
            return;
        } catch (const std::runtime_error& e) {
            killAll();
            if (attempt == 3 ||
                std::string(e.what()).find("address already in use") == std::string::npos) {
                throw;
            }
        }
    }
}

void EtcdCluster::startAll() {
    const std::vector<int> ports = freePorts(2 * m_members.size());
    for (std::size_t i = 0; i < m_members.size(); ++i) {
        m_members[i].clientPort = ports[2 * i];
        m_members[i].peerPort = ports[2 * i + 1];
        ::unlink((m_dir / (m_members[i].name + ".log")).c_str());
        removeDir(m_dir / m_members[i].name);
    }
    for (std::size_t i = 0; i < m_members.size(); ++i) {
        start(i, false);
    }
    for (std::size_t i = 0; i < m_members.size(); ++i) {
        waitReady(i); // a member serves clients only once the cluster has a leader
    }
}

void EtcdCluster::killAll() noexcept {
    for (Member& m : m_members) {
        if (m.pid > 0) {
            ::kill(m.pid, SIGKILL); // works on stopped processes too
            reap(m.pid);
            m.pid = -1;
        }
    }
}

EtcdCluster::~EtcdCluster() {
    killAll();
}

std::string EtcdCluster::endpoint(std::size_t i) const {
    return "https://127.0.0.1:" + std::to_string(m_members.at(i).clientPort);
}

std::vector<std::string> EtcdCluster::endpoints() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < m_members.size(); ++i) {
        out.push_back(endpoint(i));
    }
    return out;
}

api::TlsSettings EtcdCluster::agentTls() const {
    api::TlsSettings tls;
    tls.caFile = caFile();
    tls.clientCertFile = m_dir / "agent.pem";
    tls.clientKeyFile = m_dir / "agent.key";
    tls.systemTrust = false;
    return tls;
}

std::pair<std::string, std::string> EtcdCluster::certWithCn(const std::string& cn) {
    const std::pair<std::string, std::string> paths{m_dir / (cn + "-cn.pem"),
                                                    m_dir / (cn + "-cn.key")};
    if (!exists(paths.first)) {
        const TestCa ca = TestCa::load(m_dir / "ca.pem", m_dir / "ca.key");
        const crypto::EvpPkeyPtr key = makeKey();
        CertSpec spec;
        spec.commonName = cn;
        spec.serverAuth = false;
        writeFile(paths.first, toPem(*ca.issue(*key, spec)), 0644);
        writeFile(paths.second, keyToPem(*key), 0600);
    }
    return paths;
}

std::string EtcdCluster::initialCluster() const {
    std::string out;
    for (const Member& m : m_members) {
        out +=
            (out.empty() ? "" : ",") + m.name + "=https://127.0.0.1:" + std::to_string(m.peerPort);
    }
    return out;
}

void EtcdCluster::start(std::size_t i, bool existing) {
    Member& m = m_members.at(i);
    const std::string client = "https://127.0.0.1:" + std::to_string(m.clientPort);
    const std::string peer = "https://127.0.0.1:" + std::to_string(m.peerPort);
    const std::string cert = m_dir / (m.name + ".pem");
    const std::string key = m_dir / (m.name + ".key");
    std::vector<std::string> argv = {kEtcd,
                                     "--name=" + m.name,
                                     "--data-dir=" + (m_dir / m.name),
                                     "--listen-client-urls=" + client,
                                     "--advertise-client-urls=" + client,
                                     "--listen-peer-urls=" + peer,
                                     "--initial-advertise-peer-urls=" + peer,
                                     "--initial-cluster=" + initialCluster(),
                                     "--initial-cluster-state=" +
                                         std::string(existing ? "existing" : "new"),
                                     "--initial-cluster-token=" + m_token,
                                     "--cert-file=" + cert,
                                     "--key-file=" + key,
                                     "--client-cert-auth",
                                     "--trusted-ca-file=" + caFile(),
                                     "--peer-cert-file=" + cert,
                                     "--peer-key-file=" + key,
                                     "--peer-client-cert-auth",
                                     "--peer-trusted-ca-file=" + caFile(),
                                     "--logger=zap",
                                     "--log-outputs=stderr"};
    argv.insert(argv.end(), m_options.extraFlags.begin(), m_options.extraFlags.end());
    m.pid = spawn(argv, m_dir / (m.name + ".log"));
    m.stopped = false;
}

void EtcdCluster::waitReady(std::size_t i) {
    const Member& m = m_members.at(i);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
        for (std::size_t j = 0; j < m_members.size(); ++j) {
            if (m_members[j].pid > 0 && exited(m_members[j].pid)) {
                m_members[j].pid = -1; // reaped
                throw std::runtime_error("etcd " + m_members[j].name + " exited during start:\n" +
                                         log(j));
            }
        }
        try {
            auto transport = api::makeHttpsTransport(endpoint(i), agentTls());
            api::HttpRequest req;
            req.method = "GET";
            req.target = "/version";
            const api::HttpResponse resp = transport->send(req, std::chrono::seconds(2));
            if (resp.status == 200 && resp.body.find("etcdserver") != std::string::npos) {
                return;
            }
            last = "HTTP " + std::to_string(resp.status);
        } catch (const std::exception& e) {
            last = e.what();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("etcd " + m.name + " not ready (" + last + "):\n" + log(i));
}

void EtcdCluster::kill(std::size_t i) {
    Member& m = m_members.at(i);
    if (m.pid > 0) {
        ::kill(m.pid, SIGKILL);
        reap(m.pid);
        m.pid = -1;
    }
}

void EtcdCluster::stop(std::size_t i) {
    const int pid = m_members.at(i).pid;
    ::kill(pid, SIGSTOP);
    m_members.at(i).stopped = true;
    // kill() returns before every thread has reached the group stop; a thread still running could
    // ack one more raft message (a write "without quorum" then commits). Wait until all are in T.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!allThreadsStopped(pid)) {
        if (std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error("etcd " + m_members.at(i).name + " did not stop on SIGSTOP");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void EtcdCluster::resume(std::size_t i) {
    ::kill(m_members.at(i).pid, SIGCONT);
    m_members.at(i).stopped = false;
}

void EtcdCluster::restart(std::size_t i) {
    kill(i);
    start(i, true);
    waitReady(i);
}

std::size_t EtcdCluster::leader() {
    std::vector<std::pair<std::size_t, std::string>> ids;
    std::string leaderId;
    for (std::size_t i = 0; i < m_members.size(); ++i) {
        if (m_members[i].pid <= 0 || m_members[i].stopped) {
            continue;
        }
        const auto status = postJson(endpoint(i), agentTls(), "/v3/maintenance/status");
        ids.emplace_back(i, status->getObject("header")->getValue<std::string>("member_id"));
        leaderId = status->optValue<std::string>("leader", "");
    }
    for (const auto& [i, id] : ids) {
        if (id == leaderId) {
            return i;
        }
    }
    throw std::runtime_error("no running etcd member is the leader (" + leaderId + ")");
}

std::string EtcdCluster::etcdctl(const std::vector<std::string>& args) {
    std::string live;
    for (std::size_t i = 0; i < m_members.size(); ++i) {
        if (m_members[i].pid > 0 && !m_members[i].stopped) {
            live += (live.empty() ? "" : ",") + endpoint(i);
        }
    }
    const auto [cert, key] = certWithCn("root");
    std::vector<std::string> argv = {kEtcdctl, "--endpoints=" + live, "--cacert=" + caFile(),
                                     "--cert=" + cert, "--key=" + key};
    argv.insert(argv.end(), args.begin(), args.end());
    const CommandOutput out = runCommand(argv, {"ETCDCTL_API=3"}, 60);
    if (out.exitCode != 0) {
        throw std::runtime_error("etcdctl failed (" + std::to_string(out.exitCode) +
                                 "): " + out.output);
    }
    return out.output;
}

std::string EtcdCluster::log(std::size_t i) const {
    const std::string path = m_dir / (m_members.at(i).name + ".log");
    return exists(path) ? readFile(path) : std::string();
}

} // namespace certagent::test
