#include "TestCa.h"

#include "TestEnv.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <stdexcept>

namespace certagent::test {

using crypto::Asn1IntegerPtr;
using crypto::BioPtr;
using crypto::EvpPkeyCtxPtr;
using crypto::EvpPkeyPtr;
using crypto::GeneralNamesPtr;
using crypto::X509ExtensionPtr;
using crypto::X509Ptr;
using crypto::X509ReqPtr;

namespace {

[[noreturn]] void fail(const std::string& step) {
    std::string text = step;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        text += ": ";
        text += buf;
    }
    throw std::runtime_error("TestCa: " + text);
}

void check(int ok, const char* step) {
    if (ok <= 0)
        fail(step);
}

const EVP_MD* mdFor(Digest digest) {
    switch (digest) {
    case Digest::Sha1:
        return EVP_sha1();
    case Digest::Sha384:
        return EVP_sha384();
    case Digest::Sha512:
        return EVP_sha512();
    case Digest::Sha256:
        break;
    }
    return EVP_sha256();
}

bool isIpLiteral(const std::string& name) {
    ASN1_OCTET_STRING* ip = a2i_IPADDRESS(name.c_str());
    if (!ip)
        return false;
    ASN1_OCTET_STRING_free(ip);
    return true;
}

/// "DNS:a,DNS:b,IP:1.2.3.4" for X509V3_EXT_conf_nid.
std::string sanValue(const std::vector<std::string>& names) {
    std::string value;
    for (const auto& n : names) {
        if (!value.empty())
            value += ",";
        value += (isIpLiteral(n) ? "IP:" : "DNS:") + n;
    }
    return value;
}

void addExt(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
    X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
    if (!ext)
        fail("building extension " + std::string(OBJ_nid2sn(nid)) + "=" + value);
    check(X509_add_ext(cert, ext.get(), -1), "adding extension");
}

void setSerial(X509* cert, unsigned long serial) {
    if (serial == 0) {
        unsigned char bytes[8];
        check(RAND_bytes(bytes, sizeof bytes), "random serial");
        bytes[0] &= 0x7f;
        bytes[0] |= 0x01;
        crypto::BignumPtr bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
        if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)))
            fail("serial");
        return;
    }
    check(ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), serial), "serial");
}

/// Builds and signs a certificate. subjectName null => built from spec (CN).
X509Ptr build(const EVP_PKEY& subjectKey, const X509_NAME* subjectName, const CertSpec& spec,
              const X509* issuer, const EVP_PKEY& issuerKey) {
    X509Ptr cert(X509_new());
    if (!cert)
        fail("X509_new");
    check(X509_set_version(cert.get(), 2), "version");
    setSerial(cert.get(), spec.serial);
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.notBeforeOffset) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.notAfterOffset))
        fail("validity");
    check(X509_set_pubkey(cert.get(), const_cast<EVP_PKEY*>(&subjectKey)), "public key");
    if (subjectName) {
        check(X509_set_subject_name(cert.get(), subjectName), "subject");
    } else {
        std::string cn =
            spec.commonName.empty() && !spec.names.empty() ? spec.names.front() : spec.commonName;
        X509_NAME* name = X509_get_subject_name(cert.get());
        if (!cn.empty())
            check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                                             -1, 0),
                  "subject CN");
    }
    const X509* issuerCert = issuer ? issuer : cert.get();
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(issuerCert)), "issuer");

    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, const_cast<X509*>(issuerCert), cert.get(), nullptr, nullptr, 0);
    if (spec.isCa) {
        addExt(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
        addExt(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
    } else {
        addExt(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
        bool rsa = EVP_PKEY_is_a(&subjectKey, "RSA");
        addExt(cert.get(), &ctx, NID_key_usage,
               rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature");
    }
    if (spec.serverAuth && !spec.isCa)
        addExt(cert.get(), &ctx, NID_ext_key_usage, "serverAuth,clientAuth");
    else if (!spec.isCa)
        addExt(cert.get(), &ctx, NID_ext_key_usage, "clientAuth");
    addExt(cert.get(), &ctx, NID_subject_key_identifier, "hash");
    if (issuer)
        addExt(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
    if (!spec.names.empty())
        addExt(cert.get(), &ctx, NID_subject_alt_name, sanValue(spec.names));

    if (X509_sign(cert.get(), const_cast<EVP_PKEY*>(&issuerKey), mdFor(spec.digest)) <= 0)
        fail("signing certificate");
    return cert;
}

void freeExtStack(STACK_OF(X509_EXTENSION) * s) {
    sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
}

std::string bioText(BIO* bio) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<size_t>(len));
}

BioPtr memBio() {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio)
        fail("BIO_new");
    return bio;
}

BioPtr readBio(const std::string& text) {
    BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    if (!bio)
        fail("BIO_new_mem_buf");
    return bio;
}

} // namespace

