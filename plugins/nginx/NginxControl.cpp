#include "plugins/nginx/NginxControl.h"

#include "plugins/nginx/WorkerGeneration.h"
#include "util/Error.h"
#include "util/FileBackup.h"
#include "util/FileIo.h"

#include <Poco/String.h>

#include <cerrno>
#include <csignal>

namespace certagent::plugins::nginx {

namespace {

const char* const kPlugin = "nginx";

/// A configuration file's bytes as nginx reads them (following symlinks), or nullopt.
std::optional<std::string> readConfigFile(const std::string& path) {
    try {
        return snapshotFile(path).content;
    } catch (const IoError&) {
        return std::nullopt; // the dump split falls back to its header lines
    }
}

std::string configureOption(const std::string& versionOutput, const std::string& name) {
    std::string key = "--" + name + "=";
    size_t pos = versionOutput.find(key);
    if (pos == std::string::npos)
        return {};
    pos += key.size();
    size_t end = versionOutput.find_first_of(" \n", pos);
    return versionOutput.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

} // namespace

std::string oneLine(const std::string& output, size_t max) {
    std::string out;
    for (char ch : Poco::trim(output)) {
        if (ch == '\n')
            out += " | ";
        else if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
            out += ' ';
        else
            out += ch;
    }
    if (out.size() > max)
        out = out.substr(0, max) + "...";
    return out.empty() ? "(no output)" : out;
}

NginxControl::NginxControl(const core::InstallerContext& context)
    : m_runner(context.runner), m_binary(context.server.binary), m_config(context.server.config),
      m_mode(context.server.reload) {
    if (m_binary.empty())
        m_binary = "/usr/sbin/nginx";
    if (m_config.empty())
        m_config = "/etc/nginx/nginx.conf";
    if (m_mode.empty())
        m_mode = "auto";
}

SubprocessResult NginxControl::run(const std::vector<std::string>& argv, const std::string& step,
                                   size_t outputCap) {
    SubprocessOptions options;
    options.timeout = std::chrono::seconds(60);
    options.outputCap = outputCap;
    try {
        return m_runner.run(argv, options);
    } catch (const InstallError&) {
        throw;
    } catch (const std::exception& e) {
        throw InstallError(kPlugin, step, "cannot run " + argv.front() + ": " + e.what());
    }
}

Config NginxControl::loadConfig(const std::string& step) {
    const size_t cap = 64u << 20;
    SubprocessResult r = run({m_binary, "-q", "-T", "-c", m_config}, step, cap);
    if (!r.ok())
        throw InstallError(kPlugin, step,
                           "nginx -T -c " + m_config + " failed (" + r.describe() +
                               "): " + oneLine(r.output));
    if (r.output.size() >= cap)
        throw InstallError(kPlugin, step, "nginx -T output is larger than 64 MiB");
    return buildConfig(splitDump(r.output, readConfigFile));
}

void NginxControl::testConfig() {
    SubprocessResult r = run({m_binary, "-t", "-c", m_config}, "test");
    if (!r.ok())
        throw InstallError(kPlugin, "test",
                           "nginx -t -c " + m_config + " failed (" + r.describe() +
                               "): " + oneLine(r.output));
}

std::string NginxControl::pidPath(const Config& config) {
    std::string path;
    for (const Directive& d : config.root)
        if (d.name == "pid" && !d.isBlock && d.args.size() == 1)
            path = d.args[0].value;
    std::string prefix;
    if (path.empty() || path[0] != '/') {
        SubprocessResult r = run({m_binary, "-V"}, "discover");
        if (path.empty())
            path = configureOption(r.output, "pid-path");
        if (path.empty())
            path = "logs/nginx.pid";
        prefix = configureOption(r.output, "prefix");
        if (prefix.empty())
            prefix = "/usr/local/nginx";
    }
    if (path[0] != '/')
        path = prefix + (prefix.back() == '/' ? "" : "/") + path;
    return path;
}

int NginxControl::masterPid(const std::string& pidFile) {
    std::string digits;
    try {
        digits = Poco::trim(readFileCapped(pidFile, 64).value_or(""));
    } catch (const IoError&) {
        return 0;
    }
    if (digits.empty() || digits.size() > 9 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
        return 0;
    int pid = std::stoi(digits);
    if (pid <= 1 || (::kill(pid, 0) != 0 && errno != EPERM))
        return 0;
    // A recycled pid must not pass for nginx: the master's title is "nginx: master process ...",
    // whatever the binary is called.
    std::string title = processTitle(pid);
    if (title.empty())
        return pid; // no /proc: trust the signal check
    return title.rfind("nginx: master process", 0) == 0 ? pid : 0;
}

bool NginxControl::systemdManages(int masterPid) {
    try {
        SubprocessResult active = run({"systemctl", "is-active", "--quiet", "nginx"}, "reload");
        if (!active.ok())
            return false;
        SubprocessResult main =
            run({"systemctl", "show", "--property=MainPID", "--value", "nginx"}, "reload");
        return main.ok() && Poco::trim(main.output) == std::to_string(masterPid);
    } catch (const InstallError&) {
        return false; // no systemctl on this host
    }
}

void NginxControl::reload(int masterPid, const std::string& step) {
    bool systemd;
    if (m_mode == "systemd")
        systemd = true;
    else if (m_mode == "signal")
        systemd = false;
    else if (m_mode == "auto")
        systemd = systemdManages(masterPid);
    else
        throw ConfigError("[nginx] reload: unknown value \"" + m_mode +
                          "\" (want auto, systemd or signal)");
    std::vector<std::string> argv =
        systemd ? std::vector<std::string>{"systemctl", "reload", "nginx"}
                : std::vector<std::string>{m_binary, "-s", "reload", "-c", m_config};
    SubprocessResult r = run(argv, step);
    if (!r.ok())
        throw InstallError(kPlugin, step,
                           argv[0] + " reload failed (" + r.describe() + "): " + oneLine(r.output));
}

} // namespace certagent::plugins::nginx
