#include "api/KeyCache.h"

#include "api/Replies.h"
#include "util/Error.h"
#include "util/FileIo.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent::api::detail {
namespace {

constexpr const char* kMagic = "certagent-auth-key 1";
constexpr off_t kMaxFileBytes = 4096;

std::string sha256Hex(const std::string& data) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(data);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

} // namespace

KeyCache::KeyCache(std::string path, const std::string& url, const std::string& user)
    : m_path(std::move(path)), m_binding(sha256Hex(url + "\n" + user)) {}

Secret KeyCache::load() const {
    if (m_path.empty()) {
        return {};
    }
    const UniqueFd fd(::open(m_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_uid != ::geteuid() || (st.st_mode & 077) != 0 || st.st_size > kMaxFileBytes) {
        return {};
    }
    std::string content(static_cast<std::size_t>(kMaxFileBytes), '\0');
    const ssize_t n = ::read(fd.get(), &content[0], content.size());
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
    try {
        AtomicFile file(m_path, 0600);
        const Secret content(std::string(kMagic) + "\n" + m_binding + "\n" + key.reveal() + "\n");
        file.write(content.reveal());
        file.commit();
    } catch (const IoError& e) {
        return e.what();
    }
    return {};
}

void KeyCache::remove() const {
    if (!m_path.empty()) {
        ::unlink(m_path.c_str());
    }
}

} // namespace certagent::api::detail
