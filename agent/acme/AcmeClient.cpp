#include "acme/AcmeClient.h"

#include "util/Text.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <sstream>

namespace certagent::acme {

using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

/// A retryable outcome (exit 3), with the CA's wait hint and whether the request may have been
/// acted on.
ServiceError::Info temporary(std::optional<seconds> retryAfter = std::nullopt,
                             bool maybeProcessed = false) {
    ServiceError::Info info;
    info.retryable = true;
    info.maybeProcessed = maybeProcessed;
    info.retryAfter = retryAfter;
    return info;
}

} // namespace

/// One logical call: what to send and whether it may be repeated.
struct AcmeClient::Call {
    std::string step;
    std::string method; ///< GET | HEAD | POST
    std::string url;    ///< checked
    std::string accept = "application/json";
    const Poco::JSON::Object* payload = nullptr; ///< POST only; nullptr = POST-as-GET
    bool useJwk = false;
    Repeat repeat = Repeat::Safe;
};

/// Progress of one call (all its attempts).
struct AcmeClient::Attempts {
    std::chrono::steady_clock::time_point start;
    std::chrono::steady_clock::time_point deadline;
    int attempts = 0;
    int badNonces = 0;
    int lastStatus = 0;
};

AcmeClient::AcmeClient(ClientSettings settings, AccountKey key,
                       std::unique_ptr<api::HttpTransport> transport, api::Clock& clock)
    : m_settings(std::move(settings)), m_origin(m_settings.directoryUrl, "acme directory"),
      m_key(std::move(key)), m_transport(std::move(transport)), m_clock(clock),
      m_rng(std::random_device{}()) {
    if (!m_transport) {
        api::TlsSettings tls;
        tls.caFile = m_settings.caFile;
        tls.maxBodyBytes = m_settings.maxBodyBytes;
        m_transport = api::makeHttpsTransport(m_origin.base(), tls);
    }
    if (!m_settings.wallClock) {
        m_settings.wallClock = [] { return std::chrono::system_clock::now(); };
    }
}

const Directory& AcmeClient::directory() {
    if (!m_directory) {
        const Reply r = get("directory", m_settings.directoryUrl);
        useDirectory(r.body);
    }
    return *m_directory;
}

void AcmeClient::useDirectory(const std::string& body) {
    Reply r;
    r.url = m_settings.directoryUrl;
    m_directory = readReply("directory", r,
                            [&] { return readDirectory(body, m_settings.directoryUrl, m_origin); });
    m_directoryBody = body;
}

void AcmeClient::setAccountUrl(const std::string& url) {
    try {
        m_accountUrl = m_origin.check(url, "account URL");
    } catch (const BadReply& e) {
        throw brokenReply("account", e.what());
    }
}

Reply AcmeClient::post(const std::string& step, const std::string& url,
                       const Poco::JSON::Object& payload, Repeat repeat) {
    Call c{step, "POST", url};
    c.payload = &payload;
    c.repeat = repeat;
    return call(c);
}

Reply AcmeClient::postWithJwk(const std::string& step, const std::string& url,
                              const Poco::JSON::Object& payload, Repeat repeat) {
    Call c{step, "POST", url};
    c.payload = &payload;
    c.useJwk = true;
    c.repeat = repeat;
    return call(c);
}

Reply AcmeClient::postAsGet(const std::string& step, const std::string& url,
                            const std::string& accept) {
    Call c{step, "POST", url, accept};
    return call(c);
}

Reply AcmeClient::get(const std::string& step, const std::string& url, Repeat repeat) {
    Call c{step, "GET", url};
    c.repeat = repeat;
    return call(c);
}

Reply AcmeClient::call(const Call& spec) {
    Attempts st;
    st.start = m_clock.now();
    st.deadline = st.start + m_settings.callDeadline;
    try {
        Call checked = spec;
        try {
            checked.url = m_origin.check(spec.url, "URL");
        } catch (const BadReply& e) {
            throw failure(spec, st, e.what(), {});
        }
        Reply r = run(checked, st);
        logCall(spec, st, "ok", false);
        return r;
    } catch (const AcmeError& e) {
        logCall(spec, st, std::string("failed: ") + e.what(), true);
        throw;
    }
}

