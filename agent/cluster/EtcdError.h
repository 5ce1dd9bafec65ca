#pragma once

#include "util/Error.h"

#include <string>

namespace certagent::cluster {

/// A failed etcd call, or a lock/lease that no longer holds. what() is one line, escaped, free
/// of tokens and passwords: "etcd <operation>: <text>".
///
/// Exit codes: 3 (retryable) for Unavailable, BadReply and LostLease; 4 for Refused; 2 for
/// Misconfigured (something only the local configuration can fix).
class EtcdError : public ServiceError {
  public:
    enum class Reason {
        Unavailable,   ///< no member answered usefully: network, timeout, 5xx, no quorum
        BadReply,      ///< a 2xx reply that is not the gateway's JSON
        LostLease,     ///< the lease expired, was revoked, or has too little time left
        LostLock,      ///< a fenced write found another holder (or none) on the lock
        Refused,       ///< a definite refusal: permission denied, credentials refused, 4xx
        Misconfigured, ///< etcd wants what [cluster] does not give (no-CN cert, user for auth)
    };
    struct Details {
        std::string operation; ///< "kv/put", "lease/keepalive", "lock shop"
        Reason reason = Reason::Unavailable;
        int httpStatus = 0; ///< 0 = no HTTP answer
        int grpcCode = -1;  ///< the gateway's "code", -1 = none
        bool maybeProcessed = false;
    };
    /// `text` must already be escaped; the constructor prefixes "etcd <operation>: ".
    EtcdError(const Details& details, const std::string& text);

    const std::string& operation() const { return m_d.operation; }
    Reason reason() const { return m_d.reason; }
    int httpStatus() const { return m_d.httpStatus; }
    int grpcCode() const { return m_d.grpcCode; }

  private:
    Details m_d;
};

} // namespace certagent::cluster
