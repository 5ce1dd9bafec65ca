#include "util/Secret.h"

#include <openssl/crypto.h>

namespace certagent {

void wipe(std::string& s) noexcept {
    // Cover the whole buffer, including bytes past size() left behind by earlier shrinking.
    s.resize(s.capacity());
    if (!s.empty()) {
        OPENSSL_cleanse(&s[0], s.size());
    }
    s.clear();
}

Secret::Secret(std::string&& value) : m_value(value) {
    wipe(value);
}

Secret::Secret(std::string_view value) : m_value(value) {}

Secret::Secret(Secret&& other) noexcept {
    m_value.swap(other.m_value);
    wipe(other.m_value);
}

Secret& Secret::operator=(Secret&& other) noexcept {
    if (this != &other) {
        wipe(m_value);
        m_value.swap(other.m_value);
        wipe(other.m_value);
    }
    return *this;
}

Secret::~Secret() {
    wipe(m_value);
}

} // namespace certagent
