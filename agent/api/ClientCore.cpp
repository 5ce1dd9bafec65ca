#include "api/ClientCore.h"

#include "api/Json.h"
#include "api/KeyCache.h"
#include "api/Replies.h"
#include "api/Requests.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/URI.h>

#include <algorithm>
#include <random>
#include <sstream>

namespace certagent::api::detail {

using Poco::JSON::Object;
using std::chrono::milliseconds;

namespace {

void wipeRequest(HttpRequest& req) {
    wipe(req.target);
    wipe(req.body);
}

std::optional<milliseconds> retryAfter(const HttpResponse& resp) {
    const std::string v = resp.header("Retry-After");
    if (v.size() > 9 || !allDigits(v)) {
        return std::nullopt;
    }
    return milliseconds(std::stoll(v) * 1000);
}

} // namespace

ClientCore::ClientCore(ApiSettings s, Credentials c, std::unique_ptr<HttpTransport> t, Clock& cl)
    : m_settings(std::move(s)), m_creds(std::move(c)), m_transport(std::move(t)), m_clock(cl),
      m_cache(m_settings.keyCachePath, m_settings.url, m_creds.user),
      m_rng(std::random_device{}()) {
    if (!m_transport) {
        TlsSettings tls;
        tls.caFile = m_settings.caFile;
        tls.maxBodyBytes = m_settings.maxBodyBytes;
        m_transport = makeHttpsTransport(m_settings.url, tls);
    }
}

std::string ClientCore::scrub(std::string text) const {
    for (const std::string* secret :
         {&m_creds.pass.reveal(), &m_creds.user, &m_key.reveal(), &m_oldKey.reveal()}) {
        if (secret->size() < 3) {
            continue;
        }
        std::string encoded;
        Poco::URI::encode(*secret, "!#$&'()*+,/:;=?@[]", encoded);
        for (const std::string& needle : {*secret, encoded}) {
            for (std::size_t at = text.find(needle); at != std::string::npos;
                 at = text.find(needle, at + 3)) {
                text.replace(at, needle.size(), "***");
            }
        }
    }
    return text;
}

void ClientCore::rememberDate(const HttpResponse& resp) {
    Poco::DateTime date;
    int tzd = 0;
    const std::string value = resp.header("Date");
    if (!value.empty() &&
        Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::HTTP_FORMAT, value, date, tzd)) {
        date.makeUTC(tzd);
        m_serverDate = timePointOf(date.timestamp().epochTime()); // a Date of 9999 saturates
    }
}

void ClientCore::log(const std::string& raw, bool failed) {
    const std::string line = scrub(raw);
    if (m_settings.log) {
        m_settings.log(line);
    } else if (failed) {
        Poco::Logger::get("certagent.api").warning(line);
    } else {
        Poco::Logger::get("certagent.api").information(line);
    }
}

ApiError ClientCore::error(const CallSpec& spec, const CallState& st, bool retryable,
                           const std::string& text, bool maybeProcessed) {
    ApiError::Details d;
    d.method = spec.name;
    d.orderId = spec.orderId;
    d.httpStatus = st.lastStatus;
    d.retryable = retryable;
    d.maybeProcessed = maybeProcessed;
    return ApiError(d, scrub(text));
}

/// Runs one call with logging: one line per call, whatever happens.
void ClientCore::run(const CallSpec& spec, const Consumer& consume) {
    runWith(spec, consume, false, std::nullopt);
}

void ClientCore::runWith(const CallSpec& spec, const Consumer& consume, bool isAuth,
                         std::optional<std::chrono::steady_clock::time_point> deadline) {
    CallState st;
    st.start = m_clock.now();
    st.deadline = deadline.value_or(st.start + m_settings.retryDeadline);
    if (m_bound && *m_bound < st.deadline) {
        st.deadline = *m_bound;
        st.bounded = true;
    }
    std::string outcome = "ok";
    try {
        execute(spec, consume, st, isAuth);
    } catch (const ApiError& e) {
        outcome = std::string("failed: ") + e.what();
        logCall(spec, st, outcome, true);
        throw;
    }
    logCall(spec, st, outcome, false);
}

