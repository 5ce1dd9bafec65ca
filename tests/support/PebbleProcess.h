#pragma once

// The real pebble ACME test CA (Debian package `pebble`) for integration tests: its own listener
// CA and certificate (the package ships none), pebble-challtestsrv as pebble's DNS server (every
// name → 127.0.0.1, TXT records set by the test), free loopback ports, everything stopped by PID.

#include "TestEnv.h"

#include <map>
#include <string>
#include <vector>

namespace certagent::test {

struct PebbleOptions {
    /// Port pebble's VA fetches http-01 tokens from on 127.0.0.1 (a private nginx); 0 = a free
    /// port nothing listens on.
    int httpPort = 0;
    /// Extra environment for pebble ("PEBBLE_WFE_NONCEREJECT=50", "PEBBLE_ALTERNATE_ROOTS=1",
    /// "PEBBLE_CHAIN_LENGTH=2", ...). PEBBLE_VA_NOSLEEP=1, PEBBLE_WFE_NONCEREJECT=0 and
    /// PEBBLE_AUTHZREUSE=0 are set first, so each test states what it wants.
    std::vector<std::string> env;
    bool eabRequired = false;
    std::map<std::string, std::string> eabKeys; ///< kid → base64url HMAC key
    int certificateValidityPeriod = 0;          ///< seconds; 0 = pebble's default
};

/// pebble + pebble-challtestsrv as child processes. Construction starts both and waits until
/// /dir answers; throws std::runtime_error (with the logs) if they do not start. The destructor
/// stops both (SIGTERM, then SIGKILL) by PID.
class PebbleProcess {
  public:
    explicit PebbleProcess(PebbleOptions options = {});
    PebbleProcess(const PebbleProcess&) = delete;
    PebbleProcess& operator=(const PebbleProcess&) = delete;
    ~PebbleProcess();

    /// "https://127.0.0.1:<port>/dir".
    std::string directoryUrl() const;
    /// The listener CA (PEM file) that pebble's HTTPS certificate chains to ([acme] ca_file).
    std::string listenerCaPath() const { return m_dir / "listener-ca.pem"; }
    /// pebble's HTTPS certificate and key (for 127.0.0.1 and localhost; a shim in front may
    /// serve them too).
    std::string listenerCertPath() const { return m_dir / "listener.pem"; }
    std::string listenerKeyPath() const { return m_dir / "listener.key"; }
    /// pebble's ACME port on 127.0.0.1.
    int port() const { return m_port; }
    /// challtestsrv's management API ("http://127.0.0.1:<port>": POST /set-txt, /clear-txt).
    std::string challSrvUrl() const { return "http://127.0.0.1:" + std::to_string(m_challSrvPort); }
    /// How many requests pebble logged so far whose "METHOD /path" starts with `request`
    /// ("POST /order-plz", "POST " for every POST, "" for every request).
    std::size_t requestCount(const std::string& request = "") const;
    /// The issuing root `n` (management /roots/n; new at every start), written to a file in the
    /// private directory; returns its path ([trust] ca_file).
    std::string rootPath(int n = 0);
    /// Adds one TXT value at `name` (e.g. "_acme-challenge.shop.example.test") on challtestsrv;
    /// earlier values at that name stay.
    void addTxt(const std::string& name, const std::string& value);
    /// Removes every TXT value at `name`.
    void clearTxt(const std::string& name);
    /// pebble's log so far (for failure messages).
    std::string log() const;
    const std::string& dir() const { return m_dir.path(); }

    /// Stops both processes (idempotent, never throws).
    void stop() noexcept;

  private:
    void writeConfig(const PebbleOptions& options);
    void startChallSrv();
    void startPebble(const PebbleOptions& options);
    void waitForDirectory();
    void challSrvPost(const std::string& path, const std::string& body);
    void challSrvPostOnce(const std::string& path, const std::string& body);

    TempDir m_dir;
    int m_port = 0;
    int m_managementPort = 0;
    int m_dnsPort = 0;
    int m_challSrvPort = 0;
    int m_pebblePid = -1;
    int m_challSrvPid = -1;
};

} // namespace certagent::test
