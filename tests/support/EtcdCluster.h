#pragma once

// A real etcd cluster for integration tests: N `etcd` processes (Debian etcd-server) on free
// 127.0.0.1 ports in a private TempDir, with TLS on client and peer URLs, --client-cert-auth and
// --peer-client-cert-auth, certificates from TestCa (server SAN IP:127.0.0.1; client
// certificates without a CN, as etcd's gateway needs once RBAC is on). Members can be killed,
// stopped, resumed and restarted by PID; every process is stopped by PID on destruction and dies
// with the test runner (PR_SET_PDEATHSIG) if the runner dies first.

#include "TestEnv.h"
#include "api/Transport.h"

#include <string>
#include <utility>
#include <vector>

namespace certagent::test {

struct EtcdClusterOptions {
    int members = 3;
    /// Extra etcd flags for every member, e.g. "--auth-token-ttl=1".
    std::vector<std::string> extraFlags;
};

class EtcdCluster {
  public:
    /// Makes the certificates, starts every member and waits (bounded) until each answers
    /// /version over mTLS. Throws std::runtime_error with the member's log on failure.
    explicit EtcdCluster(EtcdClusterOptions options = {});
    EtcdCluster(const EtcdCluster&) = delete;
    EtcdCluster& operator=(const EtcdCluster&) = delete;
    ~EtcdCluster();

    std::size_t size() const { return m_members.size(); }
    /// "https://127.0.0.1:<client port>" of member i.
    std::string endpoint(std::size_t i) const;
    std::vector<std::string> endpoints() const;

    /// The CA that signed every certificate (etcd's ca_file).
    std::string caFile() const { return m_dir / "ca.pem"; }
    /// TLS settings of an agent: the CA and a client certificate without a CN.
    api::TlsSettings agentTls() const;
    /// A client certificate and key with subject CN=`cn` (etcdctl's RBAC user, or the
    /// gateway-refusal test). Written once per name.
    std::pair<std::string, std::string> certWithCn(const std::string& cn);

    /// SIGKILL member i and reap it.
    void kill(std::size_t i);
    /// SIGSTOP / SIGCONT member i (a frozen member: connections hang, nothing answers).
    void stop(std::size_t i);
    void resume(std::size_t i);
    /// Starts a killed member again on its data dir (--initial-cluster-state existing) and
    /// waits until it answers /version.
    void restart(std::size_t i);
    int pid(std::size_t i) const { return m_members.at(i).pid; }

    /// The index of the current raft leader, asked from the first running member.
    std::size_t leader();
    /// Runs etcdctl (v3) against the running members as user root (client certificate CN=root);
    /// returns its output. Throws std::runtime_error when it fails.
    std::string etcdctl(const std::vector<std::string>& args);
    /// Member i's log (for failure messages).
    std::string log(std::size_t i) const;

  private:
    struct Member {
        std::string name;
        int clientPort = 0;
        int peerPort = 0;
        int pid = -1;
        bool stopped = false;
    };
    void startAll();
    void killAll() noexcept;
    void start(std::size_t i, bool existing);
    void waitReady(std::size_t i);
    std::string initialCluster() const;

    EtcdClusterOptions m_options;
    TempDir m_dir;
    std::string m_token;
    std::vector<Member> m_members;
};

} // namespace certagent::test
