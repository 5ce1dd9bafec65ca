#include "util/TlsProbe.h"

#include "crypto/OpenSslTypes.h"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>
#include <openssl/err.h>

#include <cstdio>
#include <thread>

namespace certagent {

namespace {

std::string lastSslError() {
    unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        return "handshake failed";
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    return buf;
}

std::string sha256Hex(X509& cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(&cert, EVP_sha256(), md, &len) != 1)
        return {};
    std::string hex;
    char two[3];
    for (unsigned int i = 0; i < len; ++i) {
        std::snprintf(two, sizeof two, "%02x", md[i]);
        hex += two;
    }
    return hex;
}

} // namespace

ProbeResult probeTls(const std::string& host, int port, const std::string& sni,
                     std::chrono::milliseconds timeout) {
    ProbeResult result;
    try {
        Poco::Timespan span(static_cast<Poco::Timespan::TimeDiff>(timeout.count()) * 1000);
        Poco::Net::StreamSocket socket;
        socket.connect(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), span);
        socket.setReceiveTimeout(span);
        socket.setSendTimeout(span);
        // No chain verification here on purpose: the probe's question is "which exact leaf is
        // served", answered by comparing the SHA-256 of the DER, which no forged chain can pass.
        crypto::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
        if (!ctx)
            return ProbeResult{false, {}, lastSslError()};
        SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
        crypto::SslPtr ssl(SSL_new(ctx.get()));
        if (!ssl || SSL_set_fd(ssl.get(), socket.impl()->sockfd()) != 1)
            return ProbeResult{false, {}, lastSslError()};
        if (!sni.empty())
            SSL_set_tlsext_host_name(ssl.get(), sni.c_str());
        if (SSL_connect(ssl.get()) != 1)
            return ProbeResult{false, {}, lastSslError()};
        result.connected = true;
        crypto::X509Ptr peer(SSL_get1_peer_certificate(ssl.get()));
        if (peer)
            result.leafSha256 = sha256Hex(*peer);
        SSL_shutdown(ssl.get());
    } catch (const Poco::Exception& e) {
        result.error = e.displayText();
    }
    return result;
}

ProbeResult probeUntil(const std::string& host, int port, const std::string& sni,
                       const std::string& expectedSha256, std::chrono::milliseconds within) {
    auto deadline = std::chrono::steady_clock::now() + within;
    auto pause = std::chrono::milliseconds(100);
    for (;;) {
        ProbeResult r = probeTls(host, port, sni);
        if (r.leafSha256 == expectedSha256 || std::chrono::steady_clock::now() >= deadline)
            return r;
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(1000));
    }
}

} // namespace certagent
