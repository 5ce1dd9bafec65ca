#pragma once

// A private Apache httpd for integration tests: its own ServerRoot under a TempDir, its own
// minimal configuration, listening on 127.0.0.1 high ports chosen at run time. Every process it
// leaves behind (a master that died leaves its workers running) is found through /proc by the
// prefix in its command line and killed.

#include "Processes.h"
#include "TestEnv.h"
#include "core/Installer.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace certagent::test {

/// One apache2 (mpm_event, mod_ssl, socache_shmcb, authz_core, alias). Two layouts:
/// - standalone (default): <prefix>/apache2.conf with an explicit ServerRoot, started with
///   `apache2 -f <prefix>/apache2.conf -k start`; vhosts go in <prefix>/sites/*.conf;
/// - Debian instance NAME: <prefix>/apache2-NAME/ shaped like /etc/apache2-NAME (no ServerRoot,
///   relative Include ports.conf / mods-enabled / sites-enabled, ${APACHE_*} from its envvars),
///   started the way apache2ctl does: `apache2 -d DIR -f DIR/apache2.conf -k start` with the
///   envvars exported.
/// Construction writes the files and picks the ports but does not start; the destructor stops
/// the server and every process of the prefix.
class ApacheProcess {
  public:
    explicit ApacheProcess(const std::string& debianInstance = "");
    ApacheProcess(const ApacheProcess&) = delete;
    ApacheProcess& operator=(const ApacheProcess&) = delete;
    ~ApacheProcess();

    static std::string binary() { return "/usr/sbin/apache2"; }
    const std::string& prefix() const { return m_dir.path(); }
    /// The directory of apache2.conf (= ServerRoot).
    std::string confDir() const;
    std::string configPath() const { return confDir() + "/apache2.conf"; }
    /// Where addSiteFile() writes: <prefix>/sites or, for an instance, DIR/sites-enabled.
    std::string sitesDir() const;
    /// <prefix>/htdocs, readable by the unprivileged children (for HTTP DCV files).
    std::string docRoot() const { return m_dir / "htdocs"; }
    std::string pidFile() const;
    std::string errorLog() const;
    int httpPort() const { return m_httpPort; }
    int httpsPort() const { return m_httpsPort; }
    /// The environment apache2ctl would export from the instance's envvars (empty standalone).
    const std::map<std::string, std::string>& instanceEnv() const { return m_env; }

    /// Writes <sitesDir>/<name>.conf (mode 0644).
    void addSiteFile(const std::string& name, const std::string& text);
    /// Starts apache2 with -D NAME as well (an <IfDefine NAME> setup).
    void addDefine(const std::string& name) { m_defines.push_back(name); }
    /// Adds `Listen <address>` lines (e.g. "127.0.0.2:443") to the main configuration.
    void addListen(const std::string& address);
    /// [apache] settings for this server: binary, configPath(), reload (default "signal" so a
    /// system apache2 unit is never touched).
    config::ServerSettings settings(const std::string& reload = "signal") const;

    /// Starts apache2 (see the layouts), then waits until both ports accept connections and the
    /// pid file names a live process. Throws std::runtime_error (with the error log tail).
    void start();
    /// SIGTERM to the master (what `-k stop` sends, without parsing a configuration that may no
    /// longer be valid), SIGKILL to its process group after a while, then SIGKILL to every
    /// process whose command line still mentions the prefix. Idempotent.
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
    void writeStandalone();
    void writeInstance(const std::string& name);
    void writeCommon(const std::string& mainConfig);

    TempDir m_dir;
    std::string m_instance;
    std::map<std::string, std::string> m_env;
    std::vector<std::string> m_defines;
    int m_httpPort = 0;
    int m_httpsPort = 0;
};

} // namespace certagent::test
