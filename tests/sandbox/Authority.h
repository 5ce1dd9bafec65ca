#pragma once

#include "TestCa.h"

#include <memory>
#include <string>

namespace certagent::sandbox {

/// How an issued certificate should be broken (fault injection).
enum class IssueDefect { None, OtherKey, Expired, NotYetValid, WrongIntermediate };

/// Result of an issuance: leaf PEM and the chain PEM for ca_code, plus the dates shown by the API.
struct Issued {
    std::string crt;
    std::string ca;
    std::string validFrom; ///< YYYY-MM-DD
    std::string validTill;
};

/// The sandbox's certificate material, created at first start in the data dir and reloaded later:
/// api-ca.pem (+ server cert for its own HTTPS), issuing-root.pem → intermediate (ca_code), and
/// an unrelated intermediate for the wrong_intermediate fault.
class Authority {
  public:
    /// Loads or creates everything under dataDir. Throws std::runtime_error on failure.
    explicit Authority(const std::string& dataDir);

    const std::string& serverCertPath() const { return m_serverCert; }
    const std::string& serverKeyPath() const { return m_serverKey; }

    /// Issues a leaf for the CSR's public key with `names` (CN = first), serverAuth, SHA-256.
    Issued issue(const std::string& csrPem, const std::vector<std::string>& names,
                 long validityDays, IssueDefect defect) const;

  private:
    std::string m_serverCert;
    std::string m_serverKey;
    std::unique_ptr<test::TestCa> m_intermediate;
    std::unique_ptr<test::TestCa> m_unrelated;
};

/// "YYYY-MM-DD" (UTC) of an ASN.1 time.
std::string asn1Date(const ASN1_TIME* time);

} // namespace certagent::sandbox
