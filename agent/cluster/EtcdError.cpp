#include "cluster/EtcdError.h"

namespace certagent::cluster {
namespace {

ServiceError::Info infoOf(const EtcdError::Details& d) {
    ServiceError::Info info;
    info.retryable =
        d.reason == EtcdError::Reason::Unavailable || d.reason == EtcdError::Reason::BadReply ||
        d.reason == EtcdError::Reason::LostLease || d.reason == EtcdError::Reason::LostLock;
    info.maybeProcessed = d.maybeProcessed;
    return info;
}

} // namespace

EtcdError::EtcdError(const Details& details, const std::string& text)
    : ServiceError("etcd " + details.operation + ": " + text, infoOf(details),
                   details.reason == Reason::Misconfigured ? kExitUsage : kExitRefused),
      m_d(details) {}

} // namespace certagent::cluster