void ClientCore::logCall(const CallSpec& spec, const CallState& st, const std::string& outcome,
                         bool failed) {
    const auto ms = std::chrono::duration_cast<milliseconds>(m_clock.now() - st.start).count();
    std::ostringstream line;
    line << "api " << spec.name;
    if (spec.orderId > 0) {
        line << " order " << spec.orderId;
    }
    line << ": HTTP " << st.lastStatus << ", " << st.attempts
         << (st.attempts == 1 ? " attempt, " : " attempts, ") << ms << " ms, " << outcome;
    log(redact(line.str()), failed);
}

void ClientCore::execute(const CallSpec& spec, const Consumer& consume, CallState& st,
                         bool isAuth) {
    for (;;) {
        if (!isAuth && m_key.empty()) {
            m_key = m_cache.load();
            if (m_key.empty()) {
                authenticate(st.deadline);
            }
        }
        const auto left = std::chrono::duration_cast<milliseconds>(st.deadline - m_clock.now());
        if (left.count() <= 0) {
            throw error(spec, st, true,
                        !st.bounded        ? "no reply within the retry deadline"
                        : st.attempts == 0 ? "not sent: no time left before the run's deadline"
                                           : "no reply before the run's deadline");
        }
        ++st.attempts;
        HttpRequest req = isAuth ? authRequest(spec) : buildRequest(spec, m_key.reveal());
        HttpResponse resp;
        try {
            resp = m_transport->send(req, std::min(milliseconds(m_settings.timeout), left));
        } catch (const TransportError& e) {
            wipeRequest(req);
            if (!e.retryable()) {
                throw error(spec, st, false, e.what());
            }
            retryOrThrow(spec, st, e.what(), e.sent());
            continue;
        }
        wipeRequest(req);
        st.lastStatus = resp.status;
        if (handleStatus(spec, st, resp, isAuth)) {
            continue;
        }
        if (consumeBody(spec, st, resp, consume, isAuth)) {
            return;
        }
    }
}

/// Handles a non-2xx status: returns true to try again, throws to give up, false for 2xx.
bool ClientCore::handleStatus(const CallSpec& spec, CallState& st, const HttpResponse& resp,
                              bool isAuth) {
    const int s = resp.status;
    const std::string http = "HTTP " + std::to_string(s);
    if ((s == 401 || s == 403) && isAuth) {
        throw error(spec, st, false, "credentials refused (" + http + ")");
    }
    if (s == 401 || s == 403) {
        reauthenticate(spec, st, http);
        return true;
    }
    if (s >= 300 && s < 400) {
        throw error(spec, st, false,
                    "redirect (" + http + ") to \"" +
                        escapeForLog(redact(resp.header("Location")), 200) + "\" not followed");
    }
    if (s == 429) {
        backoff(spec, st, http, retryAfter(resp).value_or(milliseconds(1000)), true);
        return true;
    }
    if (s >= 500 && s < 600) {
        retryOrThrow(spec, st, http, true);
        return true;
    }
    if (s < 200 || s >= 300) {
        std::string message, description;
        std::string text = http;
        try {
            const auto obj = parseObject(resp.body);
            if (errorEnvelope(*obj, message, description)) {
                text += ": " + escapeForLog(redact(message + " " + description), 300);
            }
        } catch (const UnreadableReply&) {
        }
        throw error(spec, st, false, text);
    }
    return false;
}

/// The service says the key is unusable (`why`): forget it, authenticate again and let the
/// caller repeat the call (safe for writes too: the request was refused). Once per call.
void ClientCore::reauthenticate(const CallSpec& spec, CallState& st, const std::string& why) {
    if (st.reauthed) {
        throw error(spec, st, false,
                    "auth key refused again after re-authenticating (" + why + ")");
    }
    st.reauthed = true;
    m_oldKey = std::move(m_key);
    m_cache.remove();
    authenticate(st.deadline);
}

