#pragma once

// A real certificate authority for tests: root, intermediates, cross-signs and leaves, built with
// OpenSSL 3 EVP APIs. Used by the sandbox (issued chains, its own HTTPS certificate) and by unit
// and integration tests that need real certificates with chosen defects.

#include "crypto/OpenSslTypes.h"

#include <string>
#include <vector>

namespace certagent::test {

/// Key algorithms tests need (RSA 1024 for weak-key refusal tests).
enum class KeyKind { EcP256, EcP384, Rsa1024, Rsa2048, Rsa3072, Rsa4096 };

/// Signature digests; Sha1 exists for refusal tests (OpenSSL 3 signs with it fine).
enum class Digest { Sha256, Sha384, Sha512, Sha1 };

/// Generates a fresh key. Throws std::runtime_error on OpenSSL failure.
crypto::EvpPkeyPtr makeKey(KeyKind kind = KeyKind::EcP256);

/// What a certificate should look like. Offsets are seconds relative to now.
struct CertSpec {
    /// SubjectAltNames: DNS names, or IP literals ("127.0.0.1", "::1") which become IP SANs.
    /// Empty = no SAN extension.
    std::vector<std::string> names;
    /// Subject CN; empty = names.front() (or no CN when names is empty too).
    std::string commonName;
    long notBeforeOffset = -3600;
    long notAfterOffset = 90L * 86400;
    /// basicConstraints CA:TRUE (critical) and keyUsage keyCertSign|cRLSign; else CA:FALSE and
    /// digitalSignature|keyEncipherment.
    bool isCa = false;
    /// extendedKeyUsage serverAuth present (ignored when isCa and false by default for CAs).
    bool serverAuth = true;
    Digest digest = Digest::Sha256;
    /// 0 = random 64-bit serial.
    unsigned long serial = 0;
};

/// A CA certificate and its private key.
class TestCa {
  public:
    /// A self-signed root "CN=<name>", CA:TRUE, 10 years (spec may change validity/digest).
    /// Throws std::runtime_error on OpenSSL failure.
    static TestCa makeRoot(const std::string& name, KeyKind kind = KeyKind::EcP256);
    static TestCa makeRoot(const std::string& name, const CertSpec& spec,
                           KeyKind kind = KeyKind::EcP256);

    /// An intermediate "CN=<name>" signed by this CA (spec.isCa is forced to true; default
    /// validity 5 years).
    TestCa makeIntermediate(const std::string& name, KeyKind kind = KeyKind::EcP256) const;
    TestCa makeIntermediate(const std::string& name, CertSpec spec,
                            KeyKind kind = KeyKind::EcP256) const;

    /// A cross-sign: a CA certificate with the subject name and public key of `subject`,
    /// issued and signed by this CA (use spec offsets to make it expired). spec.isCa forced.
    crypto::X509Ptr crossSign(const TestCa& subject, CertSpec spec) const;

    /// A certificate for `subjectKey` (public half used) as described by `spec`, signed by
    /// this CA. Throws std::runtime_error on OpenSSL failure.
    crypto::X509Ptr issue(const EVP_PKEY& subjectKey, const CertSpec& spec) const;

    /// Like issue() with the CSR's public key; when spec.names is empty the CSR's SAN DNS names
    /// (or its CN) are used. Does not check the CSR signature.
    crypto::X509Ptr issueFromCsr(const X509_REQ& csr, CertSpec spec) const;

    const X509& cert() const { return *m_cert; }
    const EVP_PKEY& key() const { return *m_key; }
    std::string certPem() const;
    std::string keyPem() const;

    /// Writes cert PEM and key PEM (key mode 0600). Throws on I/O failure.
    void save(const std::string& certPath, const std::string& keyPath) const;
    /// Reads what save() wrote. Throws std::runtime_error when unreadable.
    static TestCa load(const std::string& certPath, const std::string& keyPath);
    static TestCa fromPem(const std::string& certPem, const std::string& keyPem);

    TestCa(crypto::X509Ptr cert, crypto::EvpPkeyPtr key);

  private:
    crypto::X509Ptr m_cert;
    crypto::EvpPkeyPtr m_key;
};

/// A PKCS#10 request for `key` with CN = names.front() and a SAN extension listing all names.
crypto::X509ReqPtr makeCsr(const EVP_PKEY& key, const std::vector<std::string>& names,
                           Digest digest = Digest::Sha256);

/// The CSR's CN followed by its SAN DNS names, without duplicates (no signature check).
std::vector<std::string> csrNames(const X509_REQ& csr);

std::string toPem(const X509& cert);
/// Unencrypted PKCS#8 private key PEM.
std::string keyToPem(const EVP_PKEY& key);
std::string publicKeyToPem(const EVP_PKEY& key);
std::string csrToPem(const X509_REQ& csr);
/// DER encodings (for hashing).
std::string toDer(const X509& cert);
std::string csrToDer(const X509_REQ& csr);

/// Parse helpers; each throws std::runtime_error when the text holds no such object.
crypto::X509Ptr certFromPem(const std::string& pem);
/// Every certificate in a bundle, in order.
std::vector<crypto::X509Ptr> certsFromPem(const std::string& pem);
crypto::EvpPkeyPtr keyFromPem(const std::string& pem);
crypto::X509ReqPtr csrFromPem(const std::string& pem);

/// Lower-case hex SHA-256 of the DER certificate (same form as util/TlsProbe).
std::string sha256Fingerprint(const X509& cert);

} // namespace certagent::test