EvpPkeyPtr makeKey(KeyKind kind) {
    EVP_PKEY* key = nullptr;
    switch (kind) {
    case KeyKind::EcP256:
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
        break;
    case KeyKind::EcP384:
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
        break;
    case KeyKind::Rsa1024:
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024});
        break;
    case KeyKind::Rsa2048:
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
        break;
    case KeyKind::Rsa3072:
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072});
        break;
    case KeyKind::Rsa4096:
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{4096});
        break;
    }
    if (!key)
        fail("key generation");
    return EvpPkeyPtr(key);
}

TestCa::TestCa(X509Ptr cert, EvpPkeyPtr key) : m_cert(std::move(cert)), m_key(std::move(key)) {}

TestCa TestCa::makeRoot(const std::string& name, KeyKind kind) {
    CertSpec spec;
    spec.notAfterOffset = 10L * 365 * 86400;
    return makeRoot(name, spec, kind);
}

TestCa TestCa::makeRoot(const std::string& name, const CertSpec& specIn, KeyKind kind) {
    CertSpec spec = specIn;
    spec.isCa = true;
    spec.commonName = name;
    spec.names.clear();
    EvpPkeyPtr key = makeKey(kind);
    X509Ptr cert = build(*key, nullptr, spec, nullptr, *key);
    return TestCa(std::move(cert), std::move(key));
}

TestCa TestCa::makeIntermediate(const std::string& name, KeyKind kind) const {
    CertSpec spec;
    spec.notAfterOffset = 5L * 365 * 86400;
    return makeIntermediate(name, spec, kind);
}

TestCa TestCa::makeIntermediate(const std::string& name, CertSpec spec, KeyKind kind) const {
    spec.isCa = true;
    spec.commonName = name;
    spec.names.clear();
    EvpPkeyPtr key = makeKey(kind);
    X509Ptr cert = build(*key, nullptr, spec, m_cert.get(), *m_key);
    return TestCa(std::move(cert), std::move(key));
}

X509Ptr TestCa::crossSign(const TestCa& subject, CertSpec spec) const {
    spec.isCa = true;
    spec.names.clear();
    return build(subject.key(), X509_get_subject_name(&subject.cert()), spec, m_cert.get(), *m_key);
}

X509Ptr TestCa::issue(const EVP_PKEY& subjectKey, const CertSpec& spec) const {
    return build(subjectKey, nullptr, spec, m_cert.get(), *m_key);
}

X509Ptr TestCa::issueFromCsr(const X509_REQ& csr, CertSpec spec) const {
    EVP_PKEY* pub = X509_REQ_get0_pubkey(const_cast<X509_REQ*>(&csr));
    if (!pub)
        fail("CSR without public key");
    if (spec.names.empty())
        spec.names = csrNames(csr);
    return build(*pub, nullptr, spec, m_cert.get(), *m_key);
}

std::vector<std::string> csrNames(const X509_REQ& csrIn) {
    auto* csr = const_cast<X509_REQ*>(&csrIn);
    std::vector<std::string> names;
    auto add = [&names](const std::string& n) {
        for (const auto& have : names)
            if (have == n)
                return;
        names.push_back(n);
    };
    X509_NAME* subject = X509_REQ_get_subject_name(csr);
    int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (idx >= 0) {
        ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
        unsigned char* utf8 = nullptr;
        int len = ASN1_STRING_to_UTF8(&utf8, data);
        if (len >= 0) {
            add(std::string(reinterpret_cast<char*>(utf8), static_cast<size_t>(len)));
            OPENSSL_free(utf8);
        }
    }
    using ExtStack = crypto::OpenSslPtr<STACK_OF(X509_EXTENSION), freeExtStack>;
    ExtStack exts(X509_REQ_get_extensions(csr));
    if (exts) {
        for (int i = 0; i < sk_X509_EXTENSION_num(exts.get()); ++i) {
            X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts.get(), i);
            if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) != NID_subject_alt_name)
                continue;
            GeneralNamesPtr gens(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext)));
            for (int j = 0; gens && j < sk_GENERAL_NAME_num(gens.get()); ++j) {
                const GENERAL_NAME* gen = sk_GENERAL_NAME_value(gens.get(), j);
                if (gen->type != GEN_DNS)
                    continue;
                const ASN1_IA5STRING* dns = gen->d.dNSName;
                add(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                static_cast<size_t>(ASN1_STRING_length(dns))));
            }
        }
    }
    return names;
}

