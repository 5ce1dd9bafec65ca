// EtcdCoordinator: publishing, acks, the DCV barrier and the heartbeat.
#include "cluster/DcvBarrier.h"
#include "cluster/EtcdCoordinator.h"
#include "cluster/FleetErrors.h"
#include "cluster/SharedRecords.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <algorithm>

namespace certagent::cluster {

namespace {

constexpr const char* kKeyCheckText = "certagent fleet key check v1";

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items)
        out += (out.empty() ? "" : ", ") + item;
    return out;
}

} // namespace

bool heartbeatDue(const MemberRecord& last, const std::vector<core::HostReport>& report,
                  const std::string& agentVersion, std::time_t now,
                  std::chrono::seconds memberTimeout) {
    if (!last.lastRun || last.agent != agentVersion)
        return true;
    // A quarter of member_timeout: a host that runs at least that often never drops out of
    // the DCV barrier's count, and an idle fleet writes a few heartbeats a day, not one a run.
    const auto every = std::max<std::chrono::seconds>(std::chrono::seconds(1), memberTimeout / 4);
    if (now < *last.lastRun || now - *last.lastRun >= every.count())
        return true;
    for (const auto& r : report) {
        auto it = last.certs.find(r.name);
        if (it == last.certs.end() || it->second.sha256 != r.deployedSha256 ||
            it->second.exit != r.exitCode)
            return true;
    }
    return false;
}

void EtcdCoordinator::publish(const core::FleetCert& cert, const store::VersionFiles& files) {
    checkKey();
    std::int64_t fence = fenceOf(cert.name);
    asFleetError([&] {
        auto current = currentOf(cert.name);
        long long n = current ? std::max(current->highest, current->version) + 1 : 1;
        const std::string versionKey = m_paths.version(cert.name, n);
        VersionRecord version{detail::factsOf(files.meta),
                              detail::sealSet(m_keys, m_paths, versionKey, files)};
        auto print = detail::configPrint(cert);
        CurrentRecord next;
        next.version = n;
        next.highest = n;
        next.sha256 = files.meta.sha256;
        next.serial = files.meta.serial;
        next.notBefore = files.meta.notBefore;
        next.notAfter = files.meta.notAfter;
        next.fence = fence;
        next.configFingerprint = print.full;
        next.configFields = print.fields;
        OrderRecord done;
        done.phase = "installed";
        done.backend = files.meta.order.backend;
        done.orderRef = files.meta.order.id;
        done.fence = fence;
        done.holder = m_settings.host;
        done.configFingerprint = print.full;
        done.configFields = print.fields;
        const std::string currentKey = m_paths.current(cert.name);
        const KeyValue* seen = m_cache.current(cert.name);
        std::vector<Compare> compares = {Compare::version(versionKey, 0),
                                         seen ? Compare::modRevision(currentKey, seen->modRevision)
                                              : Compare::version(currentKey, 0)};
        const std::string currentJson = toJson(next);
        const std::string orderJson = toJson(done);
        std::vector<Op> ops = {Op::put(versionKey, toJson(version)),
                               Op::put(currentKey, currentJson),
                               Op::put(m_paths.order(cert.name), orderJson)};
        if (n > m_settings.keepVersions) // the one that falls out; older ones went before it
            ops.push_back(Op::deleteRange(m_paths.version(cert.name, n - m_settings.keepVersions)));
        TxnResult r = m_lock.fencedTxn(cert.name, fence, compares, ops);
        if (!r.succeeded)
            throw EtcdError({"publish " + cert.name, EtcdError::Reason::LostLock, 200, -1, false},
                            "current/" + cert.name + " changed while this run published; " +
                                "nothing was published or deployed");
        m_cache.setCurrent(cert.name, KeyValue{currentKey, currentJson, 0, r.revision, 0, 0});
        m_cache.setOrder(cert.name,
                         KeyValue{m_paths.order(cert.name), orderJson, 0, r.revision, 0, 0});
        info(cert.name + ": published version " + std::to_string(n) + " (serial " +
             files.meta.serial + ") to the fleet");
    });
}

