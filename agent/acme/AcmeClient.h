#pragma once

// The ACME call machinery (RFC 8555 §6): directory, nonces, signed requests, retries, errors.
// Resources (account, orders, ARI) are read by the functions in Account.h, Orders.h and Ari.h.

#include "acme/AcmeError.h"
#include "acme/Jws.h"
#include "acme/Nonces.h"
#include "acme/Types.h"
#include "acme/Wire.h"
#include "api/Transport.h"

#include <Poco/JSON/Object.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace certagent::acme {

/// How the client talks to one CA.
struct ClientSettings {
    std::string directoryUrl; ///< https://host[:port]/path: the origin of every other URL
    std::string caFile;       ///< extra TLS anchor for the CA's host ("" = system store only)
    std::chrono::milliseconds timeout{30000};      ///< one exchange
    std::chrono::milliseconds callDeadline{60000}; ///< all attempts of one call
    std::chrono::milliseconds retryBase{500};      ///< first step of the jittered ladder
    std::size_t maxBodyBytes = 4 * 1024 * 1024;
    /// One line per call; unset = Poco logger "certagent.acme".
    std::function<void(const std::string&)> log;
    /// Wall clock for an HTTP-date Retry-After when the reply has no Date; unset = system clock.
    std::function<std::chrono::system_clock::time_point()> wallClock;
};

/// Whether a call may be sent again after it may have reached the CA (design-acme.md §3.3).
/// Never: newAccount, newOrder, challenge response, finalize — the caller reconciles instead.
/// Once: an advisory GET (renewalInfo) whose caller has its own, longer retry: one attempt.
enum class Repeat { Safe, Never, Once };

/// A 2xx reply with its URLs already resolved and checked against the directory's origin.
struct Reply {
    int status = 0;
    std::string url;                     ///< where the request went
    std::string location;                ///< Location ("" when absent)
    std::vector<std::string> alternates; ///< Link rel="alternate", in order
    std::string next;                    ///< Link rel="next" ("" when absent)
    std::optional<std::chrono::seconds> retryAfter;
    std::string contentType;
    std::string body;
};

/// One CA, one account key. Not thread-safe. Every method throws AcmeError for a failed call.
class AcmeClient {
  public:
    /// Most badNonce replies retried within one call (the 21st fails with exit 3). Not 10: at
    /// 50 % rejection 11 in a row end one call in 2048, about one run in 25 of 10 certificates.
    static constexpr int kMaxBadNonceRetries = 20;

    /// `transport` nullptr = the real HTTPS transport for the directory's origin. Throws
    /// ConfigError for a directory URL that is not https or an unreadable caFile.
    AcmeClient(ClientSettings settings, AccountKey key,
               std::unique_ptr<api::HttpTransport> transport = nullptr,
               api::Clock& clock = api::systemClock());

    const Origin& origin() const { return m_origin; }
    const AccountKey& key() const { return m_key; }

    /// The directory: fetched on first use (GET, retried), then kept for the client's life.
    const Directory& directory();
    /// Uses a directory body kept from an earlier run instead of fetching it (same checks).
    void useDirectory(const std::string& body);
    /// The body of the directory in use ("" before directory()/useDirectory()).
    const std::string& directoryBody() const { return m_directoryBody; }

    /// The account URL ("kid") signed requests carry; "" until set.
    const std::string& accountUrl() const { return m_accountUrl; }
    /// Sets the account URL (from newAccount or storage). Throws AcmeError (4) when off-origin.
    void setAccountUrl(const std::string& url);

    /// Signed POST with the account URL as kid.
    Reply post(const std::string& step, const std::string& url, const Poco::JSON::Object& payload,
               Repeat repeat);
    /// Signed POST with the JWK embedded (newAccount: no account URL yet).
    Reply postWithJwk(const std::string& step, const std::string& url,
                      const Poco::JSON::Object& payload, Repeat repeat);
    /// POST-as-GET (§6.3): empty payload, kid, retried.
    Reply postAsGet(const std::string& step, const std::string& url,
                    const std::string& accept = "application/json");
    /// Unauthenticated GET (directory, renewalInfo), retried unless `repeat` is Once.
    Reply get(const std::string& step, const std::string& url, Repeat repeat = Repeat::Safe);

    /// Counters since construction (for logs and the side-by-side script).
    struct Stats {
        int requests = 0;     ///< HTTP exchanges attempted
        int badNonces = 0;    ///< badNonce replies retried or given up on
        int nonceFetches = 0; ///< HEAD newNonce requests
    };
    const Stats& stats() const { return m_stats; }

  private:
    struct Call;
    struct Attempts;
    Reply call(const Call& spec);
    Reply run(const Call& spec, Attempts& st);
    api::HttpRequest request(const Call& spec, Attempts& st);
    std::string freshNonce(Attempts& st);
    void handleError(const Call& spec, Attempts& st, const api::HttpResponse& resp);
    void handleTransport(const Call& spec, Attempts& st, const api::TransportError& e);
    void wait(const Call& spec, Attempts& st, const std::string& problem,
              std::optional<std::chrono::seconds> hint);
    Reply reply(const Call& spec, const api::HttpResponse& resp) const;
    AcmeError failure(const Call& spec, const Attempts& st, const std::string& text,
                      ServiceError::Info info, const std::string& problemType = {}) const;
    std::optional<std::chrono::seconds> retryAfterOf(const api::HttpResponse& resp) const;
    void logCall(const Call& spec, const Attempts& st, const std::string& outcome,
                 bool failed) const;

    ClientSettings m_settings;
    Origin m_origin;
    AccountKey m_key;
    std::unique_ptr<api::HttpTransport> m_transport;
    api::Clock& m_clock;
    NoncePool m_nonces;
    std::optional<Directory> m_directory;
    std::string m_directoryBody;
    std::string m_accountUrl;
    std::mt19937_64 m_rng;
    Stats m_stats;
};

/// The AcmeError for a reply a reader refused: exit 3 when the body could not be read at all,
/// else 4; `maybeProcessed` for a non-idempotent call whose effect is now uncertain.
AcmeError badReply(const std::string& step, const Reply& reply, const BadReply& e,
                   bool maybeProcessed = false);

/// Runs `read` (a Types reader over `reply`) and turns its BadReply into badReply().
template <typename Read>
auto readReply(const std::string& step, const Reply& reply, Read&& read,
               bool maybeProcessed = false) -> decltype(read()) {
    try {
        return read();
    } catch (const BadReply& e) {
        throw badReply(step, reply, e, maybeProcessed);
    }
}

} // namespace certagent::acme