/// Parses a 2xx body; returns true when consumed, false to try again; throws to give up.
bool ClientCore::consumeBody(const CallSpec& spec, CallState& st, const HttpResponse& resp,
                             const Consumer& consume, bool isAuth) {
    try {
        if (resp.body.size() > m_settings.maxBodyBytes) {
            throw UnreadableReply("reply body larger than the cap");
        }
        const Object::Ptr obj = parseObject(resp.body);
        std::string message, description;
        if (errorEnvelope(*obj, message, description)) {
            if (!isAuth && isAuthKeyRefusal(message, description)) {
                reauthenticate(spec, st, refusalText("HTTP 200: ", message, description, ""));
                return false;
            }
            throw refusal(spec, resp.status, message, description, "");
        }
        consume(*obj);
        rememberDate(resp);
        return true;
    } catch (const RefusedReply& e) {
        throw refusal(spec, resp.status, e.what(), "", "the reply says \"success\": false");
    } catch (const UnreadableReply& e) {
        retryOrThrow(spec, st, std::string("unreadable reply: ") + e.what(), true);
        return false;
    } catch (const MismatchedReply& e) {
        throw error(spec, st, false, e.what());
    }
}

/// A refusal by the service (error envelope, or `"success": false`): exit 4, never retried.
/// "<prefix><message> (<description>)", escaped and scrubbed; `ifSilent` when both are empty.
std::string ClientCore::refusalText(const std::string& prefix, const std::string& message,
                                    const std::string& description, const char* ifSilent) const {
    std::string text = prefix + escapeForLog(redact(scrub(message)), 200);
    if (message.empty() && description.empty()) {
        text += ifSilent;
    } else if (!description.empty()) {
        text += " (" + escapeForLog(redact(scrub(description)), 300) + ")";
    }
    return text;
}

/// `ifSilent` is the text when the reply gave neither message nor description.
ApiError ClientCore::refusal(const CallSpec& spec, int httpStatus, const std::string& message,
                             const std::string& description, const char* ifSilent) const {
    ApiError::Details d;
    d.method = spec.name;
    d.orderId = spec.orderId;
    d.httpStatus = httpStatus;
    d.apiMessage = scrub(message);
    d.description = scrub(description);
    return ApiError(d, refusalText("refused: ", message, description, ifSilent));
}

/// A failure that may be transient: retry idempotent calls; a write that may have been
/// processed is not repeated.
void ClientCore::retryOrThrow(const CallSpec& spec, CallState& st, const std::string& problem,
                              bool maybeProcessed) {
    if (!spec.idempotent && maybeProcessed) {
        throw error(spec, st, true,
                    problem + " (not repeated: the request may have been processed)", true);
    }
    const int n = std::min(st.attempts, 16);
    const long long cap = std::min<long long>(m_settings.retryBase.count() << (n - 1), 30000);
    std::uniform_int_distribution<long long> dist(cap / 2, std::max(cap, 1LL));
    backoff(spec, st, problem, milliseconds(dist(m_rng)), false);
}

void ClientCore::backoff(const CallSpec& spec, CallState& st, const std::string& problem,
                         milliseconds delay, bool clamp) {
    if (clamp) {
        delay = std::clamp(delay, milliseconds(1000), milliseconds(60000));
    }
    if (m_clock.now() + delay >= st.deadline) {
        throw error(spec, st, true,
                    "gave up after " + std::to_string(st.attempts) + " attempts " +
                        (st.bounded
                             ? std::string("before the run's deadline")
                             : "within " + std::to_string(m_settings.retryDeadline.count()) + "s") +
                        ": " + problem);
    }
    m_clock.sleepFor(delay);
}

HttpRequest ClientCore::authRequest(const CallSpec& spec) {
    HttpRequest req = buildRequest(spec, "");
    Params form{{"user", m_creds.user}, {"pass", m_creds.pass.reveal()}};
    req.body = formEncode(form);
    wipe(form[1].second);
    return req;
}

void ClientCore::authenticate(std::optional<std::chrono::steady_clock::time_point> deadline) {
    const CallSpec spec{"auth", 0, "POST", "/auth/", {}, {}, true};
    Secret fresh;
    runWith(
        spec, [&](const Object& obj) { fresh = parseAuthKey(obj); }, true, deadline);
    m_key = std::move(fresh);
    const std::string why = m_cache.store(m_key);
    if (!why.empty()) {
        log("api auth: cannot cache the auth key: " + escapeForLog(why, 300), true);
    }
}

} // namespace certagent::api::detail
