#include "store/Lock.h"

#include "util/Error.h"

#include <cerrno>
#include <ctime>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace certagent::store {

namespace {

/// "pid 1234\nstarted 2026-11-29 14:02:11 UTC\n"
std::string holderText() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    return "pid " + std::to_string(::getpid()) + "\nstarted " + when + " UTC\n";
}

/// The value after `key` on its own line of `text`, if every character passes `allowed`.
template <typename Pred>
std::string field(const std::string& text, const std::string& key, Pred allowed) {
    const size_t at = text.find(key);
    if (at == std::string::npos || (at != 0 && text[at - 1] != '\n')) {
        return {};
    }
    const size_t start = at + key.size();
    const size_t end = text.find('\n', start);
    if (end == std::string::npos || end == start || end - start > 40) {
        return {};
    }
    const std::string value = text.substr(start, end - start);
    for (char c : value) {
        if (!allowed(c)) {
            return {};
        }
    }
    return value;
}

/// The "busy" message, naming the holder as far as its lock file tells.
std::string busyMessage(int fd, const std::string& path) {
    char buf[256];
    ssize_t n = ::pread(fd, buf, sizeof buf, 0);
    const std::string text = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
    const std::string pid = field(text, "pid ", [](char c) { return c >= '0' && c <= '9'; });
    const std::string started = field(text, "started ", [](char c) {
        return (c >= '0' && c <= '9') || c == '-' || c == ':' || c == ' ' || c == 'U' || c == 'T' ||
               c == 'C';
    });
    std::string who = "another certagent";
    if (!pid.empty()) {
        who += " (pid " + pid + (started.empty() ? "" : ", started " + started) + ")";
    }
    return who + " holds " + path;
}

void writeHolder(int fd, const std::string& path) {
    const std::string text = holderText();
    if (::ftruncate(fd, 0) != 0) {
        throw IoError("writing " + path + ": " + errnoText(errno));
    }
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            throw IoError("writing " + path + ": " + errnoText(n < 0 ? errno : EIO));
        }
        done += static_cast<size_t>(n);
    }
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
    try {
        writeHolder(m_fd.get(), path);
    } catch (...) {
        ::flock(m_fd.get(), LOCK_UN);
        throw;
    }
}

StoreLock::~StoreLock() {
    if (m_fd.valid()) {
        // Clear the holder line before unlocking, so nobody ever names a finished run.
        if (::ftruncate(m_fd.get(), 0) != 0) {
            // nothing useful to do in a destructor
        }
        ::flock(m_fd.get(), LOCK_UN);
    }
}

} // namespace certagent::store