X509ReqPtr makeCsr(const EVP_PKEY& key, const std::vector<std::string>& names, Digest digest) {
    X509ReqPtr req(X509_REQ_new());
    if (!req || names.empty())
        fail("X509_REQ_new (or no names)");
    check(X509_REQ_set_version(req.get(), 0), "CSR version");
    X509_NAME* subject = X509_REQ_get_subject_name(req.get());
    check(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(names.front().c_str()),
                                     -1, -1, 0),
          "CSR CN");
    check(X509_REQ_set_pubkey(req.get(), const_cast<EVP_PKEY*>(&key)), "CSR public key");
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, nullptr, nullptr, req.get(), nullptr, 0);
    X509ExtensionPtr san(
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, sanValue(names).c_str()));
    if (!san)
        fail("CSR SAN");
    using ExtStack = crypto::OpenSslPtr<STACK_OF(X509_EXTENSION), freeExtStack>;
    ExtStack exts(sk_X509_EXTENSION_new_null());
    if (!exts || !sk_X509_EXTENSION_push(exts.get(), san.get()))
        fail("CSR extension stack");
    X509_EXTENSION* owned = san.release();
    (void)owned; // now owned by the stack
    check(X509_REQ_add_extensions(req.get(), exts.get()), "CSR extensions");
    check(X509_REQ_sign(req.get(), const_cast<EVP_PKEY*>(&key), mdFor(digest)), "signing CSR");
    return req;
}

std::string TestCa::certPem() const {
    return toPem(*m_cert);
}
std::string TestCa::keyPem() const {
    return keyToPem(*m_key);
}

void TestCa::save(const std::string& certPath, const std::string& keyPath) const {
    writeFile(certPath, certPem(), 0644);
    writeFile(keyPath, keyPem(), 0600);
}

TestCa TestCa::load(const std::string& certPath, const std::string& keyPath) {
    return fromPem(readFile(certPath), readFile(keyPath));
}

TestCa TestCa::fromPem(const std::string& certPemText, const std::string& keyPemText) {
    return TestCa(certFromPem(certPemText), keyFromPem(keyPemText));
}

std::string toPem(const X509& cert) {
    BioPtr bio = memBio();
    check(PEM_write_bio_X509(bio.get(), const_cast<X509*>(&cert)), "PEM_write_bio_X509");
    return bioText(bio.get());
}

std::string keyToPem(const EVP_PKEY& key) {
    BioPtr bio = memBio();
    check(PEM_write_bio_PrivateKey(bio.get(), const_cast<EVP_PKEY*>(&key), nullptr, nullptr, 0,
                                   nullptr, nullptr),
          "PEM_write_bio_PrivateKey");
    return bioText(bio.get());
}

std::string publicKeyToPem(const EVP_PKEY& key) {
    BioPtr bio = memBio();
    check(PEM_write_bio_PUBKEY(bio.get(), const_cast<EVP_PKEY*>(&key)), "PEM_write_bio_PUBKEY");
    return bioText(bio.get());
}

std::string csrToPem(const X509_REQ& csr) {
    BioPtr bio = memBio();
    check(PEM_write_bio_X509_REQ(bio.get(), const_cast<X509_REQ*>(&csr)), "PEM_write_bio_X509_REQ");
    return bioText(bio.get());
}

std::string toDer(const X509& cert) {
    unsigned char* der = nullptr;
    int len = i2d_X509(&cert, &der);
    if (len < 0)
        fail("i2d_X509");
    std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
    return out;
}

std::string csrToDer(const X509_REQ& csr) {
    unsigned char* der = nullptr;
    int len = i2d_X509_REQ(&csr, &der);
    if (len < 0)
        fail("i2d_X509_REQ");
    std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
    return out;
}

X509Ptr certFromPem(const std::string& pem) {
    BioPtr bio = readBio(pem);
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert)
        fail("no certificate in PEM text");
    return cert;
}

std::vector<X509Ptr> certsFromPem(const std::string& pem) {
    BioPtr bio = readBio(pem);
    std::vector<X509Ptr> certs;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
        certs.emplace_back(cert);
    ERR_clear_error(); // the final read always fails with "no start line"
    if (certs.empty())
        fail("no certificate in PEM bundle");
    return certs;
}

EvpPkeyPtr keyFromPem(const std::string& pem) {
    BioPtr bio = readBio(pem);
    EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key)
        fail("no private key in PEM text");
    return key;
}

X509ReqPtr csrFromPem(const std::string& pem) {
    BioPtr bio = readBio(pem);
    X509ReqPtr csr(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    if (!csr)
        fail("no certificate request in PEM text");
    return csr;
}

std::string sha256Fingerprint(const X509& cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    check(X509_digest(&cert, EVP_sha256(), md, &len), "X509_digest");
    static const char* kHex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += kHex[md[i] >> 4];
        out += kHex[md[i] & 15];
    }
    return out;
}

} // namespace certagent::test
