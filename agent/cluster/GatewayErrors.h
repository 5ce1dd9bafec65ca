#pragma once

// Internal to agent/cluster: what the etcd gateway's error answers mean. etcd reports a gRPC
// status code and message in {"error","message","code"} (or {"error":{...}} inside a stream
// reply), and its own HTTP layer answers a few refusals in plain text.

#include "cluster/EtcdError.h"

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>

namespace certagent::cluster::detail {

// gRPC status codes the gateway reports in "code".
constexpr int kCodeInvalidArgument = 3;
constexpr int kCodeDeadline = 4;
constexpr int kCodeNotFound = 5;
constexpr int kCodePermissionDenied = 7;
constexpr int kCodeExhausted = 8;
constexpr int kCodeFailedPrecondition = 9;
constexpr int kCodeOutOfRange = 11;
constexpr int kCodeUnavailable = 14;
constexpr int kCodeUnauthenticated = 16;

/// An error answer: {"error","message","code"} from the gateway, or plain text (code -1, the first
/// 300 bytes as message) from etcd's HTTP layer or a proxy.
struct GatewayError {
    int httpStatus = 0; ///< from a stream error's "http_code"; 0 = not given
    int code = -1;
    std::string message; ///< raw, untrusted: escape before showing
};
/// Reads an error body. Never throws.
GatewayError parseGatewayError(const std::string& body);
/// The {"error":{...}} member of a 200 stream reply (keepalive), if any.
std::optional<GatewayError> streamError(const Poco::JSON::Object& reply);

/// "HTTP 503, code 14: etcdserver: request timed out" (the message escaped and capped).
std::string describe(int status, const GatewayError& e);

/// An answer after which another member may do better: 5xx, 429, Unavailable, DeadlineExceeded,
/// ResourceExhausted.
bool isTransient(int status, int code);

/// An answer that asks for a new token: invalid (expired) token or a stale auth revision.
bool isTokenProblem(int code, const std::string& message);

/// How a definite answer is reported: the reason and the text before the HTTP detail.
/// `withUser`: [cluster] user is set.
struct Refusal {
    EtcdError::Reason reason = EtcdError::Reason::Refused;
    std::string text;
};
Refusal classifyRefusal(const std::string& operation, int status, int code,
                        const std::string& message, bool withUser);

} // namespace certagent::cluster::detail
