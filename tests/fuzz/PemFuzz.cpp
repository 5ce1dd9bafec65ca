// Fuzz target pem_intake: one text through the three PEM intake functions. Refusals are GateError
// (BadPem); whatever is accepted must re-encode and parse again to the same certificate.

#include "FuzzTargets.h"
#include "crypto/Pem.h"

#include <openssl/x509.h>

namespace certagent::fuzz {
namespace {

/// An accepted certificate re-encodes to PEM that the strict intake takes back unchanged.
void roundTrip(const X509& cert) {
    const std::string pem = crypto::certToPem(cert);
    const crypto::X509Ptr again = crypto::parseSingleCert(pem, "re-encoded");
    requireThat(X509_cmp(&cert, again.get()) == 0, "re-encoded certificate parses to itself");
    requireThat(crypto::certToDer(cert) == crypto::certToDer(*again), "DER stable");
}

} // namespace

void pemIntake(std::string_view input) {
    const std::string text(input);
    try {
        const crypto::X509Ptr cert = crypto::parseSingleCert(text, "crt_code");
        requireThat(cert != nullptr, "parseSingleCert returns a certificate");
        roundTrip(*cert);
    } catch (const crypto::GateError& e) {
        requireThat(e.failure() == crypto::GateFailure::BadPem, "intake refuses with BadPem");
    }
    try {
        const auto bundle = crypto::parseCertBundle(text, "ca_code");
        requireThat(!bundle.empty() && bundle.size() <= crypto::kMaxBundleCerts,
                    "bundle within 1..kMaxBundleCerts");
        for (const crypto::X509Ptr& cert : bundle) {
            roundTrip(*cert);
        }
    } catch (const crypto::GateError& e) {
        requireThat(e.failure() == crypto::GateFailure::BadPem, "intake refuses with BadPem");
    }
    try {
        const auto bundle = crypto::parseCertBundleAllowEmpty(text, "chain.pem");
        requireThat(bundle.size() <= crypto::kMaxBundleCerts, "bundle within kMaxBundleCerts");
    } catch (const crypto::GateError& e) {
        requireThat(e.failure() == crypto::GateFailure::BadPem, "intake refuses with BadPem");
    }
}

} // namespace certagent::fuzz
