#include "crypto/Pem.h"

#include "crypto/OpenSslError.h"

#include <Poco/String.h>
#include <openssl/err.h>
#include <openssl/pem.h>

namespace certagent::crypto {

namespace {

const std::string kBegin = "-----BEGIN ";
const std::string kEnd = "-----END ";
const std::string kDashes = "-----";

[[noreturn]] void refuse(const std::string& field, const std::string& reason) {
    throw GateError(GateFailure::BadPem, field + ": " + reason);
}

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// A label safe to print: printable ASCII only, bounded.
std::string printable(const std::string& s) {
    std::string out;
    for (char c : s.substr(0, 40))
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return out;
}

std::vector<std::string> splitLines(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t nl = text.find('\n', start);
        const size_t end = nl == std::string::npos ? text.size() : nl;
        lines.push_back(Poco::trim(text.substr(start, end - start)));
        if (nl == std::string::npos)
            break;
        start = nl + 1;
    }
    return lines;
}

struct Block {
    std::string label;
    std::string body; ///< base64 lines joined with '\n'
    size_t line;      ///< 1-based line of BEGIN
};

void checkRawText(const std::string& text, const std::string& field) {
    if (text.size() > kMaxPemBytes)
        refuse(field, "larger than " + std::to_string(kMaxPemBytes) + " bytes");
    if (text.find('\0') != std::string::npos)
        refuse(field, "contains a NUL byte");
    for (const auto& line : splitLines(text))
        if (startsWith(line, kBegin) && line.find("PRIVATE KEY") != std::string::npos)
            refuse(field, "contains a private key block");
}

std::vector<Block> splitBlocks(const std::string& text, const std::string& field) {
    std::vector<Block> blocks;
    bool inside = false;
    const auto lines = splitLines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        const std::string at = " at line " + std::to_string(i + 1);
        if (!inside) {
            if (line.empty())
                continue;
            if (!startsWith(line, kBegin) || !endsWith(line, kDashes) ||
                line.size() < kBegin.size() + kDashes.size())
                refuse(field, "text outside PEM blocks" + at);
            const std::string label =
                line.substr(kBegin.size(), line.size() - kBegin.size() - kDashes.size());
            if (label != "CERTIFICATE")
                refuse(field, "unexpected PEM block \"" + printable(label) + "\"" + at);
            blocks.push_back({label, {}, i + 1});
            inside = true;
        } else if (line == kEnd + blocks.back().label + kDashes) {
            inside = false;
        } else if (startsWith(line, kDashes) || line.find(':') != std::string::npos) {
            refuse(field, "malformed PEM block" + at);
        } else if (!line.empty()) {
            blocks.back().body += line + "\n";
        }
    }
    if (inside)
        refuse(field,
               "unterminated PEM block starting at line " + std::to_string(blocks.back().line));
    return blocks;
}

X509Ptr decodeBlock(const Block& block, size_t index, const std::string& field) {
    const std::string what = field + ": certificate " + std::to_string(index);
    const std::string pem =
        kBegin + block.label + kDashes + "\n" + block.body + kEnd + block.label + kDashes + "\n";
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (!bio || PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1)
        refuse(what, "bad base64: " + drainOpenSslErrors());
    const bool hasHeader = header != nullptr && header[0] != '\0';
    const unsigned char* p = data;
    X509Ptr cert(hasHeader ? nullptr : d2i_X509(nullptr, &p, len));
    const bool trailing = cert && p != data + len;
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    if (hasHeader)
        refuse(what, "PEM headers are not allowed");
    if (!cert)
        refuse(what, "not a valid DER certificate: " + drainOpenSslErrors());
    if (trailing)
        refuse(what, "trailing bytes after the DER certificate");
    return cert;
}

std::vector<X509Ptr> parseBundle(const std::string& pem, const std::string& field,
                                 bool allowEmpty) {
    ERR_clear_error();
    checkRawText(pem, field);
    const auto blocks = splitBlocks(pem, field);
    if (blocks.empty() && !allowEmpty)
        refuse(field, "empty"); // only whitespace got this far
    if (blocks.size() > kMaxBundleCerts)
        refuse(field, "more than " + std::to_string(kMaxBundleCerts) + " certificates");
    std::vector<X509Ptr> certs;
    for (size_t i = 0; i < blocks.size(); ++i)
        certs.push_back(decodeBlock(blocks[i], i + 1, field));
    return certs;
}

} // namespace

X509Ptr parseSingleCert(const std::string& pem, const std::string& field) {
    auto certs = parseBundle(pem, field, false);
    if (certs.size() != 1)
        refuse(field, "expected exactly one certificate, found " + std::to_string(certs.size()));
    return std::move(certs.front());
}

std::vector<X509Ptr> parseCertBundle(const std::string& pem, const std::string& field) {
    return parseBundle(pem, field, false);
}

std::vector<X509Ptr> parseCertBundleAllowEmpty(const std::string& pem, const std::string& field) {
    return parseBundle(pem, field, true);
}

std::string certToPem(const X509& cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), &cert) != 1)
        throwOpenSsl("encoding certificate as PEM");
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
}

std::string certToDer(const X509& cert) {
    unsigned char* der = nullptr;
    const int len = i2d_X509(&cert, &der);
    if (len <= 0)
        throwOpenSsl("encoding certificate as DER");
    std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
    return out;
}

} // namespace certagent::crypto
