#pragma once

// A complete agent setup for end-to-end tests: the real sandbox, a config directory with
// certagent.conf / credentials / certs.d/shop.conf, a web root, a store, and the real binary.

#include "SandboxProcess.h"
#include "TestEnv.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace certagent::test {

class AgentEnv {
  public:
    explicit AgentEnv(SandboxOptions options = autoValidated());
    static SandboxOptions autoValidated();

    /// Writes certagent.conf (with `extraMain` appended) and certs.d/shop.conf (`certText`).
    void configure(const std::string& certText, const std::string& extraMain = "");
    /// The default shop.conf: two names, new order for product 65, http DCV into webroot().
    std::string defaultCert() const;

    /// Runs the real certagent binary with --config and `args`.
    CommandOutput agent(const std::vector<std::string>& args, int timeoutSeconds = 300) const;
    /// Same with extra environment ("CERTAGENT_FAULT=store.switch.after-rename:kill").
    CommandOutput agentWithEnv(const std::vector<std::string>& args,
                               const std::vector<std::string>& env) const;

    /// Runs the binary with `args` and stops it with `signal` once the sandbox has seen API call
    /// `call` (arm the sandbox's slow_reply fault for it, so its answer is still in flight).
    /// Returns the run's result (exit 128 + signal when it was stopped).
    CommandOutput agentStoppedDuring(const std::vector<std::string>& args, const std::string& call,
                                     int signal);
    /// state/shop.json parsed into flat strings ("phase", "orderId", "lastError", ...).
    std::map<std::string, std::string> state(const std::string& name = "shop") const;
    /// Target of live/NAME ("../archive/shop/0001"), "" if none.
    std::string liveLink(const std::string& name = "shop") const;
    /// SHA-256 of live/NAME/cert.pem contents (as text), "" if none.
    std::string liveCertText(const std::string& name = "shop") const;
    /// Files below <webroot>/.well-known/pki-validation.
    std::vector<std::string> dcvFiles() const;
    /// Order-placing calls the sandbox saw (addSSLOrder, reissueSSLOrder, addSSLRenewOrder).
    std::vector<std::string> orderCalls();
    /// Moves the last daily check of `name` two days back in the store's index, as when the
    /// timer comes round a day later (the binary runs on the real clock).
    void ageDailyCheck(const std::string& name = "shop") const;
    /// `openssl verify` of the live set against the sandbox's issuing root; output on failure.
    CommandOutput opensslVerify(const std::string& name = "shop") const;

    SandboxProcess& sandbox() { return *m_sandbox; }
    std::string etc() const { return m_dir / "etc"; }
    std::string store() const { return m_dir / "store"; }
    std::string webroot() const { return m_dir / "www"; }
    const TempDir& dir() const { return m_dir; }

  private:
    TempDir m_dir;
    std::unique_ptr<SandboxProcess> m_sandbox;
};

/// The leaf's SHA-256 served on 127.0.0.1:`port` for `sni`, once it is no longer `old` (the old
/// workers of a reload finish their connections first); bounded at ~10 s, then whatever is served.
std::string servedOnceChanged(int port, const std::string& sni, const std::string& old);

} // namespace certagent::test
