#pragma once

// The commands besides `run` that act on one certificate: they use the same steps as the run
// loop (installer, deploy, hooks, key and CSR) so the cli only parses and prints.

#include "core/RunContext.h"

#include <string>

namespace certagent::core {

/// `certagent rollback NAME`: the previous version becomes live again and is deployed (config
/// test, reload, probe; back to the current version if that fails), then the deploy hooks run.
/// Returns the exit code (0, 4 hook failed, 5, 6). Throws RefusedError when nothing is live or
/// there is no previous version, ConfigError/IoError as the store and installer do.
int rollbackCertificate(RunContext& ctx, const config::CertConfig& cert);

/// `certagent verify NAME`: the live files through the gate, then (with an installer) whether
/// every listener serves the live leaf. Returns 0, 4 (fails) or 2 (configuration). Logs one line
/// per finding.
int verifyCertificate(RunContext& ctx, const config::CertConfig& cert);

/// `certagent csr NAME`: a new pending key and its CSR (for ordering by hand). Refuses
/// (RefusedError) while an order is in progress with the pending key. Returns the CSR (PEM).
std::string newPendingCsr(RunContext& ctx, const config::CertConfig& cert);

/// `certagent hooks test NAME`: the deploy hooks against the live version. Returns 0 or 4.
/// Throws RefusedError when nothing is live.
int testHooks(RunContext& ctx, const config::CertConfig& cert);

} // namespace certagent::core
