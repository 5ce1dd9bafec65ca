#pragma once

#include "core/Installer.h"
#include "plugins/nginx/NginxConf.h"

#include <string>
#include <vector>

namespace certagent::plugins::nginx {

/// Runs the nginx binary and systemctl through the context's CommandRunner (argv, no shell).
class NginxControl {
  public:
    explicit NginxControl(const core::InstallerContext& context);

    const std::string& binary() const { return m_binary; }
    const std::string& configPath() const { return m_config; }

    /// `nginx -q -T -c CONFIG` parsed into a Config (files checked against the disk). Throws
    /// InstallError(step) when nginx fails, ConfigError when its output cannot be read.
    Config loadConfig(const std::string& step);
    /// `nginx -t -c CONFIG`; throws InstallError("test") with nginx's output on failure.
    void testConfig();
    /// The pid file: the main-context `pid` directive, else nginx -V's --pid-path (relative paths
    /// against --prefix).
    std::string pidPath(const Config& config);
    /// The live master's pid from `pidFile`, or 0 (no file, stale pid, not an nginx process).
    static int masterPid(const std::string& pidFile);
    /// Graceful reload per `reload =` (systemd | signal | auto: systemd when the nginx unit is
    /// active and its main pid is this master). Throws InstallError(step) on failure, ConfigError
    /// for an unknown mode. Never starts nginx.
    void reload(int masterPid, const std::string& step);

  private:
    SubprocessResult run(const std::vector<std::string>& argv, const std::string& step,
                         size_t outputCap = 1 << 20);
    bool systemdManages(int masterPid);

    CommandRunner& m_runner;
    std::string m_binary;
    std::string m_config;
    std::string m_mode;
};

/// Collapses a program's output into one bounded line for an error message.
std::string oneLine(const std::string& output, size_t max = 1500);

} // namespace certagent::plugins::nginx
