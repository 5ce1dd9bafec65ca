#pragma once

// Shared pieces of the etcd integration tests: one lazily started cluster for the tests that do
// not harm it (each test under its own key prefix), clients over the real HTTPS transport, and
// bounded waiting for what etcd does on its own schedule (lease expiry, elections).

#include "EtcdCluster.h"
#include "cluster/EtcdClient.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace certagent::test {

/// A 3-member cluster started on first use and stopped at exit; tests must not kill members.
EtcdCluster& sharedCluster();

/// A fresh cluster name for one test ("<test>-<n>").
std::string freshCluster(const std::string& test);
/// Its key prefix: "/certagent/v1/<test>-<n>/".
std::string freshPrefix(const std::string& test);

/// Settings for an agent of `cluster`: its CA, the no-CN client certificate, `endpoints`
/// (default: all), the given per-request timeout; log lines go to `logs` if given.
cluster::EtcdSettings agentSettings(EtcdCluster& cluster, std::vector<std::string> endpoints = {},
                                    std::chrono::milliseconds timeout = std::chrono::seconds(5),
                                    std::vector<std::string>* logs = nullptr);

std::unique_ptr<cluster::EtcdClient>
agentClient(EtcdCluster& cluster, std::vector<std::string> endpoints = {},
            std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// Calls `f` until it returns true, sleeping `pause` in between, at most `limit` long. Returns
/// whether it did. Used for things etcd does on its own schedule, never to measure time.
bool eventually(const std::function<bool()>& f, std::chrono::seconds limit,
                std::chrono::milliseconds pause = std::chrono::milliseconds(200));

/// The EtcdError `f` throws; throws std::runtime_error when it throws none.
cluster::EtcdError failureOf(const std::function<void()>& f);

/// Like eventually(), for a call that may throw a retryable EtcdError meanwhile (an election).
bool eventuallySucceeds(const std::function<void()>& f, std::chrono::seconds limit);

} // namespace certagent::test
