// Fuzz target gate: crt_code and ca_code (input split at a "%%" line) through verifyIssued with
// the fixed key, names and trust anchor of GateFixture.h at a fixed time; then the same texts as
// live files through inspectLive (a third part, if present, replaces privkey.pem). Refusals are
// GateError; inspectLive never throws one.

#include "FuzzTargets.h"
#include "GateFixture.h"
#include "crypto/Gate.h"
#include "crypto/Keys.h"
#include "crypto/Pem.h"

namespace certagent::fuzz {
namespace {

/// 2030-01-01T00:00:00Z: inside the fixture's validity, independent of the clock.
const auto kNow = std::chrono::system_clock::from_time_t(1893456000);

const EVP_PKEY& localKey() {
    static const crypto::EvpPkeyPtr key = crypto::privateKeyFromPem(kGateLeafKeyPem, "fixture");
    return *key;
}

const std::vector<std::string> kNames{"example.com", "www.example.com"};

void verifyOrder(const std::string& crt, const std::string& ca, const std::string& trust) {
    crypto::GateInput in;
    in.crtCode = crt;
    in.caCode = ca;
    in.localKey = &localKey();
    in.names = kNames;
    in.trustCaFile = trust;
    in.now = kNow;
    in.context = "order 1840217";
    try {
        const crypto::VerifiedCert v = crypto::verifyIssued(in);
        requireThat(v.leaf != nullptr, "verified leaf present");
        requireThat(v.fullchainPem == v.certPem + v.chainPem, "fullchain = cert + chain");
        requireThat(v.chain.size() <= crypto::kMaxBundleCerts, "chain within bundle cap");
    } catch (const crypto::GateError&) {
    }
}

void inspect(const std::string& crt, const std::string& ca, const std::string& key,
             const std::string& trust) {
    crypto::LiveFiles files;
    files.certPem = crt;
    files.chainPem = ca;
    files.keyPem = key;
    files.names = kNames;
    files.trustCaFile = trust;
    files.now = kNow;
    files.context = "live/shop";
    const crypto::LiveCheck check = crypto::inspectLive(files);
    requireThat(check.ok || !check.message.empty(), "a failed live check says why");
    requireThat(check.message.find('\n') == std::string::npos, "live check message is one line");
}

} // namespace

void gate(std::string_view input) {
    const std::vector<std::string> parts = splitParts(input, 3);
    const std::string crt = parts[0];
    const std::string ca = parts.size() > 1 ? parts[1] : std::string();
    const std::string trust = writeScratch("gate-root.pem", kGateRootPem);
    verifyOrder(crt, ca, trust);
    inspect(crt, ca, parts.size() > 2 ? parts[2] : std::string(kGateLeafKeyPem), trust);
}

} // namespace certagent::fuzz
