// Fuzz target etcd_replies: etcd is shared state, not trusted state, so what the gateway answers
// and what other hosts wrote is hostile input. The first byte picks what reads the rest:
//   'a'..'l' an EtcdClient call (or FleetLock step) over a scripted transport whose replies are
//            the rest split at "%%" lines (a reply "NNN\n<body>" has HTTP status NNN, "!" is a
//            retryable transport failure after sending, "!!" a final one); 'A'..'L' the same
//            with [cluster] user set, so the client authenticates first;
//   'm'..'q' a record (current, version, order, ack, member) through its reader;
//   'r'      lines through KeyPaths::childName and versionOf.
// Calls may only throw EtcdError, whose message is one escaped line without the password;
// readers only RecordError; what they return must satisfy the checks their callers rely on.

#include "FuzzTargets.h"
#include "cluster/Envelope.h"
#include "cluster/EtcdClient.h"
#include "cluster/FleetLock.h"
#include "cluster/KeyPaths.h"
#include "cluster/Records.h"
#include "util/CertName.h"

#include <algorithm>
#include <memory>
#include <sstream>

namespace certagent::fuzz {
namespace {

namespace cl = cluster;

const std::string kPassword = "fuzz-Pa55word";
const std::string kName = "shop";
constexpr std::int64_t kLease = 5986869654962789896;
constexpr std::int64_t kFence = 4711;

/// Time moves only when a request is sent (100 ms) or someone sleeps.
class StepClock : public api::Clock {
  public:
    std::chrono::steady_clock::time_point now() override { return m_now; }
    void sleepFor(std::chrono::milliseconds d) override { m_now += d; }

  private:
    std::chrono::steady_clock::time_point m_now{};
};

/// The replies of one input, shared by the transports of every member.
struct Script {
    std::vector<std::string> replies;
    std::size_t next = 0;
    StepClock* clock = nullptr;
};

class ScriptedTransport : public api::HttpTransport {
  public:
    explicit ScriptedTransport(std::shared_ptr<Script> script) : m_script(std::move(script)) {}

    api::HttpResponse send(const api::HttpRequest&, std::chrono::milliseconds) override {
        m_script->clock->sleepFor(std::chrono::milliseconds(100));
        if (m_script->next == m_script->replies.size()) {
            throw api::TransportError("connection refused", true, false);
        }
        const std::string& reply = m_script->replies[m_script->next++];
        if (reply == "!" || reply == "!!") {
            throw api::TransportError("timed out", reply == "!", true);
        }
        api::HttpResponse resp;
        resp.status = 200;
        resp.body = reply;
        const bool statusLine = reply.size() >= 4 && reply[3] == '\n' &&
                                std::all_of(reply.begin(), reply.begin() + 3,
                                            [](char c) { return c >= '0' && c <= '9'; });
        if (statusLine) {
            resp.status = std::stoi(reply.substr(0, 3));
            resp.body = reply.substr(4);
        }
        return resp;
    }

