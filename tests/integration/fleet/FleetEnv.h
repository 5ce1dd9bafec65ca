#pragma once

// A fleet for end-to-end tests (design-fleet §4): a 3-member TLS etcd cluster, the GoGetSSL
// sandbox, N "hosts" (each its own config, store, web root, fleet key and private nginx with an
// HTTP site for the validation files and a TLS block for the certificate), and a round-robin
// nginx load balancer in front of the hosts' HTTP sites as the sandbox's --dcv-connect target,
// which fetches every file three times: validation passes only when every host serves the file.

#include "EtcdCluster.h"
#include "NginxProcess.h"
#include "PebbleProcess.h"
#include "SandboxProcess.h"
#include "TestEnv.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace certagent::test {

class FleetEnv;

/// One host of the fleet: the real certagent binary with its own config, store and nginx.
class FleetHost {
  public:
    FleetHost(FleetEnv& env, std::string name);
    FleetHost(const FleetHost&) = delete;
    FleetHost& operator=(const FleetHost&) = delete;

    const std::string& name() const { return m_name; }
    std::string etc() const { return m_dir / "etc"; }
    std::string store() const { return m_dir / "store"; }
    std::string webroot() const { return m_dir / "www"; }
    int httpPort() const { return m_httpPort; }
    int tlsPort() const { return m_tlsPort; }
    NginxProcess& nginx() { return m_nginx; }

    /// Rewrites certagent.conf with `clusterExtra` appended to [cluster] (e.g. "lease = 5s") and
    /// `etcd` as its member list (empty: every member of the cluster).
    void configure(const std::string& clusterExtra = "", const std::vector<std::string>& etcd = {});
    /// Writes certs.d/shop.conf (`text` empty: the default two-name certificate).
    void certFile(const std::string& text = "");
    /// Replaces this host's fleet key by another one (a host with the wrong key).
    void useOwnFleetKey();

    /// Runs certagent with `args` (and `env` entries "K=V").
    CommandOutput agent(const std::vector<std::string>& args,
                        const std::vector<std::string>& env = {}) const;
    /// Starts certagent in the background (for a run that stops itself); returns its pid.
    int spawn(const std::vector<std::string>& args, const std::vector<std::string>& env);
    /// Output of the background run so far.
    std::string spawnedOutput() const;

    /// SHA-256 of the leaf this host's nginx serves for `name` ("" when nothing answers).
    std::string served(const std::string& name = "shop.example.test") const;
    /// live/shop/cert.pem's text ("" when nothing is live).
    std::string liveCert() const;
    /// Files in <webroot>/.well-known/pki-validation (acme-challenge with FleetOptions::acme).
    std::vector<std::string> dcvFiles() const;
    /// The URL of this host's ACME account in its store ("" when it keeps none).
    std::string acmeAccountUrl() const;

  private:
    std::string trustRoot() const;
    std::string acmeSections() const;

    FleetEnv& m_env;
    std::string m_name;
    TempDir m_dir;
    NginxProcess m_nginx;
    int m_httpPort;
    int m_tlsPort;
};

struct FleetOptions {
    int hosts = 3;
    int issueDelaySeconds = 2;
    int validityDays = 90;
    /// Extra [cluster] lines for every host.
    std::string clusterExtra = "lease = 5s\ntimeout = 3s\ndcv_wait = 10m\nmember_timeout = 1h\n";
    /// Extra lines for certagent.conf outside [cluster] (e.g. "[renewal]\nbefore = 2d\n").
    std::string mainExtra;
    /// The certificate is ordered from pebble (`backend = acme`) instead of the sandbox: pebble's
    /// VA fetches http-01 tokens through the balancer, challtestsrv answers every name.
    bool acme = false;
};

class FleetEnv {
  public:
    explicit FleetEnv(FleetOptions options = {});
    ~FleetEnv();

    FleetHost& host(std::size_t i) { return *m_hosts.at(i); }
    std::size_t size() const { return m_hosts.size(); }
    EtcdCluster& etcd() { return *m_etcd; }
    SandboxProcess& sandbox() { return *m_sandbox; }
    /// With FleetOptions::acme.
    PebbleProcess& pebble() { return *m_pebble; }
    const FleetOptions& options() const { return m_options; }
    const std::string& clusterName() const { return m_cluster; }
    std::string fleetKeyFile() const { return m_dir / "fleet.key"; }
    std::string placeholderCert() const { return m_dir / "placeholder.pem"; }
    std::string placeholderKey() const { return m_dir / "placeholder.key"; }

    /// Order-placing calls the sandbox saw (addSSLOrder, reissueSSLOrder, addSSLRenewOrder), or
    /// one "newOrder" per newOrder pebble answered (FleetOptions::acme).
    std::vector<std::string> orderCalls();
    /// Accounts pebble created (FleetOptions::acme).
    std::size_t acmeAccountsMade() const;
    /// Certificates pebble issued (FleetOptions::acme).
    std::size_t acmeCertificatesIssued() const;
    /// `etcdctl get --prefix /certagent/v1/<cluster>/` (keys and values).
    std::string etcdDump();
    /// gRPC calls the etcd members answered so far (grpc_server_handled_total over every member
    /// and method, from each member's /metrics): what the gateway turned certagent's requests
    /// into, one per request. Throws std::runtime_error when a member cannot be asked.
    long etcdRequests();
    /// Every host serves the same leaf for every name, and it is not the placeholder.
    bool converged();
    /// Runs `run` on every host, in order, until the fleet converged (at most `rounds` rounds);
    /// returns every run's output.
    std::string runUntilConverged(int rounds = 6);
    /// Same, until the fleet converged on a leaf other than `old` (after `run --force`, whose
    /// order may still be pending at the CA when it exits, so the fleet first looks converged on
    /// the old leaf).
    std::string runUntilReplaced(const std::string& old, int rounds = 8);

  private:
    /// Rounds of `run` on every host until `done()` (at most `rounds`); every run's output.
    std::string runUntil(const std::function<bool()>& done, int rounds);
    /// Lines of pebble's log that contain `text`.
    std::size_t pebbleLogged(const std::string& text) const;

    FleetOptions m_options;
    TempDir m_dir;
    std::string m_cluster;
    std::unique_ptr<EtcdCluster> m_etcd;
    std::unique_ptr<NginxProcess> m_balancer;
    std::unique_ptr<SandboxProcess> m_sandbox;
    std::unique_ptr<PebbleProcess> m_pebble;
    std::vector<std::unique_ptr<FleetHost>> m_hosts;
};

/// The names of the test certificate.
const std::vector<std::string>& shopNames();

} // namespace certagent::test
