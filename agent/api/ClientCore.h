#pragma once

// Internal: the call machinery behind ApiClient (auth, retry policy, logging).

#include "api/ApiError.h"
#include "api/KeyCache.h"
#include "api/Requests.h"
#include "api/Transport.h"
#include "api/Types.h"

#include <Poco/JSON/Object.h>

#include <functional>
#include <optional>
#include <random>

namespace certagent::api::detail {

/// Receives the parsed reply of a successful call; throws UnreadableReply/MismatchedReply.
using Consumer = std::function<void(const Poco::JSON::Object&)>;

/// Progress of one call (all its attempts).
struct CallState {
    std::chrono::steady_clock::time_point start;
    std::chrono::steady_clock::time_point deadline;
    bool bounded = false; ///< the caller's bound (setBound), not the retry deadline, ends it
    int attempts = 0;
    int lastStatus = 0;
    bool reauthed = false;
};

class ClientCore {
  public:
    ClientCore(ApiSettings settings, Credentials credentials,
               std::unique_ptr<HttpTransport> transport, Clock& clock);

    /// Performs `spec` (auth, retries, one log line) and hands the reply to `consume`.
    void run(const CallSpec& spec, const Consumer& consume);
    /// POST /auth/ now, within `deadline` if given, and cache the key.
    void authenticate(std::optional<std::chrono::steady_clock::time_point> deadline = {});
    /// Every call from now on ends by `until` (nullopt: by its own retry deadline only).
    void setBound(std::optional<std::chrono::steady_clock::time_point> until) { m_bound = until; }
    /// Logs a warning line (scrubbed of secrets; the caller escapes untrusted text).
    void warn(const std::string& line) { log(line, true); }
    /// `Date` header of the last successful reply.
    std::optional<std::chrono::system_clock::time_point> lastServerDate() const {
        return m_serverDate;
    }

  private:
    void runWith(const CallSpec& spec, const Consumer& consume, bool isAuth,
                 std::optional<std::chrono::steady_clock::time_point> deadline);
    void log(const std::string& line, bool failed);
    ApiError error(const CallSpec& spec, const CallState& st, bool retryable,
                   const std::string& text, bool maybeProcessed = false);
    void logCall(const CallSpec& spec, const CallState& st, const std::string& outcome,
                 bool failed);
    void execute(const CallSpec& spec, const Consumer& consume, CallState& st, bool isAuth);
    bool handleStatus(const CallSpec& spec, CallState& st, const HttpResponse& resp, bool isAuth);
    bool consumeBody(const CallSpec& spec, CallState& st, const HttpResponse& resp,
                     const Consumer& consume, bool isAuth);
    void reauthenticate(const CallSpec& spec, CallState& st, const std::string& why);
    std::string refusalText(const std::string& prefix, const std::string& message,
                            const std::string& description, const char* ifSilent) const;
    ApiError refusal(const CallSpec& spec, int httpStatus, const std::string& message,
                     const std::string& description, const char* ifSilent) const;
    void retryOrThrow(const CallSpec& spec, CallState& st, const std::string& problem,
                      bool maybeProcessed);
    void backoff(const CallSpec& spec, CallState& st, const std::string& problem,
                 std::chrono::milliseconds delay, bool clamp);
    HttpRequest authRequest(const CallSpec& spec);
    void rememberDate(const HttpResponse& resp);
    /// Replaces the user, password and auth keys (plain and URL-encoded) with ***: the server
    /// may echo them back in messages.
    std::string scrub(std::string text) const;

    ApiSettings m_settings;
    Credentials m_creds;
    std::unique_ptr<HttpTransport> m_transport;
    Clock& m_clock;
    KeyCache m_cache;
    Secret m_key;
    Secret m_oldKey; ///< the last rejected key, still scrubbed from texts
    std::mt19937_64 m_rng;
    std::optional<std::chrono::system_clock::time_point> m_serverDate;
    std::optional<std::chrono::steady_clock::time_point> m_bound;
};

} // namespace certagent::api::detail
