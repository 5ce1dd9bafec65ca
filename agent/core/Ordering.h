#pragma once

#include "core/CertJob.h"

#include <string>

namespace certagent::core {

/// The "due → ordering → validating" steps: the backend's plan, the key and CSR made on this host
/// (before anything is sent), the order, and the first validation placement.
class Ordering {
  public:
    explicit Ordering(CertJob& job) : m_job(job) {}

    /// Orders for a due certificate (`reason` is logged). `expiryBased`: due only because of
    /// time (the backend may refuse when the clocks disagree). `keepKey`: send the pending key's
    /// CSR again (an interrupted order that never reached the CA) instead of a new key. Returns
    /// the exit code.
    int start(const RunOptions& options, const std::string& reason, bool expiryBased,
              bool keepKey = false);

  private:
    int placeOrder(const RunOptions& options, const Plan& plan, bool keepKey);
    int followOrder(const RunOptions& options, const Plan& plan);

    CertJob& m_job;
};

} // namespace certagent::core
