#include "cluster/DcvBarrier.h"

#include "cluster/Records.h"

#include <algorithm>
#include <map>

namespace certagent::cluster {

namespace {

bool covers(const std::vector<std::string>& placed, const std::vector<std::string>& required) {
    return std::all_of(required.begin(), required.end(), [&](const std::string& path) {
        return std::find(placed.begin(), placed.end(), path) != placed.end();
    });
}

} // namespace

BarrierState readBarrier(EtcdClient& client, const KeyPaths& paths, const std::string& name,
                         const std::string& self, const std::vector<std::string>& required,
                         std::time_t now, std::chrono::seconds memberTimeout) {
    const std::string acks = paths.acksPrefix(name);
    const std::string members = paths.membersPrefix();
    Txn txn;
    txn.success = {Op::range(acks, prefixEnd(acks)), Op::range(members, prefixEnd(members))};
    TxnResult r = client.txn(txn);
    if (r.responses.size() != 2)
        throw EtcdError({"kv/txn", EtcdError::Reason::BadReply, 200, -1, false},
                        "the barrier read came back incomplete");
    std::map<std::string, bool> acked;
    for (const KeyValue& kv : r.responses[0].range.kvs) {
        auto host = KeyPaths::childName(acks, kv.key);
        try {
            if (host)
                acked[*host] = covers(parseAck(kv.value, kv.key).placed, required);
        } catch (const RecordError&) {
        }
    }
    BarrierState state;
    state.active.push_back(self);
    for (const KeyValue& kv : r.responses[1].range.kvs) {
        auto host = KeyPaths::childName(members, kv.key);
        if (!host || *host == self)
            continue;
        try {
            MemberRecord m = parseMember(kv.value, kv.key);
            if (m.lastRun && *m.lastRun + memberTimeout.count() >= now && m.certs.count(name))
                state.active.push_back(*host);
        } catch (const RecordError&) {
        }
    }
    for (const auto& host : state.active)
        if (!acked[host])
            state.missing.push_back(host);
    return state;
}

} // namespace certagent::cluster
