#pragma once

// Drives the ACME client through whole orders against a PebbleProcess, the way a backend will:
// one protocol step at a time, placing http-01 files in a webroot or dns-01 TXT values on
// pebble-challtestsrv.

#include "PebbleProcess.h"
#include "acme/AcmeClient.h"
#include "acme/Orders.h"
#include "crypto/Gate.h"

#include <memory>
#include <string>
#include <vector>

namespace certagent::acme::test {

/// One issued certificate with the key it was issued for.
struct Issued {
    Order order;
    std::vector<Chain> chains;
    crypto::EvpPkeyPtr key;
    std::vector<std::string> names;
};

class PebbleDriver {
  public:
    explicit PebbleDriver(certagent::test::PebbleProcess& pebble) : m_pebble(pebble) {}

    /// A client for the pebble directory with a fresh P-256 account key (or `key`).
    std::unique_ptr<AcmeClient> client();
    std::unique_ptr<AcmeClient> client(AccountKey key);
    /// A new account (terms agreed, one contact).
    AccountFacts newAccount(AcmeClient& client);

    /// Orders `names`, answers `type` challenges ("http-01": files below `webroot`; "dns-01": TXT
    /// values on challtestsrv, all in place before any is answered), finalizes with a fresh
    /// P-256 key and downloads every chain. BOOST-fails on an invalid order.
    Issued issue(AcmeClient& client, const std::vector<std::string>& names, const std::string& type,
                 const std::string& webroot = {});

    /// Runs chain `i` of `issued` through the verification gate against `rootPath`.
    crypto::VerifiedCert verify(const Issued& issued, std::size_t i, const std::string& rootPath);

    std::vector<std::string> logs;

  private:
    Order waitWhile(AcmeClient& client, const Order& order, const Names& names,
                    const std::string& status);

    certagent::test::PebbleProcess& m_pebble;
};

} // namespace certagent::acme::test
