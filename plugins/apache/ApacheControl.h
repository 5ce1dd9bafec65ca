#pragma once

// Running apache2 (or httpd) through the CommandRunner seam the way apache2ctl does: the dump used
// by discovery, the configuration test, graceful reloads through systemd or `-k graceful`, and
// the one start the recovery may do. With a Debian envvars beside the configuration (a
// /etc/apache2-NAME instance) every run gets `-d <config dir>` (the instance's ServerRoot; the
// compiled-in one is /etc/apache2) and the envvars' APACHE_* values. Every run gets `-D NAME` for
// [apache] defines and the envvars' APACHE_ARGUMENTS defines. Argv only, never a shell; the
// environment is explicit.

#include "core/Installer.h"

#include <map>
#include <string>
#include <vector>

namespace certagent::plugins::apache {

class ApacheControl {
  public:
    ApacheControl(config::ServerSettings settings, CommandRunner& runner);

    /// `binary -f config -t -D DUMP_VHOSTS -D DUMP_RUN_CFG -D DUMP_MODULES`. Throws
    /// InstallError(step) with the server's last complaint when it fails.
    std::string dump(const std::string& step);
    /// `binary -f config -t`. Throws InstallError("test") when the configuration is refused.
    void configTest();
    /// Whether the systemd unit() is active and its MainPID is `pid` (so `systemctl
    /// reload` reaches this very server). False when systemctl is missing.
    bool systemdRunsPid(int pid);
    /// Graceful reload: `systemctl reload <unit>` or `binary -f config -k graceful`. Throws
    /// InstallError(step).
    void graceful(bool viaSystemd, const std::string& step);
    /// `systemctl start <unit>` or `binary -f config -k start` (recovery only). Throws
    /// InstallError(step).
    void start(bool viaSystemd, const std::string& step);

    /// The environment given to apache2: the fixed PATH, LANG=C, and what an `envvars` file
    /// beside the config exports (Debian's APACHE_RUN_DIR & co.), see Envvars.h.
    const std::map<std::string, std::string>& env() const { return m_env; }
    const config::ServerSettings& settings() const { return m_settings; }
    /// The systemd unit: [apache] unit, else defaultUnit().
    const std::string& unit() const { return m_unit; }
    /// Every -D NAME given to apache2 ([apache] defines, then APACHE_ARGUMENTS').
    const std::vector<std::string>& defines() const { return m_defines; }
    /// The arguments every apache2 run starts with: binary, [-d DIR], -f CONFIG, -D NAME...
    const std::vector<std::string>& baseArgv() const { return m_base; }

  private:
    SubprocessResult run(const std::vector<std::string>& args, bool killGroup = true);
    SubprocessResult runSystemctl(const std::vector<std::string>& args);

    config::ServerSettings m_settings;
    CommandRunner& m_runner;
    std::map<std::string, std::string> m_env;
    std::vector<std::string> m_defines;
    std::vector<std::string> m_base;
    std::string m_unit;
};

/// The unit that runs the server of `binary` with `config`: apache2@NAME for a config in an
/// apache2-NAME directory (Debian's instances, as apache2ctl names them), httpd for an httpd
/// binary (RHEL, Fedora, Alma), else apache2.
std::string defaultUnit(const std::string& binary, const std::string& config);

/// The pid in a pid file, or -1 when it is missing or unreadable.
int readPidFile(const std::string& path);
/// /proc/<pid> exists, is not a zombie, and is an httpd ("apache2", "httpd" or the basename of
/// `binary`), so a stale pid file naming a reused pid does not count.
bool pidAlive(int pid, const std::string& binary = "");
/// The complaint in apache2 output for a message: a "Syntax error" line with the reason on the
/// line after it, else the last three non-empty lines; control characters replaced, capped.
std::string complaint(const std::string& output);

} // namespace certagent::plugins::apache
