#pragma once

#include "util/Error.h"

#include <string>

namespace certagent::crypto {

/// Why certificate material was refused (or deferred). Tests assert on these values.
enum class GateFailure {
    BadPem,          ///< crt_code/ca_code not strict PEM (key block, junk, count, size, bad DER)
    BadKey,          ///< the local private key could not be read (live/pending privkey.pem)
    NoTrustedPath,   ///< no path from the leaf to a trust anchor using ca_code as helpers
    KeyMismatch,     ///< the leaf's public key is not the local key's
    NamesNotCovered, ///< a configured name is missing from the leaf's DNS SANs (exact match)
    Expired,         ///< the leaf (or a path certificate) is past notAfter at "now"
    NotYetValid,     ///< notBefore is later than now + skew: a defer (exit 3), not a refusal
    LeafIsCa,        ///< basicConstraints CA:TRUE on the leaf
    NoServerAuth,    ///< EKU absent or without serverAuth/anyExtendedKeyUsage
    WeakKey,         ///< RSA < 2048 bits, EC curve not P-256/P-384/P-521, or another key type
    WeakSignature,   ///< signature digest other than SHA-256/384/512 on leaf or intermediate
};

/// Short stable name of a failure ("no-trusted-path", "key-mismatch", ...), for logs/JSON.
const char* gateFailureName(GateFailure failure);

/// Certificate material refused by PEM intake or the verification gate. exitCode() is 4
/// (refused), except GateFailure::NotYetValid which is 3 (temporary: retry later).
/// The message is one line: "<context>: <field or step>: <reason>".
class GateError : public CryptoError {
  public:
    GateError(GateFailure failure, const std::string& what)
        : CryptoError(what, failure == GateFailure::NotYetValid ? kExitTemporary : kExitRefused),
          m_failure(failure) {}
    GateFailure failure() const { return m_failure; }

  private:
    GateFailure m_failure;
};

} // namespace certagent::crypto
