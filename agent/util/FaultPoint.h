#pragma once

namespace certagent {

/// A named crash/fault injection point, live only in test builds (CERTAGENT_FAULT_POINTS).
/// The environment variable CERTAGENT_FAULT="point:action[,point:action...]" selects points:
///   kill   → SIGKILL this process at that point
///   exit   → _exit(86) at that point
///   stop   → SIGSTOP this process at that point (it goes on there after SIGCONT)
///   enospc → returns ENOSPC (the caller fails as if the disk were full)
///   eio    → returns EIO
/// Named points beyond the store's: cluster.after-lock, cluster.after-intent, order.after-send
/// (the CA accepted, nothing recorded), cluster.after-order-recorded, cluster.after-publish,
/// cluster.mid-deploy (live switched, server not reloaded).
/// Returns 0 when nothing is injected (always 0 in release builds). Never throws.
int faultPoint(const char* name);

} // namespace certagent
