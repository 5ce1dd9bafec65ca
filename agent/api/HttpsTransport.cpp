#include "api/Transport.h"
#include "util/Error.h"
#include "util/Text.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/URI.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <condition_variable>
#include <istream>
#include <mutex>
#include <ostream>
#include <sys/socket.h>
#include <thread>

namespace certagent::api {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

Poco::Timespan toTimespan(milliseconds ms) {
    return Poco::Timespan(
        static_cast<Poco::Timespan::TimeDiff>(std::max<long long>(ms.count(), 1)) * 1000);
}

/// A private client Context: system store + optional anchor, peer verification done by OpenSSL
/// itself (no Poco verify callback, so no certificate handler can ever accept a bad peer), host
/// name or IP pinned into the verify parameters, TLS 1.2 or newer, and an optional client
/// certificate for mTLS (etcd).
Poco::Net::Context::Ptr makeContext(const std::string& host, const TlsSettings& tls) {
    using Poco::Net::Context;
    const std::string& caFile = tls.caFile;
    const bool mtls = !tls.clientCertFile.empty() || !tls.clientKeyFile.empty();
    std::string files = "ca_file " + caFile;
    if (mtls) {
        files += ", cert_file " + tls.clientCertFile + ", key_file " + tls.clientKeyFile;
    }
    // The GoGetSSL API's own wording stays; other users (etcd) prefix their config section.
    files = mtls || !tls.systemTrust ? "TLS files (" + files + ")" : "[api] " + files;
    if (mtls && (tls.clientCertFile.empty() || tls.clientKeyFile.empty())) {
        throw ConfigError(files + ": a client certificate needs both cert_file and key_file");
    }
    Context::Params params;
    params.caLocation = caFile;
    params.certificateFile = tls.clientCertFile;
    params.privateKeyFile = tls.clientKeyFile;
    params.loadDefaultCAs = tls.systemTrust;
    params.verificationMode = Context::VERIFY_STRICT;
    params.verificationDepth = 9;
    params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES";
    Context::Ptr ctx;
    try {
        ctx = new Context(Context::TLS_CLIENT_USE, params);
    } catch (const Poco::Exception& e) {
        throw ConfigError(files + ": " + escapeForLog(e.displayText(), 200));
    }
    ctx->requireMinimumProtocol(Context::PROTO_TLSV1_2);
    ctx->enableExtendedCertificateVerification(true);
    SSL_CTX* raw = ctx->sslContext();
    if (mtls && SSL_CTX_check_private_key(raw) != 1) {
        ERR_clear_error();
        throw ConfigError(files + ": the key does not match the client certificate");
    }
    SSL_CTX_set_verify(raw, SSL_VERIFY_PEER, nullptr);
    X509_VERIFY_PARAM* vp = SSL_CTX_get0_param(raw);
    X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    Poco::Net::IPAddress ip;
    const int ok = Poco::Net::IPAddress::tryParse(host, ip)
                       ? X509_VERIFY_PARAM_set1_ip_asc(vp, host.c_str())
                       : X509_VERIFY_PARAM_set1_host(vp, host.c_str(), host.size());
    if (ok != 1) {
        throw ConfigError("[api] url: cannot verify host \"" + escapeForLog(host, 80) + "\"");
    }
    return ctx;
}

milliseconds remaining(Clock::time_point deadline) {
    return std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
}

bool isVerificationFailure(const Poco::Exception& e) {
    const std::string text = e.displayText();
    return dynamic_cast<const Poco::Net::CertificateValidationException*>(&e) != nullptr ||
           dynamic_cast<const Poco::Net::InvalidCertificateException*>(&e) != nullptr ||
           text.find("certificate verify failed") != std::string::npos ||
           text.find("wrong version number") != std::string::npos ||
           // A server that offers only TLS < 1.2: retrying cannot help, so refuse at once.
           text.find("protocol version") != std::string::npos ||
           text.find("unsupported protocol") != std::string::npos;
}

/// Shuts the connection's socket down when the deadline passes, so neither a server that accepts
/// TCP but never answers the TLS handshake (a SIGSTOPped etcd member) nor one that drips its reply
/// a byte at a time (each read within the socket timeout) can hold a call past its deadline.
/// Started before the connection exists; arm() hands it the socket once it is connected.
class Watchdog {
  public:
    explicit Watchdog(Clock::time_point deadline)
        : m_thread([this, deadline] {
              std::unique_lock<std::mutex> lock(m_mutex);
              if (!m_cv.wait_until(lock, deadline, [this] { return m_done; })) {
                  m_fired = true;
                  if (m_fd >= 0) {
                      ::shutdown(m_fd, SHUT_RDWR);
                  }
              }
          }) {}
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;
    ~Watchdog() {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_done = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }
    /// Watches `fd` from now on; shuts it down at once if the deadline has already passed.
    void arm(int fd) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_fd = fd;
        if (m_fired) {
            ::shutdown(fd, SHUT_RDWR);
        }
    }
    bool fired() {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_fired;
    }

