#pragma once

// Small helpers shared by the run loop and the commands built on it.

#include "config/Config.h"
#include "crypto/Gate.h"
#include "store/Store.h"

#include <Poco/Logger.h>

#include <array>
#include <cstdint>
#include <ctime>
#include <string>

namespace certagent::core {

/// The "certagent" logger every run line goes to.
Poco::Logger& logger();

/// Runs the gate over the live files of `cert` (inspectLive) and checks that fullchain.pem, the
/// file web servers read, is cert.pem followed by chain.pem. A missing file is a failed check.
/// `content` (may be null) receives the digest of the four texts the verdict was made on.
crypto::LiveCheck inspectLiveFiles(const store::Store& store, const config::Config& config,
                                   const config::CertConfig& cert, std::time_t now,
                                   std::array<std::uint8_t, 16>* content = nullptr);

/// pending/NAME/request.csr: the CSR of the pending key (written by ordering and `csr`).
std::string pendingCsrPath(const store::Store& store, const std::string& name);

} // namespace certagent::core
