#pragma once

#include "Api.h"
#include "Authority.h"
#include "Config.h"
#include "Faults.h"
#include "Store.h"

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <mutex>
#include <string>
#include <vector>

namespace certagent::sandbox {

/// Everything a request handler needs; one per process.
struct SandboxState {
    explicit SandboxState(const Config& c)
        : config(c), authority(c.dataDir), store(c.dataDir), api(config, store, authority, faults) {
    }
    Config config;
    Authority authority;
    Store store;
    Faults faults;
    Api api;
    std::mutex mutex; ///< guards store, api and calls
    std::vector<std::string> calls;
};

/// Routes /api/... to Api (with auth, faults and PHP-style JSON) and /admin/... to the test
/// controls. Logs one line per request to stderr, never credentials or keys.
class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit HandlerFactory(SandboxState& state) : m_state(state) {}
    Poco::Net::HTTPRequestHandler*
    createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

  private:
    SandboxState& m_state;
};

/// PHP json_encode style: Poco's stringify with "/" escaped as "\/".
std::string phpJson(const Poco::Dynamic::Var& value);

} // namespace certagent::sandbox
