#include "plugins/nginx/WorkerGeneration.h"

#include "util/FileIo.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/Exception.h>

#include <algorithm>

namespace certagent::plugins::nginx {

namespace {

const char* const kWorkerTitle = "nginx: worker process";
constexpr size_t kMaxProcBytes = 64 * 1024;

std::string readProc(int pid, const char* entry) {
    try {
        return readFileCapped("/proc/" + std::to_string(pid) + "/" + entry, kMaxProcBytes)
            .value_or("");
    } catch (const std::exception&) {
        return {}; // gone meanwhile, or hidden from us
    }
}

/// The parent pid of a live (not zombie) process, or 0.
int parentOf(int pid) {
    std::string stat = readProc(pid, "stat");
    size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 4 >= stat.size() || stat[close + 2] == 'Z')
        return 0;
    try {
        return std::stoi(stat.substr(close + 4));
    } catch (const std::exception&) {
        return 0;
    }
}

bool accepting(int master, int pid) {
    return parentOf(pid) == master && processTitle(pid) == kWorkerTitle;
}

} // namespace

std::string processTitle(int pid) {
    std::string title = readProc(pid, "cmdline");
    while (!title.empty() && (title.back() == '\0' || title.back() == ' '))
        title.pop_back();
    std::replace(title.begin(), title.end(), '\0', ' ');
    return title;
}

std::vector<int> acceptingWorkers(int master) {
    std::vector<int> out;
    try {
        for (Poco::DirectoryIterator it(std::string("/proc")), end; it != end; ++it) {
            const std::string& name = it.name();
            if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos ||
                name.size() > 9)
                continue;
            int pid = std::stoi(name);
            if (accepting(master, pid))
                out.push_back(pid);
        }
    } catch (const Poco::Exception&) {
        return {}; // no /proc: nothing to wait for
    }
    return out;
}

std::vector<int> stillAccepting(int master, const std::vector<int>& workers) {
    std::vector<int> out;
    for (int pid : workers)
        if (accepting(master, pid))
            out.push_back(pid);
    return out;
}

} // namespace certagent::plugins::nginx
