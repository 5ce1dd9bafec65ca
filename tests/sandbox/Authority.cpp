#include "Authority.h"

#include "TestEnv.h"

#include <ctime>
#include <stdexcept>

namespace certagent::sandbox {

namespace {

using crypto::Asn1TimePtr;

/// Loads name.pem/name.key from dir, or creates them with make() and saves them.
template <typename Make>
test::TestCa loadOrCreate(const std::string& dir, const std::string& name, Make make) {
    std::string cert = dir + "/" + name + ".pem";
    std::string key = dir + "/" + name + ".key";
    if (test::exists(cert) && test::exists(key))
        return test::TestCa::load(cert, key);
    test::TestCa ca = make();
    ca.save(cert, key);
    return ca;
}

} // namespace

std::string asn1Date(const ASN1_TIME* time) {
    struct tm tm {};
    if (ASN1_TIME_to_tm(time, &tm) != 1)
        return "0000-00-00";
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

Authority::Authority(const std::string& dataDir)
    : m_serverCert(dataDir + "/api-server.pem"), m_serverKey(dataDir + "/api-server.key") {
    test::TestCa apiCa = loadOrCreate(
        dataDir, "api-ca", [] { return test::TestCa::makeRoot("certagent-sandbox API CA"); });
    if (!test::exists(m_serverCert) || !test::exists(m_serverKey)) {
        auto key = test::makeKey();
        test::CertSpec spec;
        spec.names = {"localhost", "127.0.0.1", "::1"};
        spec.notAfterOffset = 5L * 365 * 86400;
        auto cert = apiCa.issue(*key, spec);
        test::writeFile(m_serverKey, test::keyToPem(*key), 0600);
        test::writeFile(m_serverCert, test::toPem(*cert));
    }
    test::TestCa root = loadOrCreate(dataDir, "issuing-root", [] {
        return test::TestCa::makeRoot("certagent-sandbox Issuing Root");
    });
    m_intermediate =
        std::make_unique<test::TestCa>(loadOrCreate(dataDir, "issuing-intermediate", [&root] {
            return root.makeIntermediate("certagent-sandbox DV Intermediate");
        }));
    m_unrelated =
        std::make_unique<test::TestCa>(loadOrCreate(dataDir, "unrelated-intermediate", [] {
            // Same CN as the real intermediate, other root: only the signature tells them apart.
            return test::TestCa::makeRoot("certagent-sandbox Unrelated Root")
                .makeIntermediate("certagent-sandbox DV Intermediate");
        }));
}

Issued Authority::issue(const std::string& csrPem, const std::vector<std::string>& names,
                        long validityDays, IssueDefect defect) const {
    auto csr = test::csrFromPem(csrPem);
    test::CertSpec spec;
    spec.names = names;
    spec.notBeforeOffset = -60;
    spec.notAfterOffset = validityDays * 86400;
    if (defect == IssueDefect::Expired) {
        spec.notBeforeOffset = -(validityDays + 2) * 86400;
        spec.notAfterOffset = -86400;
    } else if (defect == IssueDefect::NotYetValid) {
        spec.notBeforeOffset = 86400;
        spec.notAfterOffset = (validityDays + 1) * 86400;
    }
    crypto::EvpPkeyPtr otherKey;
    const EVP_PKEY* subjectKey = X509_REQ_get0_pubkey(csr.get());
    if (defect == IssueDefect::OtherKey) {
        otherKey = test::makeKey();
        subjectKey = otherKey.get();
    }
    if (!subjectKey)
        throw std::runtime_error("CSR has no public key");
    const test::TestCa& issuer = *m_intermediate;
    auto leaf = issuer.issue(*subjectKey, spec);
    Issued out;
    out.crt = test::toPem(*leaf);
    out.ca = defect == IssueDefect::WrongIntermediate ? m_unrelated->certPem()
                                                      : m_intermediate->certPem();
    out.validFrom = asn1Date(X509_get0_notBefore(leaf.get()));
    out.validTill = asn1Date(X509_get0_notAfter(leaf.get()));
    if (defect == IssueDefect::Expired || defect == IssueDefect::NotYetValid) {
        // The API claims a normal validity; only the certificate itself is wrong (and the order
        // must not turn "expired" on its own).
        Asn1TimePtr from(X509_gmtime_adj(nullptr, 0));
        Asn1TimePtr till(X509_gmtime_adj(nullptr, validityDays * 86400));
        out.validFrom = asn1Date(from.get());
        out.validTill = asn1Date(till.get());
    }
    return out;
}

} // namespace certagent::sandbox
