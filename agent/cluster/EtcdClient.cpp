#include "cluster/EtcdClient.h"

#include "cluster/EtcdWire.h"
#include "cluster/GatewayErrors.h"
#include "cluster/Json.h"
#include "util/Text.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>

namespace certagent::cluster {

using Poco::JSON::Object;
using Reason = EtcdError::Reason;

namespace {

constexpr std::size_t kMaxReplyBytes = 32 * 1024 * 1024;

bool contains(const std::string& text, const char* needle) {
    return text.find(needle) != std::string::npos;
}

/// Checks one [cluster] etcd entry: https://host[:port] with nothing after it.
void checkEndpoint(const std::string& endpoint) {
    const std::string shown = "[cluster] etcd: \"" + escapeForLog(endpoint, 200) + "\"";
    Poco::URI uri;
    try {
        uri = Poco::URI(endpoint);
    } catch (const Poco::Exception&) {
        throw ConfigError(shown + " is not a URL");
    }
    const std::string path = uri.getPath();
    const std::string host = uri.getHost();
    const bool plainHost = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':';
    });
    if (uri.getScheme() != "https" || !plainHost || !uri.getUserInfo().empty() ||
        !uri.getRawQuery().empty() || !uri.getFragment().empty() ||
        !(path.empty() || path == "/")) {
        throw ConfigError(shown + " is not an https://host:port URL");
    }
}

/// A TLS alert saying the member refused our client certificate: no retry fixes that.
bool clientCertificateRefused(const std::string& text) {
    for (const char* alert : {"alert bad certificate", "alert certificate required",
                              "alert unknown ca", "alert certificate expired",
                              "alert certificate revoked", "alert unsupported certificate"}) {
        if (contains(text, alert)) {
            return true;
        }
    }
    return false;
}

/// Wipes the secrets of a sent request: the token header, and the password of authenticate.
void wipeRequest(api::HttpRequest& req, const std::string& op) {
    for (auto& header : req.headers) {
        wipe(header.second);
    }
    if (op == "auth/authenticate") {
        wipe(req.body);
    }
}

} // namespace

/// Progress of one call over the member list.
struct EtcdClient::Attempts {
    std::vector<std::string> problems; ///< "<endpoint>: <what went wrong>"
    bool maybeProcessed = false;       ///< a write reached a member without a clear answer
    bool serverBusy = false;           ///< some member answered 5xx/429 in this round
    bool onlyRefusals = true;          ///< every failure so far was final (TLS verification)
    bool onlyCertRefusals = true;      ///< every failure so far was our client certificate's
    bool reauthed = false;
    int lastStatus = 0;
    int lastCode = -1;
    Object::Ptr reply;
};

EtcdClient::EtcdClient(EtcdSettings settings, TransportFactory factory, api::Clock& clock)
    : m_settings(std::move(settings)), m_clock(clock) {
    if (m_settings.endpoints.empty()) {
        throw ConfigError("[cluster] etcd: no endpoint given");
    }
    if (!m_settings.user.empty() && (!m_settings.password || m_settings.password->empty())) {
        throw ConfigError("[cluster] user is set but no password (password_file)");
    }
    if (m_settings.tls.caFile.empty()) {
        throw ConfigError("[cluster] ca_file: required (etcd's own CA; the system store is not "
                          "trusted for etcd)");
    }
    m_settings.tls.systemTrust = false;
    if (m_settings.tls.maxBodyBytes < kMaxReplyBytes) {
        m_settings.tls.maxBodyBytes = kMaxReplyBytes; // a page of 500 order records is large
    }
    for (const std::string& endpoint : m_settings.endpoints) {
        checkEndpoint(endpoint);
        std::unique_ptr<api::HttpTransport> transport;
        try {
            transport =
                factory ? factory(endpoint) : api::makeHttpsTransport(endpoint, m_settings.tls);
        } catch (const ConfigError& e) {
            throw ConfigError(std::string("[cluster] ") + e.what());
        }
        m_members.push_back({endpoint, std::move(transport)});
    }
}

EtcdClient::~EtcdClient() = default;

const std::string& EtcdClient::currentEndpoint() const {
    return m_members[m_current].endpoint;
}

std::string EtcdClient::scrub(std::string text) const {
    const std::string* secrets[] = {&m_token.reveal(),
                                    m_settings.password ? &m_settings.password->reveal() : nullptr};
    for (const std::string* secret : secrets) {
        if (secret == nullptr || secret->size() < 4) {
            continue;
        }
        for (auto at = text.find(*secret); at != std::string::npos; at = text.find(*secret, at)) {
            text.replace(at, secret->size(), "***");
        }
    }
    return text;
}

void EtcdClient::log(const std::string& line) const {
    if (m_settings.log) {
        m_settings.log(scrub(line));
    } else {
        Poco::Logger::get("certagent.etcd").warning(scrub(line));
    }
}

