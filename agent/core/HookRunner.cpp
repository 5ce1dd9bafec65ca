#include "core/HookRunner.h"

#include "util/PathTrust.h"
#include "util/Text.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/String.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <memory>
#include <regex>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent::core {

namespace {

const char* const kPhases[] = {"pre", "deploy", "post", "failure", "dns"};

/// run-parts(8) names: letters, digits, underscore and hyphen only.
bool runPartsName(const std::string& name) {
    static const std::regex kName("^[A-Za-z0-9_-]+$");
    return std::regex_match(name, kName);
}

std::string fileProblem(const struct stat& st) {
    if (!S_ISREG(st.st_mode))
        return "is not a regular file";
    if (!trustedOwner(st))
        return "is owned by uid " + std::to_string(st.st_uid) + " (not root or us)";
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return "is group- or world-writable";
    if (!(st.st_mode & S_IXUSR))
        return "is not executable";
    return {};
}

/// Empty if the hook at `path` is safe to run; else one line naming the path and the problem.
std::string hookProblem(const std::string& path, bool isDir) {
    if (path.empty() || path[0] != '/')
        return "hook " + path + " is not an absolute path";
    std::string problem = ancestorsProblem(path);
    if (!problem.empty())
        return "hook " + path + ": directory " + problem;
    std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
    if (!real)
        return "hook " + path + ": " + errnoText(errno);
    std::string resolved = real.get();
    if (resolved != path) {
        problem = ancestorsProblem(resolved);
        if (!problem.empty())
            return "hook " + path + " -> " + resolved + ": directory " + problem;
    }
    struct stat st;
    if (::stat(resolved.c_str(), &st) != 0)
        return "hook " + path + ": " + errnoText(errno);
    // A hook directory's entries are run: sticky world-writable is no excuse there.
    problem = isDir ? dirProblem(st, DirUse::Entries) : fileProblem(st);
    if (!problem.empty())
        return "hook " + path + (resolved != path ? " -> " + resolved : "") + " " + problem;
    return {};
}

struct DirCloser {
    void operator()(DIR* dir) const { ::closedir(dir); }
};

Poco::JSON::Object::Ptr orderedObject() {
    return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

std::string stringify(const Poco::JSON::Object::Ptr& object) {
    std::ostringstream out;
    object->stringify(out);
    return out.str();
}

// What a hook's output may put into the log, counted as logged (prefix included): a hook that
// prints megabytes of blank lines must not become a million log lines.
constexpr std::size_t kMaxLoggedLines = 200;
constexpr std::size_t kMaxLoggedBytes = 64 * 1024;

/// Logs the non-blank lines of `output`, each as `prefix` + the escaped line, up to the caps;
/// then one line saying how many were left out.
void logOutput(const HookRunner::LogFn& log, const std::string& prefix, const std::string& output) {
    std::size_t lines = 0, bytes = 0, left = 0;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);) {
        if (Poco::trim(line).empty())
            continue;
        std::string logged = prefix + escapeForLog(line, 2000);
        if (lines >= kMaxLoggedLines || bytes + logged.size() > kMaxLoggedBytes) {
            ++left;
            continue;
        }
        ++lines;
        bytes += logged.size();
        log(logged);
    }
    if (left > 0)
        log(prefix + std::to_string(left) + " more lines of output not logged (at most " +
            std::to_string(kMaxLoggedLines) + " lines, " + std::to_string(kMaxLoggedBytes / 1024) +
            " KiB)");
}

} // namespace

std::map<std::string, std::string> HookEvent::environment() const {
    std::string names = Poco::cat(std::string(" "), domains.begin(), domains.end());
    return {
        {"PATH", kFixedPath},
        {"CERTAGENT_EVENT", event},
        {"CERTAGENT_NAME", name},
        {"CERTAGENT_DOMAINS", names},
        {"CERTAGENT_ORDER_ID", orderId},
        {"CERTAGENT_BACKEND", backend},
        {"CERTAGENT_LIVE_DIR", liveDir},
        {"CERTAGENT_CERT", cert},
        {"CERTAGENT_KEY", key},
        {"CERTAGENT_CHAIN", chain},
        {"CERTAGENT_FULLCHAIN", fullchain},
        {"CERTAGENT_SERIAL", serial},
        {"CERTAGENT_NOT_AFTER", notAfter},
        {"CERTAGENT_ERROR", error},
        {"RENEWED_LINEAGE", liveDir},
        {"RENEWED_DOMAINS", names},
    };
}

std::string HookEvent::toJson() const {
    auto object = orderedObject();
    object->set("event", event);
    object->set("name", name);
    Poco::JSON::Array::Ptr names = new Poco::JSON::Array;
    for (const auto& domain : domains)
        names->add(domain);
    object->set("domains", names);
    object->set("order_id", orderId);
    object->set("backend", backend);
    object->set("live_dir", liveDir);
    object->set("cert", cert);
    object->set("key", key);
    object->set("chain", chain);
    object->set("fullchain", fullchain);
    object->set("serial", serial);
    object->set("not_after", notAfter);
    object->set("error", error);
    return stringify(object);
}

HookRunner::HookRunner(HookSettings settings, CommandRunner& runner, LogFn log)
    : m_settings(std::move(settings)), m_runner(runner), m_log(std::move(log)) {
    if (!m_log)
        m_log = [](const std::string&) {};
}

