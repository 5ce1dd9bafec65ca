#include "crypto/CertFacts.h"

#include "crypto/OpenSslError.h"
#include "util/Error.h"
#include "util/IsoTime.h"

#include <openssl/err.h>

#include <ctime>

namespace certagent::crypto {

namespace {

std::string nameOneLine(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    // XN_FLAG_ONELINE escapes control characters and non-ASCII bytes, so a hostile subject
    // cannot inject terminal escapes into logs.
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_ONELINE) < 0)
        throwOpenSsl("printing certificate name");
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
}

std::string serialHex(const X509& cert) {
    BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(&cert), nullptr));
    if (!bn)
        throwOpenSsl("reading certificate serial");
    char* hex = BN_bn2hex(bn.get());
    if (!hex)
        throwOpenSsl("reading certificate serial");
    std::string out(hex);
    OPENSSL_free(hex);
    return out;
}

/// SAN text from a hostile certificate: bytes outside printable ASCII become \xNN.
std::string escapedName(const unsigned char* data, int len) {
    std::string out;
    for (int i = 0; i < len; ++i) {
        const unsigned char c = data[i];
        if (c >= 0x21 && c < 0x7f && c != '\\') {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += hexEncode(&c, 1, false);
        }
    }
    return out;
}

} // namespace

std::chrono::system_clock::time_point asn1TimeToTimePoint(const ASN1_TIME& t,
                                                          const std::string& what) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(&t, &tm) != 1)
        throwOpenSsl("reading " + what);
    return timePointOf(timegm(&tm)); // "99991231235959Z" must not overflow the clock
}

std::string sha256Fingerprint(const X509& cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(&cert, EVP_sha256(), md, &len) != 1)
        throwOpenSsl("computing certificate SHA-256 fingerprint");
    return hexEncode(md, len, false);
}

std::vector<std::string> dnsNames(const X509& cert) {
    std::vector<std::string> names;
    GeneralNamesPtr sans(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(&cert, NID_subject_alt_name, nullptr, nullptr)));
    ERR_clear_error();
    if (!sans)
        return names;
    for (int i = 0; i < sk_GENERAL_NAME_num(sans.get()); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans.get(), i);
        if (gn->type != GEN_DNS)
            continue;
        const ASN1_IA5STRING* s = gn->d.dNSName;
        names.push_back(escapedName(ASN1_STRING_get0_data(s), ASN1_STRING_length(s)));
    }
    return names;
}

CertFacts certFacts(const X509& cert) {
    CertFacts facts;
    facts.serialHex = serialHex(cert);
    facts.sha256 = sha256Fingerprint(cert);
    facts.names = dnsNames(cert);
    facts.notBefore = asn1TimeToTimePoint(*X509_get0_notBefore(&cert), "certificate notBefore");
    facts.notAfter = asn1TimeToTimePoint(*X509_get0_notAfter(&cert), "certificate notAfter");
    facts.subject = nameOneLine(X509_get_subject_name(&cert));
    facts.issuer = nameOneLine(X509_get_issuer_name(&cert));
    return facts;
}

} // namespace certagent::crypto
