#pragma once

// The JSON records certagent keeps in etcd (design-fleet §3.2), as plain structs. Writers give
// stable JSON (camelCase, int64 revisions as strings like etcd's own JSON, times as ISO 8601
// UTC); readers are strict about what they use (types, formats, sizes) and ignore members they
// do not know, so a newer agent can add fields during a rolling upgrade. etcd is shared state,
// not trusted state: the caller still opens sealed parts with the fleet key and runs the gate.

#include "util/Error.h"

#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace certagent::cluster {

/// A record in etcd that does not have the expected shape (exit 4). The message names the key
/// and the member: "etcd record <key>: <member>: <problem>".
class RecordError : public RefusedError {
  public:
    using RefusedError::RefusedError;
};

/// current/<name>: the published version every host should serve.
struct CurrentRecord {
    long long version = 0; ///< 1..999999
    long long highest = 0; ///< the highest version ever published (≥ version; after a rollback >)
    std::string sha256;    ///< lower-case hex SHA-256 of the leaf's DER
    std::string serial;    ///< hex
    std::string notBefore; ///< ISO 8601 UTC
    std::string notAfter;  ///< ISO 8601 UTC
    std::int64_t fence = 0; ///< the lock revision of the publishing holder
    bool rollback = false;  ///< `cluster rollback` chose it: hosts take it although it is older
    std::string configFingerprint; ///< of the publisher's settings (lower-case hex, "" = none)
    std::map<std::string, std::string> configFields; ///< per setting, to name a difference
};

/// The plaintext facts of a published version (meta.json without file stamps).
struct VersionFacts {
    long long orderId = 0; ///< GoGetSSL order id, 0 = none
    std::string orderRef;  ///< backend order reference (ACME order URL), "" = none
    std::string serial;    ///< hex
    std::string sha256;    ///< lower-case hex
    std::string notBefore; ///< ISO 8601 UTC
    std::string notAfter;  ///< ISO 8601 UTC
    std::vector<std::string> names;
    std::string keyType;   ///< "" = not recorded
    std::string createdAt; ///< ISO 8601 UTC, "" = not recorded
};

/// versions/<name>/<NNNN>: facts in clear, key + certificate + chain sealed.
struct VersionRecord {
    VersionFacts meta;
    std::string sealed; ///< envelope bytes (base64 in JSON)
};

/// One challenge of a shared order, neutral between backends (design-acme §2.3).
struct ChallengeRecord {
    std::string kind; ///< "http-file" | "dns-record" | "email"
    std::string domain;
    std::string dir;      ///< "pki-validation" | "acme-challenge" | ""
    std::string fileName; ///< [A-Za-z0-9._-], not starting with '.'; "" unless http-file
    std::string content;
    std::string dnsName;
    std::string dnsType;
    std::string dnsValue;
    std::string email;
    std::string backendRef; ///< opaque to everyone but the backend
};

/// order/<name>: the shared half of the certificate's order state.
struct OrderRecord {
    std::string phase = "idle"; ///< the core's phase word ([a-z-], ≤ 32)
    std::string backend;        ///< "gogetssl" | "acme" | "" ([a-z0-9-], ≤ 32)
    std::string orderRef;       ///< order id or URL, "" = none yet
    std::string csr;            ///< PEM, "" = none
    std::string sealedKey;      ///< envelope bytes of the pending key, "" = none
    std::vector<ChallengeRecord> challenges;
    int attempts = 0;
    int consecutiveFailures = 0;
    std::optional<std::time_t> pendingSince;
    std::optional<std::time_t> backoffUntil;
    std::string lastStatus;
    std::string lastError;
    std::int64_t fence = 0;        ///< fence of the holder that wrote it
    std::string holder;            ///< host name of that holder
    std::string configFingerprint; ///< lower-case hex SHA-256 of the certificate's settings
    std::map<std::string, std::string> configFields; ///< per setting ("domains" → 16 hex)
    bool checkRequested = false; ///< the CA was asked to look at the placed challenges
};

/// acks/<name>/<host>: a host placed the order's http challenges.
struct AckRecord {
    std::int64_t fence = 0;          ///< the order's fence the ack is for
    std::vector<std::string> placed; ///< URL paths placed, e.g. "/.well-known/acme-challenge/x"
    bool selfCheck = false;          ///< fetched back over HTTP from the host's own server
};

/// What a host serves for one certificate (members/<host>.certs).
struct MemberCert {
    std::string sha256; ///< deployed leaf, "" = none
    int exit = 0;       ///< exit code of the last run for it
    std::optional<std::time_t> at;
};

/// members/<host>: the host's heartbeat.
struct MemberRecord {
    std::string agent; ///< certagent version
    std::optional<std::time_t> lastRun;
    std::map<std::string, MemberCert> certs; ///< by certificate name
};

std::string toJson(const CurrentRecord& r);
std::string toJson(const VersionRecord& r);
std::string toJson(const OrderRecord& r);
std::string toJson(const AckRecord& r);
std::string toJson(const MemberRecord& r);

/// A list of challenges as JSON (the sealed part of an order record).
std::string challengesToJson(const std::vector<ChallengeRecord>& challenges);

/// Readers: `key` is the etcd key the text came from (for messages). Throw RecordError.
std::vector<ChallengeRecord> parseChallenges(const std::string& json, const std::string& key);
CurrentRecord parseCurrent(const std::string& json, const std::string& key);
VersionRecord parseVersion(const std::string& json, const std::string& key);
OrderRecord parseOrder(const std::string& json, const std::string& key);
AckRecord parseAck(const std::string& json, const std::string& key);
MemberRecord parseMember(const std::string& json, const std::string& key);

} // namespace certagent::cluster
