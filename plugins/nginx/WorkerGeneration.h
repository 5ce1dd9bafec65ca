#pragma once

// When a reload has really taken effect.
//
// On SIGHUP the nginx master reads the new configuration, starts a new generation of workers,
// sleeps 100 ms and only then tells the old workers to quit gracefully. Until an old worker has
// handled that, it keeps accepting on the shared listen sockets and hands out the old
// certificate — so one handshake showing the new leaf proves nothing about the next connection.
//
// Choice: after a reload, wait (bounded by the probe time) until every worker that was accepting
// before the reload has either exited or retitled itself "nginx: worker process is shutting
// down". nginx sets that title in the same step in which it closes its listening sockets, without
// returning to its event loop in between, so from then on it takes no new connection (it only
// finishes the ones it has, which may take long with downloads or websockets — waiting for the
// exit would wait for those). This is exact and cheap (a /proc scan). The alternative, "the new
// leaf on N consecutive fresh connections", is only probabilistic: an idle old worker is first
// in the kernel's accept queue and wins the next connection whatever the last N saw.

#include <string>
#include <vector>

namespace certagent::plugins::nginx {

/// The title of process `pid` (/proc/PID/cmdline with the NULs nginx pads it with removed), or
/// "" when it cannot be read.
std::string processTitle(int pid);

/// The children of nginx master `master` that accept connections now: alive, titled exactly
/// "nginx: worker process". Empty when /proc cannot be read.
std::vector<int> acceptingWorkers(int master);

/// Of `workers` (from acceptingWorkers() before a reload), those still accepting.
std::vector<int> stillAccepting(int master, const std::vector<int>& workers);

} // namespace certagent::plugins::nginx
