#include "crypto/Csr.h"

#include "crypto/OpenSslError.h"
#include "util/Error.h"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace certagent::crypto {

namespace {

void freeExtStack(STACK_OF(X509_EXTENSION) * s) {
    sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
}
using ExtStack = OpenSslPtr<STACK_OF(X509_EXTENSION), freeExtStack>;

void checkName(const std::string& name) {
    if (name.empty())
        throw CryptoError("building CSR: empty domain name");
    for (unsigned char c : name)
        if (c <= 0x20 || c >= 0x7f)
            throw CryptoError("building CSR: domain name contains a character outside printable "
                              "ASCII");
}

void setSubject(X509_REQ& req, const std::string& commonName) {
    X509NamePtr subject(X509_NAME_new());
    if (!subject ||
        X509_NAME_add_entry_by_txt(subject.get(), "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(commonName.c_str()),
                                   static_cast<int>(commonName.size()), -1, 0) != 1 ||
        X509_REQ_set_subject_name(&req, subject.get()) != 1)
        throwOpenSsl("building CSR: subject CN=" + commonName);
}

void addSubjectAltNames(X509_REQ& req, const std::vector<std::string>& names) {
    GeneralNamesPtr sans(GENERAL_NAMES_new());
    if (!sans)
        throwOpenSsl("building CSR: subjectAltName");
    for (const auto& name : names) {
        GENERAL_NAME* gn = GENERAL_NAME_new();
        ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
        if (!gn || !ia5 || ASN1_STRING_set(ia5, name.data(), static_cast<int>(name.size())) != 1) {
            GENERAL_NAME_free(gn);
            ASN1_IA5STRING_free(ia5);
            throwOpenSsl("building CSR: subjectAltName " + name);
        }
        GENERAL_NAME_set0_value(gn, GEN_DNS, ia5); // gn owns ia5 now
        if (sk_GENERAL_NAME_push(sans.get(), gn) == 0) {
            GENERAL_NAME_free(gn);
            throwOpenSsl("building CSR: subjectAltName " + name);
        }
    }
    X509ExtensionPtr ext(X509V3_EXT_i2d(NID_subject_alt_name, 0, sans.get()));
    ExtStack exts(sk_X509_EXTENSION_new_null());
    if (!ext || !exts || sk_X509_EXTENSION_push(exts.get(), ext.get()) == 0)
        throwOpenSsl("building CSR: subjectAltName extension");
    ext.release(); // owned by exts
    if (X509_REQ_add_extensions(&req, exts.get()) != 1)
        throwOpenSsl("building CSR: adding extensions");
}

} // namespace

X509ReqPtr makeCsr(const EVP_PKEY& key, const std::vector<std::string>& names) {
    if (names.empty())
        throw CryptoError("building CSR: no domain names");
    for (const auto& name : names)
        checkName(name);
    X509ReqPtr req(X509_REQ_new());
    if (!req || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1)
        throwOpenSsl("building CSR");
    setSubject(*req, names.front());
    addSubjectAltNames(*req, names);
    // X509_REQ_set_pubkey/X509_REQ_sign take non-const keys but only read them.
    auto* mutableKey = const_cast<EVP_PKEY*>(&key);
    if (X509_REQ_set_pubkey(req.get(), mutableKey) != 1)
        throwOpenSsl("building CSR: public key");
    if (X509_REQ_sign(req.get(), mutableKey, EVP_sha256()) <= 0)
        throwOpenSsl("signing CSR");
    return req;
}

std::string csrToPem(const X509_REQ& csr) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509_REQ(bio.get(), &csr) != 1)
        throwOpenSsl("encoding CSR as PEM");
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
}

std::string csrToDer(const X509_REQ& csr) {
    unsigned char* der = nullptr;
    const int len = i2d_X509_REQ(&csr, &der);
    if (len <= 0)
        throwOpenSsl("encoding CSR as DER");
    std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
    return out;
}

X509ReqPtr csrFromPem(const std::string& pem, const std::string& what) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio)
        throwOpenSsl(what + ": reading CSR");
    X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    if (!req)
        throwOpenSsl(what + ": reading CSR");
    return req;
}

bool requestHasKeyOf(const std::string& pem, const X509_REQ& ours) {
    if (pem.empty() || pem.size() > 64 * 1024)
        return false;
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509ReqPtr req(bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    const EVP_PKEY* theirs = req ? X509_REQ_get0_pubkey(req.get()) : nullptr;
    const EVP_PKEY* mine = X509_REQ_get0_pubkey(const_cast<X509_REQ*>(&ours));
    const bool same = theirs && mine && EVP_PKEY_eq(theirs, mine) == 1;
    ERR_clear_error();
    return same;
}

} // namespace certagent::crypto
