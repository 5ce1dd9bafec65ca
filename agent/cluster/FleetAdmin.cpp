#include "cluster/FleetAdmin.h"

#include "cluster/FleetErrors.h"
#include "util/Text.h"

#include <map>
#include <set>

namespace certagent::cluster {

namespace {

/// name → value of every key directly below `prefix` in one range answer.
std::map<std::string, KeyValue> byName(const std::string& prefix, const RangeResult& range) {
    std::map<std::string, KeyValue> out;
    for (const auto& kv : range.kvs)
        if (auto name = KeyPaths::childName(prefix, kv.key))
            out[*name] = kv;
    return out;
}

CertStatus statusOf(const std::string& name, const std::map<std::string, KeyValue>& currents,
                    const std::map<std::string, KeyValue>& orders,
                    const std::map<std::string, KeyValue>& locks,
                    const std::map<std::string, MemberRecord>& members) {
    CertStatus s;
    s.name = name;
    try {
        if (auto it = currents.find(name); it != currents.end())
            s.current = parseCurrent(it->second.value, it->second.key);
        if (auto it = orders.find(name); it != orders.end()) {
            OrderRecord order = parseOrder(it->second.value, it->second.key);
            s.phase = order.phase;
            s.orderRef = order.orderRef;
        }
    } catch (const RecordError& e) {
        s.problem = e.what();
    }
    if (auto it = locks.find(name); it != locks.end())
        s.lockHolder = escapeForLog(it->second.value, 200);
    for (const auto& [host, member] : members) {
        auto cert = member.certs.find(name);
        if (cert == member.certs.end())
            continue;
        HostStatus h;
        h.name = host;
        h.lastHeartbeat = member.lastRun;
        h.deployedSha256 = cert->second.sha256;
        h.lastExit = cert->second.exit;
        h.converged =
            s.current && !h.deployedSha256.empty() && h.deployedSha256 == s.current->sha256;
        s.hosts.push_back(h);
    }
    return s;
}

} // namespace

std::vector<CertStatus> readStatus(EtcdCoordinator& fleet, const std::vector<std::string>& names) {
    fleet.checkKey();
    const KeyPaths& paths = fleet.paths();
    const std::string prefixes[] = {paths.currentPrefix(), paths.orderPrefix(), paths.lockPrefix(),
                                    paths.membersPrefix()};
    Txn txn;
    for (const auto& prefix : prefixes)
        txn.success.push_back(Op::range(prefix, prefixEnd(prefix)));
    TxnResult r = asFleetError([&] { return fleet.client().txn(txn); });
    if (r.responses.size() != 4)
        throw core::FleetError("etcd: the status read came back incomplete", kExitTemporary);
    auto currents = byName(prefixes[0], r.responses[0].range);
    auto orders = byName(prefixes[1], r.responses[1].range);
    auto locks = byName(prefixes[2], r.responses[2].range);
    std::map<std::string, MemberRecord> members;
    for (const auto& [host, kv] : byName(prefixes[3], r.responses[3].range)) {
        try {
            members[host] = parseMember(kv.value, kv.key);
        } catch (const RecordError&) {
            members[host] = MemberRecord{}; // shown without certificates
        }
    }
    std::set<std::string> all(names.begin(), names.end());
    for (const auto* map : {&currents, &orders})
        for (const auto& [name, kv] : *map)
            all.insert(name);
    std::vector<CertStatus> out;
    for (const auto& name : all)
        out.push_back(statusOf(name, currents, orders, locks, members));
    return out;
}

CurrentRecord rollbackCurrent(EtcdCoordinator& fleet, const std::string& name) {
    fleet.checkKey();
    std::int64_t fence = fleet.fenceOf(name);
    const KeyPaths& paths = fleet.paths();
    return asFleetError([&] {
        const KeyValue* seen = fleet.cache().current(name);
        if (!seen)
            throw RecordError(name + ": nothing published in the fleet; nothing to roll back");
        CurrentRecord now = parseCurrent(seen->value, seen->key);
        RangeRequest list = RangeRequest::prefix(paths.versionsPrefix(name));
        list.keysOnly = true;
        long long previous = 0;
        for (const auto& kv : fleet.client().range(list).kvs)
            if (auto n = paths.versionOf(name, kv.key); n && *n<now.version&& * n> previous)
                previous = *n;
        if (previous == 0)
            throw RecordError(name + ": no published version older than version " +
                              std::to_string(now.version) + " is kept in etcd");
        const std::string key = paths.version(name, previous);
        RangeRequest one;
        one.key = key;
        RangeResult read = fleet.client().range(one);
        if (read.kvs.empty())
            throw RecordError("etcd record " + key + ": gone meanwhile");
        VersionRecord version = parseVersion(read.kvs[0].value, key);
        CurrentRecord back = now;
        back.version = previous;
        back.highest = std::max(now.highest, now.version);
        back.sha256 = version.meta.sha256;
        back.serial = version.meta.serial;
        back.notBefore = version.meta.notBefore;
        back.notAfter = version.meta.notAfter;
        back.fence = fence;
        back.rollback = true;
        const std::string json = toJson(back);
        TxnResult done = fleet.lock().fencedTxn(
            name, fence, {Compare::modRevision(seen->key, seen->modRevision)},
            {Op::put(seen->key, json)});
        if (!done.succeeded)
            throw EtcdError({"rollback " + name, EtcdError::Reason::LostLock, 200, -1, false},
                            "current/" + name + " changed meanwhile; nothing was rolled back");
        fleet.cache().setCurrent(name, KeyValue{seen->key, json, 0, done.revision, 0, 0});
        return back;
    });
}

void leaveFleet(EtcdCoordinator& fleet, const std::vector<std::string>& names) {
    const KeyPaths& paths = fleet.paths();
    const std::string& host = fleet.settings().host;
    asFleetError([&] {
        Txn txn;
        txn.success.push_back(Op::deleteRange(paths.member(host)));
        for (const auto& name : names)
            txn.success.push_back(Op::deleteRange(paths.ack(name, host)));
        fleet.client().txn(txn);
    });
}

void joinFleet(EtcdCoordinator& fleet,
               const std::vector<std::pair<std::string, std::string>>& deployed) {
    std::map<std::string, int> exits;
    if (const auto& own = fleet.cache().ownMember()) {
        try {
            for (const auto& [name, cert] : parseMember(own->value, own->key).certs)
                exits[name] = cert.exit;
        } catch (const RecordError&) {
        }
    }
    std::vector<core::HostReport> report;
    for (const auto& [name, sha] : deployed)
        report.push_back({name, exits[name], sha});
    fleet.endRun(report);
}

} // namespace certagent::cluster