Reply AcmeClient::run(const Call& spec, Attempts& st) {
    for (;;) {
        const auto left = std::chrono::duration_cast<milliseconds>(st.deadline - m_clock.now());
        if (left.count() <= 0) {
            throw failure(spec, st, "no reply within the call deadline", temporary());
        }
        api::HttpRequest req = request(spec, st);
        ++st.attempts;
        ++m_stats.requests;
        api::HttpResponse resp;
        try {
            resp = m_transport->send(req, std::min(m_settings.timeout, left));
        } catch (const api::TransportError& e) {
            handleTransport(spec, st, e);
            continue;
        }
        m_nonces.take(resp); // error replies carry fresh nonces too (§6.5)
        st.lastStatus = resp.status;
        if (resp.status >= 200 && resp.status < 300) {
            return reply(spec, resp);
        }
        handleError(spec, st, resp);
    }
}

api::HttpRequest AcmeClient::request(const Call& spec, Attempts& st) {
    api::HttpRequest req;
    req.method = spec.method;
    req.target = Origin::target(spec.url);
    req.accept = spec.accept;
    if (spec.method == "POST") {
        if (!spec.useJwk && m_accountUrl.empty()) {
            throw Error("acme " + spec.step + ": no account URL to sign with", kExitInternal);
        }
        const std::string nonce = freshNonce(st);
        req.contentType = "application/jose+json";
        req.body = flattenedJws(Signer{m_key, spec.useJwk ? std::string() : m_accountUrl}, spec.url,
                                nonce, spec.payload);
    }
    return req;
}

std::string AcmeClient::freshNonce(Attempts& st) {
    if (auto nonce = m_nonces.pop()) {
        return *nonce;
    }
    Call head{"newNonce", "HEAD", m_origin.check(directory().newNonce, "newNonce")};
    Attempts inner;
    inner.start = m_clock.now();
    inner.deadline = st.deadline;
    ++m_stats.nonceFetches;
    run(head, inner);
    if (auto nonce = m_nonces.pop()) {
        return *nonce;
    }
    throw brokenReply("newNonce", "reply without a valid Replay-Nonce", inner.lastStatus);
}

/// A non-2xx reply: returns to try again (badNonce, transient 5xx), throws otherwise.
void AcmeClient::handleError(const Call& spec, Attempts& st, const api::HttpResponse& resp) {
    const int s = resp.status;
    const std::optional<Problem> problem = readProblem(resp.body);
    const std::string type = problem ? problem->shortType : std::string();
    const auto hint = retryAfterOf(resp);
    const std::string text =
        "HTTP " + std::to_string(s) + (problem ? " " + problem->describe() : "");
    if (type == "badNonce") {
        ++m_stats.badNonces;
        if (++st.badNonces > kMaxBadNonceRetries) {
            throw failure(spec, st,
                          "badNonce " + std::to_string(st.badNonces) +
                              " times in one call: " + text,
                          temporary(), type);
        }
        return; // re-signed at once with the nonce of this very reply
    }
    if (s >= 300 && s < 400) {
        throw failure(spec, st,
                      "redirect (HTTP " + std::to_string(s) + ") to \"" +
                          escapeForLog(resp.header("Location"), 200) + "\" not followed",
                      {});
    }
    if (s == 429 || type == "rateLimited") {
        throw failure(spec, st, text, temporary(hint), type);
    }
    if (s >= 500 || type == "serverInternal") {
        if (spec.repeat == Repeat::Once) {
            throw failure(spec, st, text, temporary(hint), type);
        }
        if (spec.repeat == Repeat::Never) {
            // A 503 is a refusal before any work; other 5xx may come after the CA acted.
            throw failure(spec, st, text, temporary(hint, s != 503), type);
        }
        wait(spec, st, text, hint);
        return;
    }
    throw failure(spec, st, text, {}, type);
}