void EtcdCoordinator::ackChallenges(const core::FleetCert& cert,
                                    const std::vector<std::string>& placed) {
    checkKey();
    if (placed.empty() || m_acked[cert.name] == placed)
        return;
    if (m_cache.reach() != FleetCache::Reach::Full)
        throw core::FleetError(cert.name +
                                   ": cannot ack the placed validation files: " + m_cache.problem(),
                               kExitTemporary);
    asFleetError([&] {
        AckRecord ack;
        auto order = orderOf(cert.name);
        ack.fence = order && order->fence > 0 ? order->fence : 1;
        ack.placed = placed;
        m_client->put(m_paths.ack(cert.name, m_settings.host), toJson(ack));
        m_acked[cert.name] = placed;
    });
}

bool EtcdCoordinator::challengesAcked(const core::FleetCert& cert) {
    auto shared = sharedOrder(cert);
    if (!shared)
        return true;
    auto required = detail::challengePaths(shared->challenges);
    if (required.empty())
        return true;
    std::time_t now = m_settings.now();
    std::time_t until = shared->pendingSince.value_or(now) + m_settings.dcvWait.count();
    BarrierState barrier = asFleetError([&] {
        return readBarrier(*m_client, m_paths, cert.name, m_settings.host, required, now,
                           m_settings.memberTimeout);
    });
    if (barrier.met())
        return true;
    if (now >= until) {
        warn(cert.name + ": dcv_wait passed; asking the CA to look without " +
             joined(barrier.missing));
        return true;
    }
    info(cert.name + ": waiting for " + joined(barrier.missing) +
         " to place the validation files (at most until " + formatIsoUtc(until) + ")");
    return false;
}

void EtcdCoordinator::heartbeat(const std::vector<core::HostReport>& report) {
    MemberRecord member;
    bool readable = false;
    if (const auto& own = m_cache.ownMember()) {
        try {
            member = parseMember(own->value, own->key);
            readable = true;
        } catch (const RecordError& e) {
            warn(std::string("[cluster] replacing this host's unreadable heartbeat: ") + e.what());
        }
    }
    std::time_t now = m_settings.now();
    if (readable && m_cache.keyCheck() &&
        !heartbeatDue(member, report, m_settings.agentVersion, now, m_settings.memberTimeout))
        return; // an idle run: the batched read was its only etcd request
    member.agent = m_settings.agentVersion;
    member.lastRun = now;
    for (const auto& r : report)
        member.certs[r.name] = MemberCert{r.deployedSha256, r.exitCode, now};
    const std::string memberKey = m_paths.member(m_settings.host);
    const std::string checkKey = m_paths.keyCheck();
    Txn txn; // the first host to beat seals the key check everyone else is measured by
    txn.compare = {Compare::version(checkKey, 0)};
    txn.success = {
        Op::put(checkKey, sealEnvelope(m_keys.current, kKeyCheckText, m_paths.aad(checkKey))),
        Op::put(memberKey, toJson(member))};
    txn.failure = {Op::put(memberKey, toJson(member))};
    m_client->txn(txn);
}

int EtcdCoordinator::endRun(const std::vector<core::HostReport>& report) {
    if (!m_keyProblem.empty()) {
        m_up = true;
        warn(m_keyProblem);
        return kExitRefused;
    }
    for (const auto& r : report) {
        core::FleetFacts facts;
        try {
            auto current = currentOf(r.name);
            facts.behind = current && current->sha256 != r.deployedSha256;
            auto order = orderOf(r.name);
            if (order && detail::orderInProgress(order->phase))
                facts.holder = order->holder;
        } catch (const RecordError&) {
            facts.behind = true;
        }
        m_facts[r.name] = facts;
    }
    if (m_cache.reach() != FleetCache::Reach::Full) {
        m_up = false;
        if (m_cache.problemExit() != kExitTemporary) {
            warn("[cluster] etcd refused this host: " + m_cache.problem());
            return m_cache.problemExit();
        }
        warn("[cluster] etcd could not be reached fully: " + m_cache.problem());
        return kExitTemporary;
    }
    try {
        heartbeat(report);
    } catch (const EtcdError& e) {
        m_up = false;
        warn(std::string("[cluster] heartbeat: ") + e.what());
        return e.exitCode();
    }
    m_up = true;
    return kExitOk;
}

} // namespace certagent::cluster
