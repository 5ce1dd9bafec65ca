#pragma once

// A complete ACME setup for end-to-end tests of the real binary: the real pebble (optionally
// behind the ARI shim), a private nginx serving the web root on pebble's validation port (and,
// when asked, a TLS site for the nginx installer), a config directory with certagent.conf
// ([ca] backend = acme) and certs.d, a store.

#include "AriShim.h"
#include "NginxProcess.h"
#include "PebbleProcess.h"
#include "TestEnv.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace certagent::test {

struct AcmeEnvOptions {
    PebbleOptions pebble;
    bool ariShim = false; ///< the agent talks to pebble through an AriShim
    bool tlsSite = false; ///< nginx also serves shop.example.test + www on a TLS port
};

class AcmeEnv {
  public:
    explicit AcmeEnv(AcmeEnvOptions options = {});

    /// Writes certagent.conf ([ca] backend = acme, [acme] for pebble or the shim, [trust] =
    /// pebble's root 0 unless `extraMain` has its own [trust]) with `extraMain` appended.
    void configure(const std::string& extraMain = "");
    /// Writes certs.d/NAME.conf.
    void cert(const std::string& name, const std::string& text) const;
    /// A certificate file for `names`, http-01 into webroot() (plus `extra` lines).
    std::string httpCert(const std::vector<std::string>& names,
                         const std::string& extra = "") const;

    /// Runs the real certagent with --config and `args` (and extra environment "K=V").
    CommandOutput agent(const std::vector<std::string>& args,
                        const std::vector<std::string>& env = {}) const;
    /// state/NAME.json as flat strings (arrays as their length).
    std::map<std::string, std::string> state(const std::string& name = "shop") const;
    /// Rewrites state/NAME.json without `key` (a test's stand-in for time passing).
    void dropStateKey(const std::string& key, const std::string& name = "shop") const;
    /// live/NAME/cert.pem ("" if none).
    std::string liveCert(const std::string& name = "shop") const;
    /// Files below <webroot>/.well-known/acme-challenge.
    std::vector<std::string> challengeFiles() const;
    /// Every file below the store's acme/ directory, with its mode ("path 0600").
    std::vector<std::string> accountFiles() const;

    PebbleProcess& pebble() { return *m_pebble; }
    AriShim& shim() { return *m_shim; }
    NginxProcess& nginx() { return m_nginx; }
    int tlsPort() const { return m_tlsPort; }
    std::string etc() const { return m_dir / "etc"; }
    std::string store() const { return m_dir / "store"; }
    std::string webroot() const { return m_dir / "www"; }
    const TempDir& dir() const { return m_dir; }

  private:
    TempDir m_dir;
    NginxProcess m_nginx;
    int m_httpPort = 0;
    int m_tlsPort = 0;
    std::unique_ptr<PebbleProcess> m_pebble;
    std::unique_ptr<AriShim> m_shim;
};

/// The names in directory `dir` (none when it does not exist).
std::vector<std::string> entriesOf(const std::string& dir);

/// `text` holds `needle` (for BOOST_TEST with the text as message).
bool contains(const std::string& text, const std::string& needle);

} // namespace certagent::test
