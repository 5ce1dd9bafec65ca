#pragma once

#include <string>

namespace certagent::sandbox {

/// The sandbox command line (ARCHITECTURE.md, "The sandbox").
struct Config {
    std::string listenHost = "127.0.0.1";
    int listenPort = 0;
    std::string dataDir;
    std::string user;
    std::string pass;
    std::string dcvHost; ///< empty = no --dcv-connect
    int dcvPort = 0;
    /// --dcv-fetches N: fetch each http DCV file N times (a CA's vantage points; behind a
    /// round-robin balancer every backend must serve it)
    int dcvFetches = 1;
    bool autoValidate = false;
    long issueDelaySeconds = 0;
    long validityDays = 90;
};

} // namespace certagent::sandbox
