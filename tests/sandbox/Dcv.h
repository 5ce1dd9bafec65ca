#pragma once

#include <string>

namespace certagent::sandbox {

/// Sectigo DCV values for one CSR (hashes of its DER form) and unique value.
struct DcvValues {
    std::string md5Upper;    ///< 32 upper-case hex
    std::string sha256Upper; ///< 64 upper-case hex
    std::string unique;

    /// "<MD5>.txt"
    std::string filename() const { return md5Upper + ".txt"; }
    /// "<SHA256>\r\nsectigo.com\r\n<unique>"
    std::string content() const;
    /// "_<MD5>.<domain> CNAME <sha lower 32>.<sha lower 32>.<unique lower>.sectigo.com"
    std::string dnsRecord(const std::string& domain) const;
};

/// Throws std::runtime_error when the CSR does not parse.
DcvValues dcvValues(const std::string& csrPem, const std::string& unique);

/// GETs http://<domain>/.well-known/pki-validation/<filename> from host:port (Host header =
/// domain) and compares the body with `expected` (trailing whitespace trimmed, CRLF or LF).
/// Returns "" on match, else a short reason for the log.
std::string checkHttpDcv(const std::string& host, int port, const std::string& domain,
                         const std::string& filename, const std::string& expected);

} // namespace certagent::sandbox
