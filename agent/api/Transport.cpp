#include "api/Transport.h"

#include <strings.h>
#include <thread>

namespace certagent::api {
namespace {

class SystemClock : public Clock {
  public:
    std::chrono::steady_clock::time_point now() override {
        return std::chrono::steady_clock::now();
    }
    void sleepFor(std::chrono::milliseconds duration) override {
        std::this_thread::sleep_for(duration);
    }
};

} // namespace

std::string HttpResponse::header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
        if (::strcasecmp(k.c_str(), name.c_str()) == 0) {
            return v;
        }
    }
    return {};
}

std::vector<std::string> HttpResponse::headerValues(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : headers) {
        if (::strcasecmp(k.c_str(), name.c_str()) == 0) {
            out.push_back(v);
        }
    }
    return out;
}

Clock& systemClock() {
    static SystemClock clock;
    return clock;
}

} // namespace certagent::api