void HookRunner::checkFiles(const std::vector<std::string>& extraHooks) const {
    for (const auto& hook : extraHooks) {
        std::string problem = hookProblem(hook, false);
        if (!problem.empty())
            throw ConfigError(problem);
    }
    if (m_settings.dir.empty())
        return;
    struct stat st;
    if (::lstat(m_settings.dir.c_str(), &st) != 0 && errno == ENOENT)
        return;
    std::string problem = hookProblem(m_settings.dir, true);
    if (!problem.empty())
        throw ConfigError("[hooks] dir: " + problem);
    for (const char* phase : kPhases) {
        std::string dir = m_settings.dir + "/" + phase + ".d";
        if (::lstat(dir.c_str(), &st) != 0 && errno == ENOENT)
            continue;
        problem = hookProblem(dir, true);
        if (!problem.empty())
            throw ConfigError("[hooks] dir: " + problem);
        for (const auto& hook : list(phase)) {
            problem = hookProblem(hook, false);
            if (!problem.empty())
                throw ConfigError("[hooks] dir: " + problem);
        }
    }
}

std::vector<std::string> HookRunner::list(const std::string& phase) const {
    std::vector<std::string> hooks;
    if (m_settings.dir.empty())
        return hooks;
    std::string dir = m_settings.dir + "/" + phase + ".d";
    std::unique_ptr<DIR, DirCloser> handle(::opendir(dir.c_str()));
    if (!handle)
        return hooks;
    while (struct dirent* entry = ::readdir(handle.get())) {
        std::string name = entry->d_name;
        if (!runPartsName(name))
            continue;
        struct stat st;
        std::string path = dir + "/" + name;
        // Like run-parts: directories and non-executable files are not hooks.
        if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
            continue;
        if (::stat(path.c_str(), &st) == 0 && !(st.st_mode & S_IXUSR))
            continue;
        hooks.push_back(path);
    }
    std::sort(hooks.begin(), hooks.end());
    return hooks;
}

HookOutcome HookRunner::run(const std::string& phase, const HookEvent& event,
                            const std::string& extraHook) {
    HookEvent facts = event;
    if (facts.event.empty())
        facts.event = phase;
    std::vector<std::string> hooks = list(phase);
    if (!extraHook.empty())
        hooks.push_back(extraHook);
    return runAll(phase, hooks, facts.environment(), facts.toJson());
}

HookOutcome HookRunner::runDeploy(const HookEvent& event, const std::string& deployHook) {
    return run("deploy", event, deployHook);
}

HookOutcome HookRunner::runDns(const std::string& action, const std::string& name,
                               const std::string& target, const std::string& certName,
                               const std::string& type) {
    if (action != "add" && action != "remove")
        throw ConfigError("DNS hook action must be add or remove, not \"" + action + "\"");
    if (type != "CNAME" && type != "TXT")
        throw ConfigError("DNS record type must be CNAME or TXT, not \"" + type + "\"");
    std::map<std::string, std::string> env = {
        {"PATH", kFixedPath},
        {"CERTAGENT_EVENT", "dns"},
        {"CERTAGENT_NAME", certName},
        {"CERTAGENT_DNS_ACTION", action},
        {"CERTAGENT_DNS_NAME", name},
        {"CERTAGENT_DNS_TYPE", type},
        {"CERTAGENT_DNS_TARGET", target},
    };
    auto object = orderedObject();
    object->set("event", "dns");
    object->set("name", certName);
    object->set("dns_action", action);
    object->set("dns_name", name);
    object->set("dns_type", type);
    object->set("dns_target", target);
    return runAll("dns", list("dns"), env, stringify(object));
}

HookOutcome HookRunner::runAll(const std::string& label, std::vector<std::string> hooks,
                               const std::map<std::string, std::string>& env,
                               const std::string& json) {
    HookOutcome outcome;
    for (const auto& hook : hooks) {
        std::string error;
        ++outcome.ran;
        if (runOne(hook, env, json, error))
            continue;
        ++outcome.failures;
        m_log(label + " hook failed: " + error);
        if (outcome.firstError.empty())
            outcome.firstError = error;
    }
    return outcome;
}

bool HookRunner::runOne(const std::string& path, const std::map<std::string, std::string>& env,
                        const std::string& json, std::string& error) {
    std::string shown = path;
    if (!m_settings.dir.empty() && path.rfind(m_settings.dir + "/", 0) == 0)
        shown = path.substr(m_settings.dir.size() + 1);
    std::string problem = hookProblem(path, false);
    if (!problem.empty()) {
        error = problem + " (not run)";
        return false;
    }
    SubprocessOptions options;
    options.timeout = m_settings.timeout;
    options.env = env;
    options.stdinData = json;
    options.workDir = "/";
    options.killGroupOnExit = true;
    m_log("hook " + shown + ": running");
    SubprocessResult result;
    try {
        result = m_runner.run({path}, options);
    } catch (const Error& e) {
        error = shown + ": " + e.what();
        return false;
    }
    logOutput(m_log, "hook " + shown + ": ", result.output);
    if (result.ok()) {
        m_log("hook " + shown + ": ok");
        return true;
    }
    error = shown + ": " + result.describe();
    if (result.timedOut)
        error += " after " + std::to_string(m_settings.timeout.count()) + "s";
    return false;
}

} // namespace certagent::core
