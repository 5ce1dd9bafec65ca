#include "Dcv.h"

#include "TestCa.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace certagent::sandbox {

namespace {

std::string hexDigest(const EVP_MD* md, const std::string& data, bool upper) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1)
        throw std::runtime_error("EVP_Digest failed");
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string hex;
    for (unsigned i = 0; i < len; ++i) {
        hex += digits[out[i] >> 4];
        hex += digits[out[i] & 15];
    }
    return hex;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

/// CRLF → LF, trailing whitespace removed.
std::string normalise(std::string s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i)
        if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n'))
            out += s[i];
    while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back())))
        out.pop_back();
    return out;
}

} // namespace

std::string DcvValues::content() const {
    return sha256Upper + "\r\nsectigo.com\r\n" + unique;
}

std::string DcvValues::dnsRecord(const std::string& domain) const {
    std::string sha = lower(sha256Upper);
    return "_" + md5Upper + "." + domain + " CNAME " + sha.substr(0, 32) + "." + sha.substr(32) +
           "." + lower(unique) + ".sectigo.com";
}

DcvValues dcvValues(const std::string& csrPem, const std::string& unique) {
    std::string der = test::csrToDer(*test::csrFromPem(csrPem));
    return {hexDigest(EVP_md5(), der, true), hexDigest(EVP_sha256(), der, true), unique};
}

std::string checkHttpDcv(const std::string& host, int port, const std::string& domain,
                         const std::string& filename, const std::string& expected) {
    try {
        Poco::Net::HTTPClientSession session(host, static_cast<Poco::UInt16>(port));
        session.setTimeout(Poco::Timespan(10, 0));
        Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET,
                                   "/.well-known/pki-validation/" + filename,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
        req.setHost(domain);
        session.sendRequest(req);
        Poco::Net::HTTPResponse resp;
        std::istream& in = session.receiveResponse(resp);
        std::string body;
        Poco::StreamCopier::copyToString(in, body);
        if (resp.getStatus() != Poco::Net::HTTPResponse::HTTP_OK)
            return "HTTP " + std::to_string(static_cast<int>(resp.getStatus()));
        if (normalise(body) != normalise(expected))
            return "content mismatch";
        return "";
    } catch (const std::exception& e) {
        return std::string("fetch failed: ") + e.what();
    }
}

} // namespace certagent::sandbox
