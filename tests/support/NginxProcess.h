#pragma once

#include "TestEnv.h"

#include <string>
#include <vector>

namespace certagent::test {

/// A real nginx (/usr/sbin/nginx) in a private prefix under a TempDir, for integration tests.
/// The prefix holds nginx.conf (daemon on, master_process on, pid/error_log/temp paths inside the
/// prefix, `access_log off`, `include <prefix>/conf.d/*.conf` inside http{}); the test adds server
/// blocks as files in conf.d/ and listens on 127.0.0.1 high ports from freePort(). Never touches
/// /var/log/nginx or /run. The destructor stops the server (`-s quit`, then SIGKILL by pid).
class NginxProcess {
  public:
    /// Writes the prefix; does not start nginx. Throws std::runtime_error if it cannot.
    NginxProcess();
    NginxProcess(const NginxProcess&) = delete;
    NginxProcess& operator=(const NginxProcess&) = delete;
    ~NginxProcess();

    /// The private prefix directory (contains nginx.conf, conf.d/, logs, pid file).
    const std::string& prefix() const { return m_dir.path(); }
    /// <prefix>/nginx.conf — pass this as [nginx] config.
    std::string configPath() const;
    /// <prefix>/nginx.pid
    std::string pidPath() const;
    /// <prefix>/error.log
    std::string errorLogPath() const;
    /// "/usr/sbin/nginx"
    static std::string binary();

    /// Writes <prefix>/conf.d/<name> (name should end in ".conf" to be included) and returns its
    /// path. Takes effect on the next start() or reload().
    std::string addServerFile(const std::string& name, const std::string& text);
    /// Writes a plain-HTTP server block file `<name>.conf` serving `webroot` for `names` on
    /// 127.0.0.1:`port` (creating `webroot`), for HTTP DCV tests. Returns the file path.
    std::string addHttpSite(const std::string& name, const std::vector<std::string>& names,
                            int port, const std::string& webroot);
    /// Text of a TLS server block listening on 127.0.0.1:`port` ssl for `names`, with the given
    /// certificate and key paths (no file written; pass it to addServerFile).
    static std::string tlsServerBlock(const std::vector<std::string>& names, int port,
                                      const std::string& certPath, const std::string& keyPath);

    /// Starts nginx (`nginx -e <errlog> -p <prefix> -c <conf>`), waits (bounded, ~15 s) until the
    /// master's pid file exists and every `ports` accepts TCP connections on 127.0.0.1. Throws
    /// std::runtime_error with nginx's output and the error log on failure.
    void start(const std::vector<int>& ports = {});
    /// `nginx -s reload`; waits briefly for the new workers. Throws on failure.
    void reload();
    /// Waits (bounded, ~10 s) until the master logged starting a worker after byte `since` of the
    /// error log (errorLog().size() taken before a reload). Throws std::runtime_error if not.
    void waitWorkerStarted(size_t since) const;
    /// `nginx -s quit`, waits for the master to exit (bounded), SIGKILL if it does not. No-op when
    /// not running; never throws.
    void stop() noexcept;
    /// The master process is alive (pid file readable and kill(pid, 0) succeeds).
    bool isRunning() const;
    /// The master's pid from the pid file, or 0.
    int pid() const;
    /// Contents of the error log (empty if none) — for failure messages.
    std::string errorLog() const;

  private:
    TempDir m_dir;
};

} // namespace certagent::test
