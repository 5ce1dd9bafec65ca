#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace certagent::sandbox {

/// Scriptable faults (POST /admin/fault). A fault with an order id applies only to requests
/// about that order; without one it applies to every request. count < 0 = unlimited.
class Faults {
  public:
    void add(const std::string& name, const std::string& orderId, int count,
             const std::string& value);
    void clear();
    /// Consumes one use of a matching fault (order-specific first) and returns its value, or
    /// nullopt when none is armed.
    std::optional<std::string> take(const std::string& name, const std::string& orderId);
    /// take() of a fault whose value `accept` approves (e.g. one aimed at one API method).
    std::optional<std::string> takeIf(const std::string& name, const std::string& orderId,
                                      const std::function<bool(const std::string&)>& accept);

  private:
    struct Fault {
        std::string name;
        std::string orderId;
        int remaining;
        std::string value;
    };
    std::mutex m_mutex;
    std::vector<Fault> m_faults;
};

} // namespace certagent::sandbox