  private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_done = false;
    bool m_fired = false;
    int m_fd = -1;
    std::thread m_thread; // last: starts after the members it uses exist
};

/// An HTTPS session whose TLS handshake runs under the caller's watchdog. Poco's own connect
/// performs the handshake inside the TCP connect with only per-read timeouts, and a handshake
/// that times out there is silently left half done and resumed (with fresh timeouts) by the
/// first write, so a peer that accepts TCP but never speaks TLS could hold a call for several
/// timeouts. Here the TCP connect is bounded by the connection timeout, then the socket is handed
/// to the watchdog, then the handshake and Poco's peer check run explicitly.
class DeadlineSession : public Poco::Net::HTTPSClientSession {
  public:
    DeadlineSession(const std::string& host, unsigned short port, Poco::Net::Context::Ptr ctx)
        : HTTPSClientSession(host, port, std::move(ctx)) {
        Poco::Net::SecureStreamSocket(socket()).setLazyHandshake(true);
    }
    /// The watchdog of the exchange under way (the socket is armed once connected).
    void watchWith(Watchdog* watchdog) { m_watchdog = watchdog; }
    /// True if the next request goes over the open connection (Poco will not reconnect first).
    bool reusable() const { return connected() && getKeepAlive() && !mustReconnect(); }
    int fd() { return socket().impl()->sockfd(); }

  protected:
    void connect(const Poco::Net::SocketAddress& address) override {
        HTTPSClientSession::connect(address); // TCP only: the handshake is lazy
        if (m_watchdog != nullptr) {
            m_watchdog->arm(fd());
        }
        Poco::Net::SecureStreamSocket tls(socket());
        if (tls.completeHandshake() != 1) {
            throw Poco::Net::SSLConnectionUnexpectedlyClosedException();
        }
        tls.verifyPeerCertificate();
    }

  private:
    Watchdog* m_watchdog = nullptr;
};

class HttpsTransport : public HttpTransport {
  public:
    HttpsTransport(const std::string& baseUrl, const TlsSettings& tls) : m_tls(tls) {
        Poco::URI uri;
        try {
            uri = Poco::URI(baseUrl);
        } catch (const Poco::Exception&) {
            throw ConfigError("[api] url: not a URL: " + escapeForLog(redact(baseUrl), 200));
        }
        if (uri.getScheme() != "https" || uri.getHost().empty() || !uri.getUserInfo().empty() ||
            !uri.getRawQuery().empty() || !uri.getFragment().empty()) {
            throw ConfigError("[api] url must be https://host[:port][/path]: " +
                              escapeForLog(redact(baseUrl), 200));
        }
        m_host = uri.getHost();
        m_port = uri.getPort();
        m_prefix = uri.getPath();
        while (!m_prefix.empty() && m_prefix.back() == '/') {
            m_prefix.pop_back();
        }
        m_context = makeContext(m_host, tls);
    }

    HttpResponse send(const HttpRequest& request, milliseconds timeout) override {
        const auto deadline = Clock::now() + timeout;
        bool sent = false;
        try {
            m_closeAfterReply = false;
            HttpResponse out = exchange(request, deadline, sent);
            if (m_closeAfterReply) {
                m_session.reset();
            }
            return out;
        } catch (const TransportError&) {
            m_session.reset();
            throw;
        } catch (const Poco::Exception& e) {
            m_session.reset();
            const bool verify = !sent && isVerificationFailure(e);
            const std::string what =
                verify ? "TLS verification of " + m_host + " failed: " : std::string("network: ");
            throw TransportError(what + escapeForLog(redact(e.displayText()), 200), !verify, sent);
        } catch (const std::exception& e) {
            m_session.reset();
            throw TransportError("network: " + escapeForLog(redact(e.what()), 200), true, sent);
        }
    }

