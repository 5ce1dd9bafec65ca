#include "Processes.h"

#include <chrono>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace certagent::test {

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string>& prefixes() {
    static std::vector<std::string> all;
    return all;
}

std::mutex& prefixesMutex() {
    static std::mutex m;
    return m;
}

/// Numeric entries of /proc other than this process.
std::vector<int> otherPids() {
    std::vector<int> out;
    std::unique_ptr<DIR, int (*)(DIR*)> proc(::opendir("/proc"), ::closedir);
    if (!proc)
        return out;
    while (dirent* e = ::readdir(proc.get())) {
        char* end = nullptr;
        long pid = std::strtol(e->d_name, &end, 10);
        if (end && *end == '\0' && pid > 0 && pid != ::getpid())
            out.push_back(static_cast<int>(pid));
    }
    return out;
}

std::string linkTarget(const std::string& path) {
    char buf[PATH_MAX];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
    return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

/// The working directory and every open file of `pid` (nginx workers rewrite their command line,
/// but keep the prefix's error log open).
std::vector<std::string> pathsHeldBy(int pid) {
    const std::string base = "/proc/" + std::to_string(pid);
    std::vector<std::string> out{linkTarget(base + "/cwd")};
    std::unique_ptr<DIR, int (*)(DIR*)> fds(::opendir((base + "/fd").c_str()), ::closedir);
    if (!fds)
        return out;
    while (dirent* e = ::readdir(fds.get()))
        if (e->d_name[0] != '.')
            out.push_back(linkTarget(base + "/fd/" + e->d_name));
    return out;
}

/// Why `pid` belongs to `prefix` ("" if it does not).
std::string belongs(const std::string& cmdline, const std::vector<std::string>& held,
                    const std::string& prefix) {
    if (cmdline.find(prefix) != std::string::npos)
        return "command line";
    for (const std::string& path : held)
        if (path.compare(0, prefix.size(), prefix) == 0)
            return "holds " + path;
    return "";
}

/// Pids of testProcessLeftovers(), with their lines.
std::vector<std::pair<int, std::string>> leftoverPids() {
    std::vector<std::string> all;
    {
        std::lock_guard<std::mutex> lock(prefixesMutex());
        all = prefixes();
    }
    std::vector<std::pair<int, std::string>> out;
    if (all.empty())
        return out;
    for (int pid : otherPids()) {
        if (!processAlive(pid))
            continue;
        std::string cmdline = commandLine(pid);
        std::vector<std::string> held = pathsHeldBy(pid);
        for (const std::string& prefix : all) {
            std::string why = belongs(cmdline, held, prefix);
            if (!why.empty()) {
                out.emplace_back(pid, std::to_string(pid) + ": " + cmdline + " (" + why + ")");
                break;
            }
        }
    }
    return out;
}

} // namespace

bool processAlive(int pid) {
    if (pid <= 0)
        return false;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat))
        return false;
    size_t close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

bool waitGone(const std::vector<int>& pids, std::chrono::milliseconds within) {
    auto deadline = Clock::now() + within;
    for (int p : pids)
        while (processAlive(p)) {
            if (Clock::now() > deadline)
                return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    return true;
}

std::string commandLine(int pid) {
    // A read of a vanishing process fails with ESRCH, so no iostreams here.
    std::string path = "/proc/" + std::to_string(pid) + "/cmdline";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return "";
    std::string text;
    char buf[4096];
    ssize_t n = 0;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 && text.size() < 65536)
        text.append(buf, static_cast<size_t>(n));
    ::close(fd);
    for (char& c : text)
        if (c == '\0')
            c = ' ';
    return text;
}

std::vector<int> processesMentioning(const std::string& text) {
    std::vector<int> out;
    for (int pid : otherPids())
        if (commandLine(pid).find(text) != std::string::npos && processAlive(pid))
            out.push_back(pid);
    return out;
}

void killMentioning(const std::string& text) {
    std::vector<int> pids = processesMentioning(text);
    for (int p : pids)
        ::kill(p, SIGKILL);
    waitGone(pids, std::chrono::seconds(10));
}

void registerTestPrefix(const std::string& dir) {
    std::lock_guard<std::mutex> lock(prefixesMutex());
    prefixes().push_back(dir + "/");
}

std::vector<std::string> testProcessLeftovers() {
    std::vector<std::string> out;
    for (const auto& [pid, line] : leftoverPids())
        out.push_back(line);
    return out;
}

void killTestProcessLeftovers() {
    std::vector<int> pids;
    for (const auto& [pid, line] : leftoverPids()) {
        ::kill(pid, SIGKILL);
        pids.push_back(pid);
    }
    waitGone(pids, std::chrono::seconds(10));
}

namespace {

std::vector<std::function<void()>>& suiteEndStops() {
    static std::vector<std::function<void()>> stops;
    return stops;
}

} // namespace

void atSuiteEnd(std::function<void()> stop) {
    suiteEndStops().push_back(std::move(stop));
}

void runSuiteEndStops() {
    std::vector<std::function<void()>> stops;
    stops.swap(suiteEndStops());
    for (auto it = stops.rbegin(); it != stops.rend(); ++it)
        (*it)();
}

} // namespace certagent::test
