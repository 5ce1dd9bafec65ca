#pragma once

// Steps and checks the fleet test files share (Boost.Test assertions inside).

#include "FleetEnv.h"

#include <Poco/JSON/Object.h>

#include <string>

namespace certagent::test {

/// Every host joins (a heartbeat), so the DCV barrier waits for each of them.
void joinAll(FleetEnv& env);

/// `cluster status --json` of `host`.
Poco::JSON::Object::Ptr statusJson(FleetHost& host);

/// etcd holds no private key in clear and no GoGetSSL password.
void checkNoSecretsInEtcd(FleetEnv& env);

/// web-1 runs with CERTAGENT_FAULT=<point>:kill until it dies there (the others `sync` between its
/// runs: they place and ack, never order, so web-1 stays the one ordering); after its lease ended
/// the others go on, then web-1 comes back. Asserts one order (addSSLOrder at the sandbox, one
/// newOrder at pebble) and the same leaf on every host; returns every run's output.
std::string killedAt(FleetEnv& env, const std::string& point);

} // namespace certagent::test