  private:
    std::shared_ptr<Script> m_script;
};

bool isOneCleanLine(const std::string& text) {
    return std::none_of(text.begin(), text.end(),
                        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

void checkKvs(const std::vector<cl::KeyValue>& kvs) {
    for (const cl::KeyValue& kv : kvs) {
        requireThat(!kv.key.empty(), "range: every key present");
        requireThat(kv.createRevision > 0 && kv.modRevision >= kv.createRevision && kv.version > 0,
                    "range: revisions in order");
    }
}

cl::Txn sampleTxn() {
    cl::Txn txn;
    txn.compare.push_back(cl::Compare::modRevision("/certagent/v1/fuzz/current/shop", 7));
    txn.success = {
        cl::Op::put("/certagent/v1/fuzz/current/shop", "{}"),
        cl::Op::deleteRange("/certagent/v1/fuzz/acks/shop/", "/certagent/v1/fuzz/acks/shop0")};
    txn.failure = {cl::Op::range("/certagent/v1/fuzz/current/shop")};
    return txn;
}

void checkTxn(const cl::TxnResult& r, const cl::Txn& sent) {
    const auto& ops = r.succeeded ? sent.success : sent.failure;
    requireThat(r.responses.size() == ops.size(), "txn: one answer per operation");
    for (std::size_t i = 0; i < ops.size(); ++i) {
        requireThat(r.responses[i].kind == ops[i].kind, "txn: answers match the operations");
        checkKvs(r.responses[i].range.kvs);
    }
}

/// The call picked by `kind` (0..11) against `client`.
void call(unsigned kind, cl::EtcdClient& client, StepClock& clock) {
    const cl::KeyPaths paths("fuzz");
    cl::FleetLock lock(client, paths, clock);
    switch (kind) {
    case 0: {
        const cl::RangeResult r = client.range(cl::RangeRequest::prefix("/certagent/v1/fuzz/"));
        checkKvs(r.kvs);
        requireThat(r.count >= 0, "range: count not negative");
        return;
    }
    case 1:
        return checkKvs(client.rangePrefix("/certagent/v1/fuzz/order/", false, 2));
    case 2:
        client.put("/certagent/v1/fuzz/members/web-01", "{}", kLease);
        return;
    case 3:
        client.deleteRange("/certagent/v1/fuzz/acks/shop/", "/certagent/v1/fuzz/acks/shop0");
        return;
    case 4: {
        const cl::Txn txn = sampleTxn();
        return checkTxn(client.txn(txn), txn);
    }
    case 5: {
        const cl::Lease l = client.leaseGrant(std::chrono::seconds(60));
        requireThat(l.id != 0 && l.ttl.count() > 0, "lease grant: id and TTL");
        return;
    }
    case 6:
        if (const auto ttl = client.leaseKeepAlive(kLease)) {
            requireThat(ttl->count() > 0, "keepalive: TTL left");
        }
        return;
    case 7:
        return client.leaseRevoke(kLease);
    case 8: {
        const cl::LeaseStatus s = client.leaseTimeToLive(kLease);
        requireThat(s.ttl.count() >= 0 && s.alive == (s.ttl.count() > 0), "time to live");
        return;
    }
    case 9: {
        const cl::LockOutcome o = lock.tryLock(kName, kLease, "web-01 pid 42");
        if (const auto* lead = std::get_if<cl::Leading>(&o)) {
            requireThat(lead->fence > 0, "try-lock: a leader has a fence");
        } else {
            requireThat(isOneCleanLine(std::get<cl::Following>(o).holder),
                        "try-lock: holder escaped");
        }
        return;
    }
    case 10: {
        const cl::Txn txn = sampleTxn();
        const cl::TxnResult r =
            lock.fencedTxn(kName, kFence, txn.compare, txn.success, txn.failure);
        return checkTxn(r, txn);
    }
    default:
        return lock.ensureLeader(kName, kLease, std::chrono::seconds(60));
    }
}

void clientCall(unsigned kind, bool withUser, std::string_view replies) {
    auto script = std::make_shared<Script>();
    script->replies = splitParts(replies, 8);
    StepClock clock;
    script->clock = &clock;
    cl::EtcdSettings settings;
    settings.endpoints = {"https://10.0.0.1:2379", "https://10.0.0.2:2379"};
    settings.tls.caFile = "/etc/certagent/etcd-ca.pem"; // not read: the transport is scripted
    // Without a user the password is just text a reply may carry; with one it must never show.
    settings.log = [withUser](const std::string& line) {
        requireThat(isOneCleanLine(line), "etcd log line is one escaped line");
        requireThat(!withUser || line.find(kPassword) == std::string::npos,
                    "etcd log line has no password");
    };
    if (withUser) {
        settings.user = "certagent";
        settings.password = std::make_shared<const Secret>(kPassword);
    }
    cl::EtcdClient client(
        settings,
        [script](const std::string&) { return std::make_unique<ScriptedTransport>(script); },
        clock);
    try {
        call(kind, client, clock);
    } catch (const cl::EtcdError& e) {
        const std::string what = e.what();
        requireThat(what.rfind("etcd ", 0) == 0, "EtcdError starts with \"etcd \"");
        requireThat(isOneCleanLine(what), "EtcdError is one escaped line");
        requireThat(!withUser || what.find(kPassword) == std::string::npos,
                    "EtcdError has no password");
        requireThat(e.exitCode() >= 2 && e.exitCode() <= 4, "EtcdError exits 2, 3 or 4");
    }
}

/// Reads `json` with `parse`, writes it back and reads that again: the writer must give what the
/// reader accepts, unchanged.
template <typename Parse>
void roundTrip(const std::string& json, const std::string& key, Parse parse) {
    try {
        const auto record = parse(json, key);
        const std::string written = cl::toJson(record);
        requireThat(cl::toJson(parse(written, key)) == written, "record round trip is stable");
    } catch (const cl::RecordError& e) {
        requireThat(isOneCleanLine(e.what()), "RecordError is one escaped line");
    }
}

const cl::FleetKeyRing& keys() {
    static const cl::FleetKeyRing ring{
        cl::FleetKey::fromBase64("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=", "fuzz key"),
        std::nullopt};
    return ring;
}

void version(const std::string& json) {
    const cl::KeyPaths paths("fuzz");
    const std::string key = paths.version(kName, 12);
    roundTrip(json, key, cl::parseVersion);
    try {
        const cl::VersionRecord r = cl::parseVersion(json, key);
        cl::openEnvelope(keys(), r.sealed, paths.aad(key), key);
    } catch (const cl::RecordError&) {
    } catch (const cl::EnvelopeError& e) {
        requireThat(isOneCleanLine(e.what()), "EnvelopeError is one escaped line");
    }
}

void keyNames(const std::string& text) {
    const cl::KeyPaths paths("fuzz");
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        for (const std::string& prefix : {paths.currentPrefix(), paths.orderPrefix(),
                                          paths.membersPrefix(), paths.acksPrefix(kName)}) {
            if (const auto name = cl::KeyPaths::childName(prefix, line)) {
                requireThat(isValidCertName(*name) && prefix + *name == line,
                            "child name is one valid segment");
            }
        }
        if (const auto n = paths.versionOf(kName, line)) {
            requireThat(*n >= 1 && *n <= 999999 && paths.version(kName, *n) == line,
                        "version number of its own key");
        }
    }
}

} // namespace

void etcdReplies(std::string_view input) {
    if (input.empty()) {
        return;
    }
    const char first = input[0];
    const std::string rest(input.substr(1));
    const cl::KeyPaths paths("fuzz");
    if (first >= 'A' && first <= 'L') {
        return clientCall(static_cast<unsigned>(first - 'A'), true, rest);
    }
    const unsigned kind = static_cast<unsigned char>(first - 'a') % 18;
    switch (kind) {
    case 12:
        return roundTrip(rest, paths.current(kName), cl::parseCurrent);
    case 13:
        return version(rest);
    case 14:
        return roundTrip(rest, paths.order(kName), cl::parseOrder);
    case 15:
        return roundTrip(rest, paths.ack(kName, "web-01"), cl::parseAck);
    case 16:
        return roundTrip(rest, paths.member("web-01"), cl::parseMember);
    case 17:
        return keyNames(rest);
    default:
        return clientCall(kind, false, rest);
    }
}

} // namespace certagent::fuzz
