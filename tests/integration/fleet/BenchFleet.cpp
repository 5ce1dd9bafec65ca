// scripts/bench-fleet's measurement (doc/benchmarks.md, "Fleet"): a real fleet (3-member TLS
// etcd, N hosts with their own nginx behind a round-robin balancer, the sandbox validating
// through it) orders one certificate; once every host placed its validation file, the sandbox
// order is made active at a known instant and every host keeps running back to back (the
// first host `run`, the others `sync`, each in parallel) until each serves the new leaf.
// Prints, per round, the seconds from activation to each host's probe first seeing the new leaf
// and to the last one; then the etcd requests of an idle `run` and `sync` on each host.
// Not a test: it asserts nothing about time; it exits 1 only when the fleet does not converge.
#include "FleetEnv.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <regex>
#include <sys/wait.h>
#include <thread>

using namespace certagent::test;
using Clock = std::chrono::steady_clock;

namespace {

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// The order id `status --json` shows for the certificate on `host`.
std::string orderIdOn(FleetHost& host) {
    auto out = host.agent({"--json", "status"});
    std::smatch m;
    if (!std::regex_search(out.output, m, std::regex("\"order_id\" *: *\"?([0-9]+)")))
        throw std::runtime_error(host.name() + ": no order id in status --json:\n" + out.output);
    return m[1];
}

void must(const CommandOutput& out, const std::string& what) {
    if (out.exitCode != 0)
        throw std::runtime_error(what + " exited " + std::to_string(out.exitCode) + ":\n" +
                                 out.output);
}

/// Every host runs back to back in parallel (host 0 `run`, the others `sync`) until its probe
/// sees a leaf other than `old`; returns the seconds from `t0` at which each host first did.
std::vector<double> untilServed(FleetEnv& env, const std::string& old, Clock::time_point t0,
                                double limitSeconds) {
    const std::size_t n = env.size();
    std::vector<double> at(n, -1);
    std::vector<int> pids(n, -1);
    auto start = [&](std::size_t i) { pids[i] = env.host(i).spawn({i == 0 ? "run" : "sync"}, {}); };
    for (std::size_t i = 0; i < n; ++i)
        start(i);
    std::size_t running = n;
    while (running > 0) {
        int status = 0;
        const int pid = ::waitpid(-1, &status, 0);
        if (pid < 0)
            throw std::runtime_error("waitpid failed");
        auto it = std::find(pids.begin(), pids.end(), pid);
        if (it == pids.end())
            continue; // not one of the hosts' runs
        const auto i = static_cast<std::size_t>(it - pids.begin());
        const std::string served = env.host(i).served();
        if (!served.empty() && served != old) {
            at[i] = secondsSince(t0);
            pids[i] = -1;
            --running;
        } else if (secondsSince(t0) > limitSeconds) {
            throw std::runtime_error(env.host(i).name() + " still not serving the new leaf:\n" +
                                     env.host(i).spawnedOutput());
        } else {
            start(i);
        }
    }
    return at;
}

/// One issuance through the fleet: ordered and validated, then activated at the CA; returns
/// the seconds from activation to each host serving it.
std::vector<double> issuance(FleetEnv& env, bool first) {
    must(env.host(0).agent(first ? std::vector<std::string>{"run"}
                                 : std::vector<std::string>{"run", "--force"}),
         "web-1 ordering");
    for (std::size_t i = 1; i < env.size(); ++i)
        must(env.host(i).agent({"sync"}), env.host(i).name() + " placing its file");
    must(env.host(0).agent({"run"}), "web-1 asking the CA to validate");
    const std::string old = env.host(0).served();
    const std::string id = orderIdOn(env.host(0));
    const auto t0 = Clock::now();
    env.sandbox().advance(id, "active"); // the CA issues now
    return untilServed(env, old, t0, 300);
}

long requestsOf(FleetEnv& env, FleetHost& host, const std::string& command) {
    const long before = env.etcdRequests();
    must(host.agent({command}), host.name() + " idle " + command);
    return env.etcdRequests() - before;
}

} // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
    try {
        FleetOptions options;
        options.issueDelaySeconds = 86400; // never on its own: the bench activates the order
        FleetEnv env(options);
        for (std::size_t i = 0; i < env.size(); ++i)
            must(env.host(i).agent({"cluster", "status"}), env.host(i).name() + " joining");
        std::vector<double> last;
        for (int r = 0; r < rounds; ++r) {
            std::vector<double> at = issuance(env, r == 0);
            std::printf("round %d: activation -> serving:", r + 1);
            for (std::size_t i = 0; i < at.size(); ++i)
                std::printf(" %s %.2f s", env.host(i).name().c_str(), at[i]);
            last.push_back(*std::max_element(at.begin(), at.end()));
            std::printf("; all %zu hosts %.2f s\n", at.size(), last.back());
            std::fflush(stdout);
        }
        std::sort(last.begin(), last.end());
        std::printf("activation at the CA -> all %zu hosts serving: median %.2f s, min %.2f s, "
                    "max %.2f s over %d issuances (hosts running back to back)\n",
                    env.size(), last[last.size() / 2], last.front(), last.back(), rounds);
        for (const char* command : {"run", "sync"}) {
            std::printf("etcd requests per idle %s:", command);
            for (std::size_t i = 0; i < env.size(); ++i)
                std::printf(" %s %ld", env.host(i).name().c_str(),
                            requestsOf(env, env.host(i), command));
            std::printf("\n");
        }
    } catch (const std::exception& e) {
        std::cerr << "bench-fleet: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
