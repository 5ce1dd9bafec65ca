#include "EtcdEnv.h"

#include "Processes.h"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>

namespace certagent::test {

EtcdCluster& sharedCluster() {
    static std::unique_ptr<EtcdCluster> cluster;
    if (!cluster) {
        cluster = std::make_unique<EtcdCluster>();
        atSuiteEnd([] { cluster.reset(); });
    }
    return *cluster;
}

std::string freshCluster(const std::string& test) {
    static std::atomic<int> counter{0};
    return test + "-" + std::to_string(++counter);
}

std::string freshPrefix(const std::string& test) {
    return "/certagent/v1/" + freshCluster(test) + "/";
}

cluster::EtcdSettings agentSettings(EtcdCluster& etcd, std::vector<std::string> endpoints,
                                    std::chrono::milliseconds timeout,
                                    std::vector<std::string>* logs) {
    cluster::EtcdSettings s;
    s.endpoints = endpoints.empty() ? etcd.endpoints() : std::move(endpoints);
    s.tls = etcd.agentTls();
    s.timeout = timeout;
    if (logs) {
        s.log = [logs](const std::string& line) { logs->push_back(line); };
    } else {
        s.log = [](const std::string&) {};
    }
    return s;
}

std::unique_ptr<cluster::EtcdClient> agentClient(EtcdCluster& etcd,
                                                 std::vector<std::string> endpoints,
                                                 std::chrono::milliseconds timeout) {
    return std::make_unique<cluster::EtcdClient>(
        agentSettings(etcd, std::move(endpoints), timeout));
}

bool eventually(const std::function<bool()>& f, std::chrono::seconds limit,
                std::chrono::milliseconds pause) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!f()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(pause);
    }
    return true;
}

cluster::EtcdError failureOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const cluster::EtcdError& e) {
        return e;
    }
    throw std::runtime_error("expected an EtcdError");
}

bool eventuallySucceeds(const std::function<void()>& f, std::chrono::seconds limit) {
    return eventually(
        [&] {
            try {
                f();
                return true;
            } catch (const cluster::EtcdError& e) {
                if (!e.retryable()) {
                    throw;
                }
                return false;
            }
        },
        limit, std::chrono::milliseconds(500));
}

} // namespace certagent::test
