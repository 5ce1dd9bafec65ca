#include "cluster/GatewayErrors.h"

#include "cluster/Json.h"
#include "util/Json.h"
#include "util/Text.h"

#include <algorithm>

namespace certagent::cluster::detail {

using Poco::JSON::Object;

namespace {

bool contains(const std::string& text, const char* needle) {
    return text.find(needle) != std::string::npos;
}

} // namespace

GatewayError parseGatewayError(const std::string& text) {
    GatewayError e;
    try {
        const Object::Ptr obj = parseObject(text, 64 * 1024);
        const Fields f(*obj, "", 4096);
        if (const auto inner = streamError(*obj)) {
            return *inner;
        }
        e.code = static_cast<int>(std::clamp<std::int64_t>(f.int64("code"), -1, 1000));
        e.message = f.has("message") ? f.str("message") : f.optStr("error");
    } catch (const BadJson&) {
        // Not the gateway's JSON: etcd's own HTTP layer answers some refusals in plain text
        // (the CommonName check); anything else (a proxy page) is shown capped and escaped.
        e.message = text.substr(0, 300);
        while (!e.message.empty() && (e.message.back() == '\n' || e.message.back() == '\r')) {
            e.message.pop_back();
        }
    }
    return e;
}

std::optional<GatewayError> streamError(const Object& reply) {
    const Poco::Dynamic::Var v = reply.get("error");
    if (!isJsonObject(v)) {
        return std::nullopt;
    }
    const Fields f(*v.extract<Object::Ptr>(), "error", 4096);
    GatewayError e;
    e.code = static_cast<int>(std::clamp<std::int64_t>(f.int64("grpc_code"), -1, 1000));
    e.httpStatus = static_cast<int>(std::clamp<std::int64_t>(f.int64("http_code"), 0, 999));
    e.message = f.optStr("message");
    return e;
}

std::string describe(int status, const GatewayError& e) {
    std::string out = "HTTP " + std::to_string(status);
    if (e.code >= 0) {
        out += ", code " + std::to_string(e.code);
    }
    if (!e.message.empty()) {
        out += ": " + escapeForLog(e.message, 200);
    }
    return out;
}

bool isTransient(int status, int code) {
    return status >= 500 || status == 429 || code == kCodeUnavailable || code == kCodeDeadline ||
           code == kCodeExhausted;
}

bool isTokenProblem(int code, const std::string& message) {
    return code == kCodeUnauthenticated || contains(message, "invalid auth token") ||
           contains(message, "auth store is old");
}

Refusal classifyRefusal(const std::string& operation, int status, int code,
                        const std::string& message, bool withUser) {
    using Reason = EtcdError::Reason;
    if (contains(message, "CommonName of client sending a request against gateway")) {
        return {Reason::Misconfigured,
                "etcd has authentication enabled and refuses gateway requests from a client "
                "certificate with a CN: use a certificate without CN ([cluster] cert_file)"};
    }
    if (contains(message, "user name is empty") && !withUser) {
        return {Reason::Misconfigured,
                "etcd has authentication enabled: set [cluster] user and password_file"};
    }
    if (code == kCodePermissionDenied || status == 403) {
        // Under RBAC the fix is etcd's, not certagent's: say which grant is missing.
        return {Reason::Refused, withUser ? "permission denied: [cluster] user needs an etcd role "
                                            "with readwrite on the fleet's prefix (/certagent/)"
                                          : "permission denied"};
    }
    if (operation == "auth/authenticate" && code == kCodeInvalidArgument) {
        return {Reason::Refused, "user or password refused"};
    }
    if (isTokenProblem(code, message)) {
        return {Reason::Refused, "auth token refused again after authenticating"};
    }
    if (code == kCodeNotFound && contains(message, "lease not found")) {
        return {Reason::LostLease, "lease not found (expired or revoked)"};
    }
    if (code == kCodeOutOfRange) {
        return {Reason::Unavailable, "revision compacted while reading"}; // a fresh read works
    }
    return {Reason::Refused, "refused"};
}

} // namespace certagent::cluster::detail