void AcmeClient::handleTransport(const Call& spec, Attempts& st, const api::TransportError& e) {
    if (!e.retryable()) {
        throw failure(spec, st, e.what(), {});
    }
    if (spec.repeat == Repeat::Once) {
        throw failure(spec, st, e.what(), temporary());
    }
    if (spec.repeat == Repeat::Never && e.sent()) {
        throw failure(spec, st,
                      std::string(e.what()) +
                          " (not repeated: the request may have reached the CA)",
                      temporary(std::nullopt, true));
    }
    wait(spec, st, e.what(), std::nullopt);
}

void AcmeClient::wait(const Call& spec, Attempts& st, const std::string& problem,
                      std::optional<seconds> hint) {
    const int n = std::min(st.attempts, 16);
    const long long cap = std::min<long long>(m_settings.retryBase.count() << (n - 1), 30000);
    std::uniform_int_distribution<long long> jitter(cap / 2, std::max(cap, 1LL));
    milliseconds delay(jitter(m_rng));
    if (hint) {
        delay = std::max<milliseconds>(delay, *hint);
    }
    if (m_clock.now() + delay >= st.deadline) {
        throw failure(spec, st,
                      "gave up after " + std::to_string(st.attempts) + " attempts: " + problem,
                      temporary(hint));
    }
    m_clock.sleepFor(delay);
}

Reply AcmeClient::reply(const Call& spec, const api::HttpResponse& resp) const {
    Reply r;
    r.status = resp.status;
    r.url = spec.url;
    r.body = resp.body;
    r.contentType = resp.header("Content-Type");
    r.retryAfter = retryAfterOf(resp);
    try {
        const std::string location = resp.header("Location");
        if (!location.empty()) {
            r.location = m_origin.check(location, "Location", spec.url);
        }
        for (const Link& link : parseLinks(resp.headerValues("Link"))) {
            if (link.rel == "alternate") {
                r.alternates.push_back(m_origin.check(link.url, "Link rel=alternate", spec.url));
            } else if (link.rel == "next") {
                r.next = m_origin.check(link.url, "Link rel=next", spec.url);
            }
        }
    } catch (const BadReply& e) {
        throw badReply(spec.step, r, e, spec.repeat == Repeat::Never);
    }
    return r;
}

AcmeError AcmeClient::failure(const Call& spec, const Attempts& st, const std::string& text,
                              ServiceError::Info info, const std::string& problemType) const {
    return AcmeError({spec.step, st.lastStatus, problemType}, text, info);
}

std::optional<seconds> AcmeClient::retryAfterOf(const api::HttpResponse& resp) const {
    const std::string value = resp.header("Retry-After");
    if (value.empty()) {
        return std::nullopt;
    }
    // An HTTP-date is relative to the CA's own clock when it says what that is.
    const auto serverNow = parseHttpDate(resp.header("Date"));
    return parseRetryAfter(value, serverNow.value_or(m_settings.wallClock()));
}

void AcmeClient::logCall(const Call& spec, const Attempts& st, const std::string& outcome,
                         bool failed) const {
    const auto ms = std::chrono::duration_cast<milliseconds>(m_clock.now() - st.start).count();
    std::ostringstream line;
    line << "acme " << spec.step << ": HTTP " << st.lastStatus << ", " << st.attempts
         << (st.attempts == 1 ? " attempt, " : " attempts, ");
    if (st.badNonces > 0) {
        line << st.badNonces << " badNonce, ";
    }
    line << ms << " ms, " << outcome;
    if (m_settings.log) {
        m_settings.log(line.str());
    } else if (failed) {
        Poco::Logger::get("certagent.acme").warning(line.str());
    } else {
        Poco::Logger::get("certagent.acme").information(line.str());
    }
}

AcmeError badReply(const std::string& step, const Reply& reply, const BadReply& e,
                   bool maybeProcessed) {
    ServiceError::Info info;
    info.retryable = e.transient();
    info.maybeProcessed = maybeProcessed;
    return AcmeError({step, reply.status, {}}, e.what(), info);
}

} // namespace certagent::acme