Object::Ptr EtcdClient::call(const std::string& op, const std::string& body, bool write,
                             bool withToken) {
    if (withToken && m_token.empty()) {
        authenticate();
    }
    Attempts st;
    for (int round = 0; round < 2; ++round) {
        st.serverBusy = false;
        for (std::size_t n = 0; n < m_members.size(); ++n) {
            const std::size_t i = (m_current + n) % m_members.size();
            Outcome outcome = attempt(i, op, body, write, withToken, st);
            if (outcome == Outcome::Reauth) {
                outcome = attempt(i, op, body, write, withToken, st);
            }
            if (outcome == Outcome::Answered) {
                m_current = i;
                // The members skipped on the way: logged only now, since a call that fails
                // everywhere says all of it in its one error line.
                for (const std::string& p : st.problems) {
                    log("etcd " + op + ": " + p);
                }
                return st.reply;
            }
        }
        if (!st.serverBusy || round == 1) {
            break;
        }
        log("etcd " + op + ": every member failed, one answered 5xx; trying again in 1 s");
        m_clock.sleepFor(std::chrono::seconds(1));
    }
    std::string problems;
    for (const std::string& p : st.problems) {
        problems += (problems.empty() ? "" : "; ") + p;
    }
    // Every member failing TLS verification or refusing our certificate is a configuration
    // problem, not an outage.
    const Reason reason = st.onlyRefusals ? Reason::Refused : Reason::Unavailable;
    EtcdError::Details d{op, reason, st.lastStatus, st.lastCode, st.maybeProcessed};
    const std::string why = st.onlyCertRefusals && !st.problems.empty()
                                ? ": every member refused this host's client certificate (check "
                                  "[cluster] cert_file and key_file)"
                                : "";
    throw EtcdError(d, scrub("no member answered" + why + " (" + problems + ")"));
}

EtcdClient::Outcome EtcdClient::attempt(std::size_t member, const std::string& op,
                                        const std::string& body, bool write, bool withToken,
                                        Attempts& st) {
    const Member& m = m_members[member];
    api::HttpRequest req;
    req.method = "POST";
    req.target = "/v3/" + op;
    req.body = body;
    req.contentType = "application/json";
    if (withToken && !m_token.empty()) {
        req.headers.emplace_back("Authorization", m_token.reveal());
    }
    api::HttpResponse resp;
    try {
        resp = m.transport->send(req, m_settings.timeout);
    } catch (const api::TransportError& e) {
        wipeRequest(req, op);
        st.maybeProcessed = st.maybeProcessed || (write && e.sent());
        const bool certRefused = clientCertificateRefused(e.what());
        st.onlyRefusals = st.onlyRefusals && (!e.retryable() || certRefused);
        st.onlyCertRefusals = st.onlyCertRefusals && certRefused;
        st.problems.push_back(m.endpoint + ": " + e.what());
        return Outcome::TryNext;
    }
    wipeRequest(req, op);
    st.lastStatus = resp.status;
    detail::GatewayError failure;
    if (resp.status == 200) {
        std::optional<detail::GatewayError> streamed;
        try {
            st.reply = detail::parseObject(resp.body, kMaxReplyBytes);
            // A stream call's error object is read here too: its fields may be just as wrong.
            streamed = detail::streamError(*st.reply);
        } catch (const detail::BadJson& e) {
            throw EtcdError({op, Reason::BadReply, 200, -1, write},
                            "unreadable reply from " + m.endpoint + ": " + e.what());
        }
        if (!streamed) {
            return Outcome::Answered;
        }
        failure = *streamed; // a stream call (keepalive) reports errors inside a 200
        st.lastStatus = failure.httpStatus > 0 ? failure.httpStatus : resp.status;
    } else {
        failure = detail::parseGatewayError(resp.body);
    }
    st.lastCode = failure.code;
    const int status = st.lastStatus;
    if (withToken && detail::isTokenProblem(failure.code, failure.message) && !st.reauthed &&
        !m_settings.user.empty()) {
        st.reauthed = true;
        log("etcd " + op + ": " + m.endpoint + ": " + detail::describe(status, failure) +
            "; authenticating again");
        m_token.clear();
        authenticate();
        return Outcome::Reauth;
    }
    const int code = failure.code;
    if (detail::isTransient(status, code)) {
        st.maybeProcessed = st.maybeProcessed || write;
        st.serverBusy = true;
        st.onlyRefusals = false;
        st.onlyCertRefusals = false;
        st.problems.push_back(m.endpoint + ": " + detail::describe(status, failure));
        return Outcome::TryNext;
    }
    refuse(op, status, code, failure.message);
}

void EtcdClient::refuse(const std::string& op, int status, int code, const std::string& message) {
    const detail::Refusal r =
        detail::classifyRefusal(op, status, code, message, !m_settings.user.empty());
    const std::string text = r.text + " (" + detail::describe(status, {0, code, message}) + ")";
    throw EtcdError({op, r.reason, status, code, false}, scrub(text));
}

