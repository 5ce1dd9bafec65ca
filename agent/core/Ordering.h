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
    /// time (the backend may refuse when the clocks disagree). Returns the exit code.
    int start(const RunOptions& options, const std::string& reason, bool expiryBased);

  private:
    int placeOrder(const RunOptions& options, const Plan& plan);
    int followOrder(const RunOptions& options, const Plan& plan);

    CertJob& m_job;
};

} // namespace certagent::core
