#include "acme/Nonces.h"

#include <algorithm>

namespace certagent::acme {

bool NoncePool::valid(const std::string& nonce) {
    return !nonce.empty() && nonce.size() <= kMaxLength &&
           std::all_of(nonce.begin(), nonce.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
           });
}

void NoncePool::take(const api::HttpResponse& reply) {
    const std::string nonce = reply.header("Replay-Nonce");
    if (!valid(nonce)) {
        return;
    }
    if (m_nonces.size() == kMaxKept) {
        m_nonces.erase(m_nonces.begin());
    }
    m_nonces.push_back(nonce);
}

std::optional<std::string> NoncePool::pop() {
    if (m_nonces.empty()) {
        return std::nullopt;
    }
    std::string out = std::move(m_nonces.back());
    m_nonces.pop_back();
    return out;
}

} // namespace certagent::acme
