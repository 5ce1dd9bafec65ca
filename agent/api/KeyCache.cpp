#include "api/KeyCache.h"

#include "api/Replies.h"
#include "util/Error.h"

#include <Poco/SHA2Engine.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent::api::detail {
namespace {

constexpr const char* kMagic = "certagent-auth-key 1";
constexpr off_t kMaxFileBytes = 4096;

std::string sha256Hex(const std::string& data) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(data);
    return Poco::DigestEngine::digestToHex(sha.digest());
}

/// Closes the descriptor on scope exit.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

bool writeAll(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

} // namespace

KeyCache::KeyCache(std::string path, const std::string& url, const std::string& user)
    : m_path(std::move(path)), m_binding(sha256Hex(url + "\n" + user)) {}

Secret KeyCache::load() const {
    if (m_path.empty()) {
        return {};
    }
    Fd f{::open(m_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)};
    struct stat st {};
    if (f.fd < 0 || ::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
        (st.st_mode & 077) != 0 || st.st_size > kMaxFileBytes) {
        return {};
    }
    std::string content(static_cast<std::size_t>(kMaxFileBytes), '\0');
    const ssize_t n = ::read(f.fd, &content[0], content.size());
    Secret holder(std::move(content)); // wiped whatever happens
    if (n <= 0) {
        return {};
    }
    const std::string& text = holder.reveal();
    const std::string expectHead = std::string(kMagic) + "\n" + m_binding + "\n";
    const std::size_t end = static_cast<std::size_t>(n);
    if (m_binding.empty() || text.compare(0, expectHead.size(), expectHead) != 0 ||
        end <= expectHead.size() || text[end - 1] != '\n') {
        return {};
    }
    Secret key(std::string_view(text).substr(expectHead.size(), end - 1 - expectHead.size()));
    return isUsableKey(key.reveal()) ? std::move(key) : Secret();
}

std::string KeyCache::store(const Secret& key) const {
    if (m_path.empty()) {
        return {};
    }
    static std::atomic<unsigned> counter{0};
    const std::string tmp =
        m_path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
    Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)};
    if (f.fd < 0) {
        return "creating " + tmp + ": " + errnoText(errno);
    }
    Secret content(std::string(kMagic) + "\n" + m_binding + "\n" + key.reveal() + "\n");
    const bool ok =
        ::fchmod(f.fd, 0600) == 0 && writeAll(f.fd, content.reveal()) && ::fsync(f.fd) == 0;
    const int err = errno;
    if (!ok || ::close(f.fd) != 0) {
        f.fd = -1;
        ::unlink(tmp.c_str());
        return "writing " + tmp + ": " + errnoText(ok ? errno : err);
    }
    f.fd = -1;
    if (::rename(tmp.c_str(), m_path.c_str()) != 0) {
        const int renameErr = errno;
        ::unlink(tmp.c_str());
        return "renaming " + tmp + ": " + errnoText(renameErr);
    }
    return {};
}

void KeyCache::remove() const {
    if (!m_path.empty()) {
        ::unlink(m_path.c_str());
    }
}

} // namespace certagent::api::detail
