#include "plugins/apache/ApacheControl.h"

#include "plugins/apache/Envvars.h"
#include "util/Error.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

namespace certagent::plugins::apache {

namespace {

constexpr const char* kPlugin = "apache";

std::string dirOf(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

} // namespace

ApacheControl::ApacheControl(config::ServerSettings settings, CommandRunner& runner)
    : m_settings(std::move(settings)), m_runner(runner) {
    if (m_settings.binary.empty() || m_settings.config.empty())
        throw ConfigError("[apache] binary and config must be set");
    if (m_settings.reload != "auto" && m_settings.reload != "systemd" &&
        m_settings.reload != "signal")
        throw ConfigError("[apache] reload = " + m_settings.reload +
                          ": want auto, systemd or signal");
    std::string confDir = dirOf(m_settings.config);
    Envvars envvars = readEnvvars(confDir);
    m_env = envvars.env;
    m_env["PATH"] = kFixedPath;
    m_env["LANG"] = "C";
    m_base = {m_settings.binary};
    if (envvars.present)
        m_base.insert(m_base.end(), {"-d", confDir});
    m_base.insert(m_base.end(), {"-f", m_settings.config});
    for (const auto* list : {&m_settings.defines, &envvars.defines})
        for (const std::string& name : *list)
            if (std::find(m_defines.begin(), m_defines.end(), name) == m_defines.end()) {
                m_defines.push_back(name);
                m_base.insert(m_base.end(), {"-D", name});
            }
    m_unit = m_settings.unit.empty() ? defaultUnit(m_settings.binary, m_settings.config)
                                     : m_settings.unit;
}

std::string defaultUnit(const std::string& binary, const std::string& config) {
    std::string suffix = instanceSuffix(dirOf(config));
    if (!suffix.empty())
        return "apache2@" + suffix.substr(1);
    if (binary.substr(binary.rfind('/') + 1) == "httpd")
        return "httpd";
    return "apache2";
}

SubprocessResult ApacheControl::run(const std::vector<std::string>& args, bool killGroup) {
    std::vector<std::string> argv = m_base;
    argv.insert(argv.end(), args.begin(), args.end());
    SubprocessOptions options;
    options.env = m_env;
    options.timeout = std::chrono::seconds(60);
    options.killGroupOnExit = killGroup;
    return m_runner.run(argv, options);
}

SubprocessResult ApacheControl::runSystemctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"systemctl"};
    argv.insert(argv.end(), args.begin(), args.end());
    SubprocessOptions options;
    options.env = {{"PATH", kFixedPath}, {"LANG", "C"}};
    options.timeout = std::chrono::seconds(90);
    return m_runner.run(argv, options);
}

std::string ApacheControl::dump(const std::string& step) {
    SubprocessResult r =
        run({"-t", "-D", "DUMP_VHOSTS", "-D", "DUMP_RUN_CFG", "-D", "DUMP_MODULES"});
    if (!r.ok())
        throw InstallError(kPlugin, step,
                           m_settings.binary + " -t failed (" + r.describe() +
                               "): " + complaint(r.output));
    return r.output;
}

void ApacheControl::configTest() {
    SubprocessResult r = run({"-t"});
    if (!r.ok())
        throw InstallError(kPlugin, "test",
                           "configuration test failed (" + r.describe() +
                               "): " + complaint(r.output));
}

bool ApacheControl::systemdRunsPid(int pid) {
    try {
        if (!runSystemctl({"is-active", "--quiet", m_unit}).ok())
            return false;
        SubprocessResult r = runSystemctl({"show", "-p", "MainPID", "--value", m_unit});
        return r.ok() && std::atoi(r.output.c_str()) == pid;
    } catch (const Error&) {
        return false; // no systemctl on this host
    }
}

void ApacheControl::graceful(bool viaSystemd, const std::string& step) {
    SubprocessResult r = viaSystemd ? runSystemctl({"reload", m_unit}) : run({"-k", "graceful"});
    if (!r.ok())
        throw InstallError(kPlugin, step,
                           (viaSystemd ? "systemctl reload " + m_unit : "-k graceful") +
                               " failed (" + r.describe() + "): " + complaint(r.output));
}

void ApacheControl::start(bool viaSystemd, const std::string& step) {
    // The daemon calls setsid(); its group is not ours to kill once the starter exits.
    SubprocessResult r = viaSystemd ? runSystemctl({"start", m_unit}) : run({"-k", "start"}, false);
    if (!r.ok())
        throw InstallError(kPlugin, step,
                           (viaSystemd ? "systemctl start " + m_unit : "-k start") + " failed (" +
                               r.describe() + "): " + complaint(r.output));
}

int readPidFile(const std::string& path) {
    std::ifstream in(path);
    long pid = -1;
    if (!(in >> pid) || pid <= 0 || pid > (1L << 22))
        return -1;
    return static_cast<int>(pid);
}

bool pidAlive(int pid, const std::string& binary) {
    if (pid <= 0)
        return false;
    std::string proc = "/proc/" + std::to_string(pid);
    std::ifstream in(proc + "/stat");
    std::string stat;
    if (!std::getline(in, stat))
        return false;
    size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] == 'Z' ||
        stat[close + 2] == 'X')
        return false;
    std::ifstream commFile(proc + "/comm");
    std::string comm;
    std::getline(commFile, comm);
    std::string base = binary.substr(binary.rfind('/') + 1);
    return comm == "apache2" || comm == "httpd" || (!base.empty() && comm == base.substr(0, 15));
}

std::string complaint(const std::string& output) {
    std::istringstream in(output);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line))
        if (line.find_first_not_of(" \t\r") != std::string::npos)
            lines.push_back(line);
    // The cause usually precedes apache's closing line ("AH00015: Unable to open logs").
    std::string text;
    for (size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i)
        text += (text.empty() ? "" : " / ") + lines[i];
    if (text.empty())
        text = "no output";
    // "AH00526: Syntax error on line 2 of FILE:" is followed by the reason on its own line.
    for (size_t i = 0; i < lines.size(); ++i)
        if (lines[i].find("Syntax error") != std::string::npos) {
            text = lines[i] + (i + 1 < lines.size() ? " " + lines[i + 1] : "");
            break;
        }
    for (char& c : text)
        if (std::iscntrl(static_cast<unsigned char>(c)))
            c = ' ';
    if (text.size() > 400)
        text = text.substr(0, 400) + "...";
    return text;
}

} // namespace certagent::plugins::apache
