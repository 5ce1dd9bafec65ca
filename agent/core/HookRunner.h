#pragma once

#include "util/Error.h"
#include "util/Subprocess.h"

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace certagent::core {

/// The exit code of a run whose certificate was installed and is served, but whose deploy hook
/// (hooks/deploy.d or the per-certificate deploy_hook) failed. Nothing is rolled back (the web
/// server serves the new certificate correctly), so 5 would be wrong; but something downstream
/// (HAProxy, a mail server, a CI job) did not get it, which needs a human: exit 4.
constexpr int kExitHookFailed = kExitRefused;

/// `[hooks]` of certagent.conf.
struct HookSettings {
    std::string dir; ///< absolute; holds pre.d/ deploy.d/ post.d/ failure.d/ dns.d/ (each optional)
    std::chrono::seconds timeout{300}; ///< per hook; on expiry the whole process group is killed
};

/// The facts handed to a hook (README "Hooks"), as environment and as JSON on stdin.
struct HookEvent {
    std::string event; ///< deploy | pre | post | failure (set by run() from the phase if empty)
    std::string name;  ///< certificate name (certs.d file stem)
    std::vector<std::string> domains;
    std::string orderId;   ///< the CA's id of the order (an ACME order URL)
    std::string backend;   ///< gogetssl | acme | acme-NAME
    std::string liveDir;   ///< <store>/live/NAME
    std::string cert;      ///< <liveDir>/cert.pem
    std::string key;       ///< <liveDir>/privkey.pem
    std::string chain;     ///< <liveDir>/chain.pem
    std::string fullchain; ///< <liveDir>/fullchain.pem
    std::string serial;    ///< upper-case hex
    std::string notAfter;  ///< ISO 8601 UTC
    std::string error;     ///< failure hooks: the one-line error

    /// The exact environment of a hook: PATH=kFixedPath, CERTAGENT_* (every key always present,
    /// possibly empty), RENEWED_LINEAGE (= liveDir) and RENEWED_DOMAINS (space-separated).
    std::map<std::string, std::string> environment() const;
    /// The same facts as a JSON object (keys: event, name, domains[], order_id, live_dir, cert,
    /// key, chain, fullchain, serial, not_after, error).
    std::string toJson() const;
};

/// The result of one phase: how many hooks failed (non-zero exit, signal, timeout, or could not
/// be started) and the first failure as one line ("deploy.d/10-haproxy: exit 3").
struct HookOutcome {
    int ran = 0;
    int failures = 0;
    std::string firstError;
    bool ok() const { return failures == 0; }
};

/// Runs hook directories in run-parts order (lexical byte order; only executable files whose
/// names match ^[A-Za-z0-9_-]+$, so *.dpkg-old, *.sh, *~ and a non-executable README are skipped)
/// and the per-certificate deploy_hook, each directly by argv (no shell) through the CommandRunner
/// with the minimal environment, the event as JSON on stdin and the timeout. Every output line goes
/// to `log`, escaped and prefixed with the hook. A failing hook never stops the following hooks of
/// the same phase.
class HookRunner {
  public:
    using LogFn = std::function<void(const std::string&)>;

    HookRunner(HookSettings settings, CommandRunner& runner, LogFn log);

    /// Checks every hook that could run: the hooks dir, each phase dir and each file in it that
    /// would run, and each `extraHooks` path (deploy_hook values). Each must be absolute, a
    /// regular file (directory) after resolving symlinks, executable, not group/world-writable,
    /// owned by root or the effective uid, and so must every directory above it (and the symlink's
    /// target). A missing hooks dir or phase dir is fine. Throws ConfigError naming the path and
    /// the reason. Call it once at start, before anything runs.
    void checkFiles(const std::vector<std::string>& extraHooks = {}) const;

    /// The hooks that run() would execute for `phase` (absolute paths, lexical order), without
    /// the extra hook. Missing directory: empty.
    std::vector<std::string> list(const std::string& phase) const;

    /// Runs `<dir>/<phase>.d/*` then `extraHook` (if not empty). `phase`: pre|deploy|post|failure.
    /// event.event is set to `phase` when empty. Never throws: a failing hook, one that cannot be
    /// started, and one that became unsafe since checkFiles() (re-checked just before it runs;
    /// then not run) are counted and logged.
    HookOutcome run(const std::string& phase, const HookEvent& event,
                    const std::string& extraHook = "");

    /// run("deploy", event, deployHook): for the run loop after a successful install and for
    /// `certagent hooks test NAME` against the current live version.
    HookOutcome runDeploy(const HookEvent& event, const std::string& deployHook = "");

    /// Runs `<dir>/dns.d/*` with PATH, CERTAGENT_EVENT=dns, CERTAGENT_NAME=certName,
    /// CERTAGENT_DNS_ACTION=action (add|remove), CERTAGENT_DNS_NAME=name (the record's owner
    /// name), CERTAGENT_DNS_TYPE=type (CNAME|TXT), CERTAGENT_DNS_TARGET=target (the record's
    /// value), and the same as JSON on stdin (event, name, dns_action, dns_name, dns_type,
    /// dns_target). add/remove concern this one value: other values at the name stay (apex and
    /// wildcard need two TXT values at one name at once). Throws ConfigError for another action
    /// or type.
    HookOutcome runDns(const std::string& action, const std::string& name,
                       const std::string& target, const std::string& certName = "",
                       const std::string& type = "CNAME");

  private:
    HookOutcome runAll(const std::string& label, std::vector<std::string> hooks,
                       const std::map<std::string, std::string>& env, const std::string& json);
    bool runOne(const std::string& path, const std::map<std::string, std::string>& env,
                const std::string& json, std::string& error);

    HookSettings m_settings;
    CommandRunner& m_runner;
    LogFn m_log;
};

} // namespace certagent::core
