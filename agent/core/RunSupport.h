#pragma once

// Small helpers shared by the CertRunner source files (not a public interface).

#include "api/Types.h"
#include "config/Config.h"
#include "crypto/Gate.h"
#include "store/Store.h"

#include <Poco/Logger.h>

#include <ctime>
#include <string>

namespace certagent::core {

/// The "certagent" logger every run line goes to.
Poco::Logger& logger();

/// Runs the gate over the live files of `cert` (inspectLive). A missing file is a failed check.
crypto::LiveCheck inspectLiveFiles(const store::Store& store, const config::Config& config,
                                   const config::CertConfig& cert, std::time_t now);

/// pending/NAME/request.csr: the CSR of the pending key (written by ordering and `csr`).
std::string pendingCsrPath(const store::Store& store, const std::string& name);

/// True for the order statuses after which nothing more will happen.
bool isTerminalStatus(const std::string& status);

/// A date as seconds since the epoch (00:00 UTC).
std::time_t dateToTime(const api::Date& date);

} // namespace certagent::core
