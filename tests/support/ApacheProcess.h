#pragma once

// A private Apache httpd for integration tests: its own ServerRoot under a TempDir, its own
// minimal apache2.conf (run with -f), listening on 127.0.0.1 high ports chosen at run time.

#include "TestEnv.h"
#include "core/Installer.h"

#include <memory>
#include <string>

namespace certagent::test {

/// One apache2 (mpm_event, mod_ssl, socache_shmcb, authz_core, alias) started with
/// `apache2 -f <prefix>/apache2.conf -k start`. The configuration includes
/// `<prefix>/sites/*.conf` (IncludeOptional); write vhosts there with addSiteFile(). Construction
/// writes the prefix and picks the ports but does not start; the destructor stops the server.
class ApacheProcess {
  public:
    ApacheProcess();
    ApacheProcess(const ApacheProcess&) = delete;
    ApacheProcess& operator=(const ApacheProcess&) = delete;
    ~ApacheProcess();

    static std::string binary() { return "/usr/sbin/apache2"; }
    const std::string& prefix() const { return m_dir.path(); }
    std::string configPath() const { return m_dir / "apache2.conf"; }
    std::string sitesDir() const { return m_dir / "sites"; }
    /// <prefix>/htdocs, readable by the unprivileged children (for HTTP DCV files).
    std::string docRoot() const { return m_dir / "htdocs"; }
    std::string pidFile() const { return m_dir / "run/apache2.pid"; }
    std::string errorLog() const { return m_dir / "logs/error.log"; }
    int httpPort() const { return m_httpPort; }
    int httpsPort() const { return m_httpsPort; }

    /// Writes <prefix>/sites/<name>.conf (mode 0644).
    void addSiteFile(const std::string& name, const std::string& text);
    /// [apache] settings for this server: binary, configPath(), reload (default "signal" so a
    /// system apache2 unit is never touched).
    config::ServerSettings settings(const std::string& reload = "signal") const;

    /// `apache2 -f conf -k start`, then waits until both ports accept connections and the pid
    /// file names a live process. Throws std::runtime_error (with the error log tail) otherwise.
    void start();
    /// `apache2 -f conf -k stop`, then waits for the process to be gone (SIGKILL after a while).
    /// Idempotent.
    void stop();
    /// SIGKILL the parent (and its children) without any cleanup: a crashed server.
    void kill();
    /// The pid file names a live (non-zombie) process.
    bool isRunning() const;
    /// The pid from the pid file, -1 when there is none.
    int pid() const;
    /// Last `lines` lines of the error log (for failure messages).
    std::string errorLogTail(size_t lines = 20) const;

  private:
    void writeConfig();

    TempDir m_dir;
    int m_httpPort = 0;
    int m_httpsPort = 0;
};

/// True when /proc/<pid> exists and is not a zombie.
bool processAlive(int pid);

} // namespace certagent::test
