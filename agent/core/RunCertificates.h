#pragma once

#include "core/RunContext.h"
#include "store/Index.h"

#include <string>
#include <vector>

namespace certagent::core {

/// One certificate of a run: read already, or (`config` null) only named, because the store's
/// index vouched for its unchanged file at load; it is read when the run needs more than the fast
/// path (config::loadCertFile).
struct RunCert {
    const std::string* name = nullptr;
    const config::CertConfig* config = nullptr;
};

/// Every certificate of `config`, read or deferred, in name order (pointers into `config`).
std::vector<RunCert> runList(const config::Config& config);

/// `run`, `issue`, `install` over `certs` (name order; the caller holds the store lock): batch-
/// polls pending orders first (cron mode), then each certificate either takes the fast path of
/// IdleCheck.h (nothing to do: stat(2) and the index's facts) or runs one step in full (an Error
/// for one certificate is logged and recorded as its last error; the others still run); then
/// rewrites the metrics textfile and, if anything changed, the index (`index`: the one read at
/// load; null: read here). `allCerts`: `certs` are every configured certificate (entries of
/// others are dropped). Returns the most severe exit code.
int runCertificates(RunContext& ctx, const std::vector<RunCert>& certs, const RunOptions& options,
                    store::Index* index = nullptr, bool allCerts = false);

/// The same over configurations read already.
int runCertificates(RunContext& ctx, const std::vector<const config::CertConfig*>& certs,
                    const RunOptions& options);

} // namespace certagent::core
