#pragma once

#include "api/Transport.h"
#include "cluster/EtcdError.h"
#include "cluster/EtcdTypes.h"
#include "util/Secret.h"

#include <Poco/JSON/Object.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certagent::cluster {

/// How to reach the etcd cluster ([cluster] etcd, ca_file, cert_file, key_file, user,
/// password_file, timeout).
struct EtcdSettings {
    std::vector<std::string> endpoints; ///< "https://host:port", tried in this order
    api::TlsSettings tls;               ///< ca_file, and cert_file/key_file for mTLS
    std::chrono::milliseconds timeout{std::chrono::seconds(10)}; ///< per request and member
    std::string user;                       ///< etcd RBAC user; "" = no authentication
    std::shared_ptr<const Secret> password; ///< with `user`
    /// Receives one line per failed attempt (failover, re-authentication); null = the Poco
    /// logger "certagent.etcd". Lines never contain tokens, passwords or values.
    std::function<void(const std::string&)> log;
};

/// Makes the transport for one endpoint (seam for unit tests).
using TransportFactory =
    std::function<std::unique_ptr<api::HttpTransport>(const std::string& endpoint)>;

/// An etcd v3 client over the JSON gateway (POST /v3/...): KV, txn, leases, token auth.
///
/// Failover: a call starts at the member that answered last. A connection failure, a timeout,
/// a 5xx or 429 reply moves it to the next member; a definite answer (2xx, 4xx) does not. When
/// every member failed and at least one of them answered 5xx (an election in progress), the
/// whole list is tried once more after one second. When every member failed TLS verification
/// or refused our client certificate the error is a refusal (exit 4), else retryable (exit 3).
/// Every etcd operation used here is safe to repeat (CAS txns fail the second time), but a write
/// that may have been applied says so through maybeProcessed(). A call takes at most
/// 2 × members × timeout + 1 s.
///
/// Authentication: with `user` set, the client calls auth/authenticate on first use and sends
/// the token as `Authorization`; an "invalid auth token" answer (expired simple token, another
/// member) re-authenticates once and repeats the call.
///
/// Every method throws EtcdError (see its exit codes); nothing else for etcd failures.
class EtcdClient {
  public:
    /// Throws ConfigError when there is no endpoint, an endpoint is not https://host:port,
    /// `user` is set without a password, or the TLS files cannot be loaded.
    explicit EtcdClient(EtcdSettings settings, TransportFactory factory = {},
                        api::Clock& clock = api::systemClock());
    ~EtcdClient();
    EtcdClient(const EtcdClient&) = delete;
    EtcdClient& operator=(const EtcdClient&) = delete;

    /// kv/range.
    RangeResult range(const RangeRequest& request);
    /// Every key under `prefix`, fetched in pages of `pageSize` at one revision.
    std::vector<KeyValue> rangePrefix(const std::string& prefix, bool serializable = false,
                                      std::int64_t pageSize = 500);
    /// kv/put; returns the revision of the put.
    std::int64_t put(const std::string& key, const std::string& value, std::int64_t lease = 0);
    /// kv/deleterange; returns the number of keys deleted.
    std::int64_t deleteRange(const std::string& key, const std::string& rangeEnd = {});
    /// kv/txn.
    TxnResult txn(const Txn& txn);

    /// lease/grant.
    Lease leaseGrant(std::chrono::seconds ttl);
    /// lease/keepalive: the renewed TTL, or nullopt when etcd no longer knows the lease.
    std::optional<std::chrono::seconds> leaseKeepAlive(std::int64_t id);
    /// lease/revoke (deletes the keys attached to it); an unknown lease is not an error.
    void leaseRevoke(std::int64_t id);
    /// lease/timetolive with the attached keys.
    LeaseStatus leaseTimeToLive(std::int64_t id);

    /// The endpoint the next call starts with.
    const std::string& currentEndpoint() const;

  private:
    struct Member {
        std::string endpoint;
        std::unique_ptr<api::HttpTransport> transport;
    };
    struct Attempts;
    enum class Outcome { Answered, TryNext, Reauth };

    Poco::JSON::Object::Ptr call(const std::string& op, const std::string& body, bool write,
                                 bool withToken = true);
    Outcome attempt(std::size_t member, const std::string& op, const std::string& body, bool write,
                    bool withToken, Attempts& state);
    [[noreturn]] void refuse(const std::string& op, int status, int code,
                             const std::string& message);
    void authenticate();
    std::string scrub(std::string text) const;
    void log(const std::string& line) const;

    EtcdSettings m_settings;
    api::Clock& m_clock;
    std::vector<Member> m_members;
    std::size_t m_current = 0;
    Secret m_token;
    bool m_authDisabled = false; ///< the cluster answered "authentication is not enabled"
};

} // namespace certagent::cluster
