#pragma once

#include "core/RunContext.h"

#include <vector>

namespace certagent::core {

/// `run`, `issue`, `install` over `certs` (the caller holds the store lock): batch-polls pending
/// orders first (cron mode), runs each certificate one step (an Error for one certificate is
/// logged and recorded as its last error; the others still run), then rewrites the metrics
/// textfile. Returns the most severe exit code.
int runCertificates(RunContext& ctx, const std::vector<const config::CertConfig*>& certs,
                    const RunOptions& options);

} // namespace certagent::core