  private:
    HttpResponse exchange(const HttpRequest& request, Clock::time_point deadline, bool& sent) {
        if (m_session && !m_session->reusable()) {
            m_session.reset(); // a fresh connection, armed by DeadlineSession::connect
        }
        if (!m_session) {
            m_session = std::make_unique<DeadlineSession>(m_host, m_port, m_context);
            m_session->setKeepAlive(true);
        }
        // The watchdog runs from before the connect on: connect, handshake, request and reply
        // all fall under the one deadline.
        Watchdog watchdog(deadline);
        m_session->watchWith(&watchdog);
        if (m_session->reusable()) {
            watchdog.arm(m_session->fd());
        }
        const Poco::Timespan t = toTimespan(remaining(deadline));
        m_session->setTimeout(t, t, t);
        try {
            HttpResponse out = sendAndReceive(request, deadline, sent);
            m_session->watchWith(nullptr);
            if (watchdog.fired()) {
                throw timedOut(sent); // the reply may have been cut short
            }
            return out;
        } catch (...) {
            // Whatever broke the exchange, a fired watchdog (a shut-down socket) is the cause.
            m_session->watchWith(nullptr);
            if (watchdog.fired()) {
                throw timedOut(sent);
            }
            throw;
        }
    }

    /// The timeout error: before the request was sent it names the server, since the call never
    /// got past connecting to it (or its TLS handshake).
    TransportError timedOut(bool sent) const {
        if (sent) {
            return TransportError("timeout while waiting for the reply", true, true);
        }
        return TransportError("timeout connecting to " + m_host + ":" + std::to_string(m_port) +
                                  " (TCP connect or TLS handshake)",
                              true, false);
    }

    HttpResponse sendAndReceive(const HttpRequest& request, Clock::time_point deadline,
                                bool& sent) {
        Poco::Net::HTTPRequest req(request.method, m_prefix + request.target,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
        req.set("User-Agent", std::string("certagent/") + CERTAGENT_VERSION);
        if (!request.accept.empty()) {
            req.set("Accept", request.accept);
        }
        if (request.method == "POST") {
            req.setContentType(request.contentType);
            req.setContentLength(static_cast<std::streamsize>(request.body.size()));
        }
        for (const auto& [name, value] : request.headers) {
            req.set(name, value);
        }
        std::ostream& os = m_session->sendRequest(req);
        os.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
        sent = true; // from here on the server may act on the request
        return receive(deadline, request.method == "HEAD");
    }

    /// Reads the reply. A HEAD reply has no body (Poco reads none) whatever its Content-Length.
    HttpResponse receive(Clock::time_point deadline, bool head) {
        Poco::Net::HTTPResponse resp;
        std::istream& in = m_session->receiveResponse(resp);
        HttpResponse out;
        out.status = static_cast<int>(resp.getStatus());
        for (const auto& [k, v] : resp) {
            out.headers.emplace_back(k, v);
        }
        if (!head && resp.hasContentLength() &&
            resp.getContentLength64() > static_cast<Poco::Int64>(m_tls.maxBodyBytes)) {
            throw TransportError("reply body larger than the cap", true, true);
        }
        readBody(in, deadline, out.body);
        if (!head && resp.hasContentLength() &&
            static_cast<Poco::Int64>(out.body.size()) != resp.getContentLength64()) {
            throw TransportError("reply truncated", true, true);
        }
        m_closeAfterReply = !resp.getKeepAlive(); // closed once the watchdog is gone
        return out;
    }

    /// Reads the body one socket read at a time so the whole exchange stays inside `deadline`
    /// even if the server drips a byte at a time.
    void readBody(std::istream& in, Clock::time_point deadline, std::string& body) {
        char buf[8192];
        for (;;) {
            const milliseconds left = remaining(deadline);
            if (left.count() <= 0) {
                throw TransportError("timeout while reading the reply", true, true);
            }
            m_session->socket().setReceiveTimeout(toTimespan(left));
            if (in.peek() == std::char_traits<char>::eof()) {
                break;
            }
            const std::streamsize n = in.readsome(buf, sizeof buf);
            body.append(buf, static_cast<std::size_t>(n));
            if (body.size() > m_tls.maxBodyBytes) {
                throw TransportError("reply body larger than the cap", true, true);
            }
        }
        if (in.bad()) {
            throw TransportError("reply truncated", true, true);
        }
    }

    TlsSettings m_tls;
    std::string m_host;
    unsigned short m_port = 443;
    std::string m_prefix;
    Poco::Net::Context::Ptr m_context;
    std::unique_ptr<DeadlineSession> m_session;
    bool m_closeAfterReply = false; ///< the server said Connection: close
};

} // namespace

std::unique_ptr<HttpTransport> makeHttpsTransport(const std::string& baseUrl,
                                                  const TlsSettings& tls) {
    return std::make_unique<HttpsTransport>(baseUrl, tls);
}

} // namespace certagent::api
