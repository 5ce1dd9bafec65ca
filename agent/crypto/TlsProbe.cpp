#include "crypto/TlsProbe.h"

#include "crypto/CertFacts.h"
#include "crypto/OpenSslError.h"
#include "crypto/OpenSslTypes.h"
#include "util/Error.h"
#include "util/FileIo.h"

#include <cerrno>
#include <fcntl.h>
#include <memory>
#include <netdb.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/time.h>
#include <thread>

namespace certagent::crypto {

namespace {

/// A failed handshake step: the whole OpenSSL error queue as the reason.
ProbeResult failed() {
    return ProbeResult{false, {}, drainOpenSslErrors()};
}

/// Why the TCP part of a probe failed (becomes ProbeResult::error).
class ConnectFailure : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// "host port" of a socket address, numeric.
std::pair<std::string, std::string> numeric(const sockaddr_storage& addr, socklen_t len) {
    char host[NI_MAXHOST];
    char port[NI_MAXSERV];
    if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof host, port,
                      sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        throw ConnectFailure("cannot format a socket address");
    return {host, port};
}

/// "PROXY TCP4 <client> <server> <client port> <server port>\r\n" for this connection.
std::string proxyHeader(int fd) {
    sockaddr_storage local{};
    sockaddr_storage peer{};
    socklen_t localLen = sizeof local;
    socklen_t peerLen = sizeof peer;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLen) != 0 ||
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peerLen) != 0)
        throw ConnectFailure(errnoText(errno));
    const auto [localHost, localPort] = numeric(local, localLen);
    const auto [peerHost, peerPort] = numeric(peer, peerLen);
    const std::string family = local.ss_family == AF_INET6 ? "TCP6" : "TCP4";
    return "PROXY " + family + " " + localHost + " " + peerHost + " " + localPort + " " + peerPort +
           "\r\n";
}

/// A blocking TCP socket connected to host:port (an IP literal or a name: its first IPv4
/// address, else its first address, as Poco's SocketAddress chose) within `timeout`, which then
/// also bounds every read and write on it. Plain sockets rather than Poco::Net, so that the binary
/// does not load libPocoNet at start (issue 13). Throws ConnectFailure.
UniqueFd connectTcp(const std::string& host, int port, std::chrono::milliseconds timeout) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string where = host + ":" + std::to_string(port);
    if (const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
        rc != 0)
        throw ConnectFailure("Host not found: " + host + " (" + ::gai_strerror(rc) + ")");
    const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, &::freeaddrinfo);
    const addrinfo* pick = found;
    for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
        if (a->ai_family == AF_INET) {
            pick = a;
            break;
        }
    }
    UniqueFd fd(::socket(pick->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd.valid())
        throw ConnectFailure("socket: " + errnoText(errno));
    if (::connect(fd.get(), pick->ai_addr, pick->ai_addrlen) != 0) {
        if (errno != EINPROGRESS)
            throw ConnectFailure(errnoText(errno) + ": " + where);
        pollfd wait{fd.get(), POLLOUT, 0};
        int ready = 0;
        do {
            ready = ::poll(&wait, 1, static_cast<int>(std::max<long long>(timeout.count(), 1)));
        } while (ready < 0 && errno == EINTR);
        if (ready == 0)
            throw ConnectFailure("Timeout: " + where);
        int err = ready < 0 ? errno : 0;
        socklen_t errLen = sizeof err;
        if (ready > 0 && ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &errLen) != 0)
            err = errno;
        if (err != 0)
            throw ConnectFailure(errnoText(err) + ": " + where);
    }
    const int flags = ::fcntl(fd.get(), F_GETFL);
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0 ||
        ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
        throw ConnectFailure(errnoText(errno) + ": " + where);
    return fd;
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
        UniqueFd socket = connectTcp(host, port, options.timeout);
        if (options.proxyProtocol) {
            std::string header = proxyHeader(socket.get());
            if (::send(socket.get(), header.data(), header.size(), MSG_NOSIGNAL) !=
                static_cast<ssize_t>(header.size()))
                return ProbeResult{false, {}, "sending the PROXY header: " + errnoText(errno)};
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
        if (!ssl || SSL_set_fd(ssl.get(), socket.get()) != 1)
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
    } catch (const ConnectFailure& e) {
        result.error = e.what();
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
