#pragma once

namespace certagent {

/// A named crash/fault injection point, live only in test builds (CERTAGENT_FAULT_POINTS).
/// The environment variable CERTAGENT_FAULT="point:action[,point:action...]" selects points:
///   kill   → SIGKILL this process at that point
///   exit   → _exit(86) at that point
///   enospc → returns ENOSPC (the caller fails as if the disk were full)
///   eio    → returns EIO
/// Returns 0 when nothing is injected (always 0 in release builds). Never throws.
int faultPoint(const char* name);

} // namespace certagent
