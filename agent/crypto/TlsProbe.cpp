#include "crypto/TlsProbe.h"

#include "crypto/CertFacts.h"
#include "crypto/OpenSslError.h"
#include "crypto/OpenSslTypes.h"
#include "util/Error.h"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <thread>

namespace certagent::crypto {

namespace {

/// A failed handshake step: the whole OpenSSL error queue as the reason.
ProbeResult failed() {
    return ProbeResult{false, {}, drainOpenSslErrors()};
}

/// "PROXY TCP4 <client> <server> <client port> <server port>\r\n" for this connection.
std::string proxyHeader(const Poco::Net::StreamSocket& socket) {
    Poco::Net::SocketAddress local = socket.address();
    Poco::Net::SocketAddress peer = socket.peerAddress();
    std::string family = local.family() == Poco::Net::SocketAddress::IPv6 ? "TCP6" : "TCP4";
    return "PROXY " + family + " " + local.host().toString() + " " + peer.host().toString() + " " +
           std::to_string(local.port()) + " " + std::to_string(peer.port()) + "\r\n";
}

/// The signature algorithms a client with only a key of `keyType` would accept.
const char* sigalgsFor(const std::string& keyType) {
    if (keyType.rfind("ec-", 0) == 0)
        return "ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:ecdsa_secp521r1_sha512";
    if (keyType.rfind("rsa-", 0) == 0)
        return "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:rsa_pkcs1_sha256:"
               "rsa_pkcs1_sha384:rsa_pkcs1_sha512";
    return nullptr;
}

} // namespace

ProbeResult probeTls(const std::string& host, int port, const std::string& sni,
                     const ProbeOptions& options) {
    ProbeResult result;
    try {
        Poco::Timespan span(static_cast<Poco::Timespan::TimeDiff>(options.timeout.count()) * 1000);
        Poco::Net::StreamSocket socket;
        socket.connect(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), span);
        socket.setReceiveTimeout(span);
        socket.setSendTimeout(span);
        if (options.proxyProtocol) {
            std::string header = proxyHeader(socket);
            socket.sendBytes(header.data(), static_cast<int>(header.size()));
        }
        // No chain verification here on purpose: the probe's question is "which exact leaf is
        // served", answered by comparing the SHA-256 of the DER, which no forged chain can pass.
        SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
        if (!ctx)
            return failed();
        SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
        if (const char* sigalgs = sigalgsFor(options.keyType))
            if (SSL_CTX_set1_sigalgs_list(ctx.get(), sigalgs) != 1)
                return failed();
        SslPtr ssl(SSL_new(ctx.get()));
        if (!ssl || SSL_set_fd(ssl.get(), socket.impl()->sockfd()) != 1)
            return failed();
        if (!sni.empty())
            SSL_set_tlsext_host_name(ssl.get(), sni.c_str());
        if (SSL_connect(ssl.get()) != 1)
            return failed();
        result.connected = true;
        X509Ptr peer(SSL_get1_peer_certificate(ssl.get()));
        if (peer)
            result.leafSha256 = sha256Fingerprint(*peer);
        SSL_shutdown(ssl.get());
    } catch (const Poco::Exception& e) {
        result.error = e.displayText();
    } catch (const CryptoError& e) {
        result.error = e.what();
    }
    return result;
}

ProbeResult probeUntil(const std::string& host, int port, const std::string& sni,
                       const std::string& expectedSha256, std::chrono::milliseconds within,
                       const ProbeOptions& options) {
    auto deadline = std::chrono::steady_clock::now() + within;
    auto pause = std::chrono::milliseconds(100);
    for (;;) {
        ProbeResult r = probeTls(host, port, sni, options);
        if (r.leafSha256 == expectedSha256 || std::chrono::steady_clock::now() >= deadline)
            return r;
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(1000));
    }
}

} // namespace certagent::crypto
