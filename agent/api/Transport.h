#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace certagent::api {

/// One HTTP request, relative to the base URL.
struct HttpRequest {
    std::string method; ///< "GET", "POST" or "HEAD" (a HEAD reply has no body)
    std::string
        target; ///< path below the base URL plus "?query", e.g. "/orders/status/7?auth_key=..."
    std::string body;        ///< form-encoded for POST, empty for GET
    std::string contentType; ///< "application/x-www-form-urlencoded" for POST
    /// Accept header ("" = none sent).
    std::string accept = "application/json";
    /// Extra request headers (etcd's `Authorization: <token>`); values may be secrets, so
    /// transports never log them.
    std::vector<std::pair<std::string, std::string>> headers;
};

/// One HTTP reply.
struct HttpResponse {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    /// First header with that name (case-insensitive), or "".
    std::string header(const std::string& name) const;
    /// Every value of a header that may repeat (Link), in reply order (case-insensitive name).
    std::vector<std::string> headerValues(const std::string& name) const;
};

/// Thrown by transports. `retryable` = connect failure, timeout, reset, oversized body;
/// not retryable = TLS verification failure, bad URL. `sent` = the request may have reached the
/// server (the failure came after the connection and handshake were complete).
class TransportError : public std::runtime_error {
  public:
    TransportError(const std::string& what, bool retryable, bool sent)
        : std::runtime_error(what), m_retryable(retryable), m_sent(sent) {}
    bool retryable() const { return m_retryable; }
    bool sent() const { return m_sent; }

  private:
    bool m_retryable;
    bool m_sent;
};

/// Sends one request (seam for unit tests). Implementations never follow redirects and cap the
/// body they read; they throw TransportError, never anything else for network failures.
class HttpTransport {
  public:
    virtual ~HttpTransport() = default;
    /// Sends `request` and returns the reply; `timeout` bounds the whole exchange.
    virtual HttpResponse send(const HttpRequest& request, std::chrono::milliseconds timeout) = 0;
};

/// Time and sleeping (seam for the retry policy).
class Clock {
  public:
    virtual ~Clock() = default;
    virtual std::chrono::steady_clock::time_point now() = 0;
    virtual void sleepFor(std::chrono::milliseconds duration) = 0;
};

/// The real steady clock and std::this_thread::sleep_for.
Clock& systemClock();

/// TLS settings of the real transport.
struct TlsSettings {
    std::string caFile; ///< trust anchor (PEM file), beside the system store if systemTrust
    std::size_t maxBodyBytes = 4 * 1024 * 1024;
    std::string clientCertFile; ///< PEM client certificate (chain) for mTLS; "" = none
    std::string clientKeyFile;  ///< its private key (PEM); required with clientCertFile
    /// Trust the system store besides caFile. etcd turns it off: its members are certified by a
    /// private CA only, and a public CA must not be able to vouch for them.
    bool systemTrust = true;
};

/// The real transport: Poco HTTPSClientSession, keep-alive, one private Poco Context per
/// transport with peer verification against the system store (unless !systemTrust) plus
/// `caFile`, host name (or IP) checked by OpenSSL during the handshake (before any request byte
/// is sent), an optional client certificate (mTLS), TLS 1.2 minimum,
/// no certificate-accepting handler, no redirects followed. The whole reply (header and body) must
/// arrive within the timeout given to send() (a watchdog shuts the socket down otherwise); bodies
/// over maxBodyBytes are refused. send() throws TransportError. Throws ConfigError if the base
/// URL is not https://host[:port][/path], `caFile` cannot be loaded, or the client certificate
/// and key cannot be loaded or do not match.
std::unique_ptr<HttpTransport> makeHttpsTransport(const std::string& baseUrl,
                                                  const TlsSettings& tls);

} // namespace certagent::api
