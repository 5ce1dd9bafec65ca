#include "Faults.h"

namespace certagent::sandbox {

void Faults::add(const std::string& name, const std::string& orderId, int count,
                 const std::string& value) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_faults.push_back({name, orderId, count, value});
}

void Faults::clear() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_faults.clear();
}

std::optional<std::string> Faults::take(const std::string& name, const std::string& orderId) {
    return takeIf(name, orderId, [](const std::string&) { return true; });
}

std::optional<std::string> Faults::takeIf(const std::string& name, const std::string& orderId,
                                          const std::function<bool(const std::string&)>& accept) {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (int pass = 0; pass < 2; ++pass) {
        for (auto it = m_faults.begin(); it != m_faults.end(); ++it) {
            bool match = it->name == name && (pass == 0 ? !orderId.empty() && it->orderId == orderId
                                                        : it->orderId.empty());
            if (!match || it->remaining == 0 || !accept(it->value))
                continue;
            std::string value = it->value;
            if (it->remaining > 0 && --it->remaining == 0)
                m_faults.erase(it);
            return value;
        }
    }
    return std::nullopt;
}

} // namespace certagent::sandbox
