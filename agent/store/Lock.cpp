#include "store/Lock.h"

#include "util/Error.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <thread>
#include <unistd.h>

namespace certagent::store {

namespace {

/// The pid holding a lock on the file open as `fd`, from /proc/locks (the lock file itself is
/// never written: an idle run writes nothing); 0 if it cannot tell.
long holderPid(int fd) {
    struct stat st {};
    std::ifstream locks("/proc/locks");
    if (::fstat(fd, &st) != 0 || !locks)
        return 0;
    char want[64];
    std::snprintf(want, sizeof want, "%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev),
                  static_cast<unsigned long long>(st.st_ino));
    // "1: FLOCK  ADVISORY  WRITE 1234 08:01:123456 0 EOF"; a waiter's line has "->" after "1:".
    std::string line;
    while (std::getline(locks, line)) {
        std::istringstream fields(line);
        std::string id, kind, mode, access, file;
        long pid = 0;
        if (!(fields >> id >> kind) || kind != "FLOCK")
            continue; // another kind of lock, or a waiter ("->")
        if (fields >> mode >> access >> pid >> file && file == want && pid > 0)
            return pid;
    }
    return 0;
}

/// When process `pid` started, "2026-11-29 14:02:11 UTC" (from /proc), or "".
std::string startedAt(long pid) {
    std::ifstream statFile("/proc/" + std::to_string(pid) + "/stat");
    std::ifstream system("/proc/stat");
    std::string text, line;
    if (!std::getline(statFile, text))
        return {};
    // Field 22 (starttime, clock ticks since boot), counted after the ")" that ends field 2.
    std::size_t close = text.rfind(')');
    std::istringstream fields(close == std::string::npos ? "" : text.substr(close + 2));
    std::string field;
    unsigned long long ticks = 0;
    for (int i = 3; i <= 22 && fields >> field; ++i)
        if (i == 22)
            ticks = std::strtoull(field.c_str(), nullptr, 10);
    long long boot = 0;
    while (std::getline(system, line))
        if (line.compare(0, 6, "btime ") == 0)
            boot = std::atoll(line.c_str() + 6);
    long hz = ::sysconf(_SC_CLK_TCK);
    if (ticks == 0 || boot == 0 || hz <= 0)
        return {};
    std::time_t start = static_cast<std::time_t>(boot + static_cast<long long>(ticks / hz));
    std::tm tm{};
    ::gmtime_r(&start, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return when;
}

/// The "busy" message, naming the holder as far as /proc tells.
std::string busyMessage(int fd, const std::string& path) {
    std::string who = "another certagent";
    if (long pid = holderPid(fd)) {
        std::string started = startedAt(pid);
        who +=
            " (pid " + std::to_string(pid) + (started.empty() ? "" : ", started " + started) + ")";
    }
    return who + " holds " + path;
}

} // namespace

StoreLock::StoreLock(const std::string& path, std::chrono::milliseconds timeout,
                     std::chrono::milliseconds pollInterval)
    : m_path(path) {
    m_fd.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!m_fd.valid()) {
        throw IoError("opening lock " + path + ": " + errnoText(errno));
    }
    struct stat st {};
    if (::fstat(m_fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        throw IoError("opening lock " + path + ": not a regular file");
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (pollInterval <= std::chrono::milliseconds(0)) {
        pollInterval = std::chrono::milliseconds(10);
    }
    for (;;) {
        if (::flock(m_fd.get(), LOCK_EX | LOCK_NB) == 0) {
            break;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EWOULDBLOCK) {
            throw IoError("locking " + path + ": " + errnoText(errno));
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            throw TemporaryError(busyMessage(m_fd.get(), path));
        }
        std::this_thread::sleep_for(
            std::min<std::chrono::steady_clock::duration>(pollInterval, deadline - now));
    }
}

StoreLock::~StoreLock() {
    if (m_fd.valid()) {
        ::flock(m_fd.get(), LOCK_UN);
    }
}

} // namespace certagent::store