void EtcdClient::authenticate() {
    if (m_settings.user.empty() || m_authDisabled) {
        return;
    }
    std::string body = detail::authBody(m_settings.user, m_settings.password->reveal());
    Object::Ptr reply;
    try {
        reply = call("auth/authenticate", body, false, false);
    } catch (const EtcdError& e) {
        wipe(body);
        if (e.grpcCode() != detail::kCodeFailedPrecondition) {
            throw;
        }
        // "authentication is not enabled": the token would be ignored anyway.
        m_authDisabled = true;
        log("etcd auth/authenticate: authentication is not enabled on the cluster; [cluster] "
            "user is not used");
        return;
    }
    wipe(body);
    try {
        m_token = Secret(detail::parseToken(*reply));
    } catch (const detail::BadJson& e) {
        throw EtcdError({"auth/authenticate", Reason::BadReply, 200, -1, false},
                        std::string("unreadable reply: ") + e.what());
    }
}

// --- the calls -----------------------------------------------------------------------------

namespace {

/// Runs `parse` on a reply, turning a shape problem into EtcdError(BadReply).
template <typename F>
auto parsed(const std::string& op, bool write, const Object::Ptr& reply, F parse) {
    try {
        return parse(*reply);
    } catch (const detail::BadJson& e) {
        throw EtcdError({op, Reason::BadReply, 200, -1, write},
                        std::string("unreadable reply: ") + e.what());
    }
}

} // namespace

RangeResult EtcdClient::range(const RangeRequest& request) {
    const Object::Ptr reply = call("kv/range", detail::rangeBody(request), false);
    return parsed("kv/range", false, reply,
                  [](const Object& o) { return detail::parseRange(o, ""); });
}

std::vector<KeyValue> EtcdClient::rangePrefix(const std::string& prefix, bool serializable,
                                              std::int64_t pageSize) {
    RangeRequest request = RangeRequest::prefix(prefix, pageSize);
    request.serializable = serializable;
    std::vector<KeyValue> all;
    for (;;) {
        RangeResult page = range(request);
        if (page.more && page.kvs.empty()) {
            throw EtcdError({"kv/range", Reason::BadReply, 200, -1, false},
                            "unreadable reply: \"more\" without keys");
        }
        if (all.size() + page.kvs.size() > detail::kMaxKvs) {
            throw EtcdError({"kv/range", Reason::Refused, 200, -1, false},
                            "more than " + std::to_string(detail::kMaxKvs) + " keys under " +
                                escapeForLog(prefix, 200));
        }
        // Later pages read at the first page's revision, so the listing is one snapshot.
        request.revision = request.revision == 0 ? page.revision : request.revision;
        const bool more = page.more;
        if (more) {
            request.key = page.kvs.back().key + std::string(1, '\0');
        }
        std::move(page.kvs.begin(), page.kvs.end(), std::back_inserter(all));
        if (!more) {
            return all;
        }
    }
}

std::int64_t EtcdClient::put(const std::string& key, const std::string& value, std::int64_t lease) {
    const Object::Ptr reply = call("kv/put", detail::putBody(key, value, lease), true);
    return parsed("kv/put", true, reply, detail::headerRevision);
}

std::int64_t EtcdClient::deleteRange(const std::string& key, const std::string& rangeEnd) {
    const Object::Ptr reply = call("kv/deleterange", detail::deleteRangeBody(key, rangeEnd), true);
    return parsed("kv/deleterange", true, reply, detail::parseDeleted);
}

TxnResult EtcdClient::txn(const Txn& txn) {
    const Object::Ptr reply = call("kv/txn", detail::txnBody(txn), true);
    return parsed("kv/txn", true, reply, [&](const Object& o) { return detail::parseTxn(o, txn); });
}

Lease EtcdClient::leaseGrant(std::chrono::seconds ttl) {
    const Object::Ptr reply = call("lease/grant", detail::leaseGrantBody(ttl), true);
    return parsed("lease/grant", true, reply, detail::parseLeaseGrant);
}

std::optional<std::chrono::seconds> EtcdClient::leaseKeepAlive(std::int64_t id) {
    const Object::Ptr reply = call("lease/keepalive", detail::leaseIdBody(id), false);
    return parsed("lease/keepalive", false, reply,
                  [&](const Object& o) { return detail::parseKeepAlive(o, id); });
}

void EtcdClient::leaseRevoke(std::int64_t id) {
    try {
        const Object::Ptr reply = call("lease/revoke", detail::leaseIdBody(id), true);
        parsed("lease/revoke", true, reply, detail::headerRevision);
    } catch (const EtcdError& e) {
        if (e.reason() != Reason::LostLease) {
            throw; // "lease not found" means it is gone already, which is what revoke wants
        }
    }
}

LeaseStatus EtcdClient::leaseTimeToLive(std::int64_t id) {
    const Object::Ptr reply = call("lease/timetolive", detail::timeToLiveBody(id), false);
    return parsed("lease/timetolive", false, reply, detail::parseTimeToLive);
}

} // namespace certagent::cluster
