#pragma once

// Runs the real certagent-sandbox binary (CERTAGENT_SANDBOX_BIN) as a child process for tests,
// and drives its /admin/ fault-injection endpoints over HTTPS that trusts its api-ca.pem.

#include "TestEnv.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace certagent::test {

struct SandboxOptions {
    std::string user = "reseller@example.com";
    std::string pass = "s3cret-pass";
    /// --dcv-connect HOST:PORT (where http DCV files are fetched); empty = not passed.
    std::string dcvConnect;
    bool autoValidate = false;
    int issueDelaySeconds = 0;
    int validityDays = 90;
    /// Data directory to use; empty = a fresh TempDir owned by the SandboxProcess.
    std::string dataDir;
    std::vector<std::string> extraArgs;
};

/// One raw HTTP reply.
struct SandboxReply {
    int status = 0;
    std::string body;
    std::string contentType;
    std::string retryAfter; ///< Retry-After header, empty when absent
    std::string date;       ///< Date header
};

/// The sandbox as a child process. Construction starts it and waits for its first stdout line;
/// throws std::runtime_error if it does not start. The destructor stops it (SIGTERM, wait).
class SandboxProcess {
  public:
    explicit SandboxProcess(SandboxOptions options = {});
    SandboxProcess(const SandboxProcess&) = delete;
    SandboxProcess& operator=(const SandboxProcess&) = delete;
    ~SandboxProcess();

    /// Base API URL from the first stdout line, e.g. "https://127.0.0.1:40123/api".
    const std::string& url() const { return m_url; }
    int port() const { return m_port; }
    const std::string& dataDir() const { return m_dataDir; }
    /// dataDir()/api-ca.pem: trust anchor of the sandbox's HTTPS certificate ([api] ca_file).
    std::string apiCaPath() const { return m_dataDir + "/api-ca.pem"; }
    /// dataDir()/issuing-root.pem: root of the issued chains ([trust] ca_file).
    std::string issuingRootPath() const { return m_dataDir + "/issuing-root.pem"; }
    const std::string& user() const { return m_options.user; }
    const std::string& pass() const { return m_options.pass; }

    /// POST /admin/fault. orderId "" = global; count -1 = unlimited. Throws on non-200.
    void setFault(const std::string& name, const std::string& orderId = "", int count = -1,
                  const std::string& value = "");
    /// POST /admin/reset (clears all faults).
    void reset();
    /// GET /admin/calls: API method names called so far, in order ("auth", "getOrderStatus"...).
    std::vector<std::string> calls();
    /// POST /admin/calls/clear.
    void clearCalls();
    /// POST /admin/invalidate-keys: every issued auth key becomes invalid.
    void invalidateKeys();
    /// POST /admin/advance: force an order's status ("expired", "cancelled", "active"...).
    void advance(const std::string& orderId, const std::string& status);

    /// Raw HTTPS request to the server root (pathAndQuery like "/api/auth/" or
    /// "/api/orders/status/5?auth_key=..."). Non-empty form => POST form-urlencoded, else GET
    /// (method may force "POST"). Never throws on HTTP status; throws on transport failure.
    SandboxReply request(const std::string& pathAndQuery,
                         const std::vector<std::pair<std::string, std::string>>& form = {},
                         const std::string& method = "");

    /// SIGTERM and wait (idempotent).
    void stop();
    /// stop() then start again on the same port with the same data dir and options.
    void restart();

  private:
    void start(const std::string& listen);
    void adminPost(const std::string& path,
                   const std::vector<std::pair<std::string, std::string>>& form);

    SandboxOptions m_options;
    std::unique_ptr<TempDir> m_ownDir;
    std::string m_dataDir;
    std::string m_url;
    int m_port = 0;
    int m_pid = -1;
};

} // namespace certagent::test
