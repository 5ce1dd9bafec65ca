#include "cluster/EtcdCoordinator.h"

#include "cluster/DcvBarrier.h"
#include "cluster/FleetErrors.h"
#include "cluster/SharedRecords.h"
#include "crypto/Digest.h"
#include "crypto/OpenSslError.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <Poco/StringTokenizer.h>

#include <algorithm>
#include <unistd.h>

namespace certagent::cluster {

namespace {

std::vector<std::string> domainsOf(const core::FleetCert& cert) {
    Poco::StringTokenizer tok(detail::settingOf(cert, "domains"), ",",
                              Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    return {tok.begin(), tok.end()};
}

std::string hexOf(const std::string& raw) {
    return crypto::hexEncode(reinterpret_cast<const unsigned char*>(raw.data()), raw.size(), false);
}

KeyValue written(const std::string& key, const std::string& value, std::int64_t revision) {
    KeyValue kv;
    kv.key = key;
    kv.value = value;
    kv.modRevision = revision;
    return kv;
}

} // namespace

EtcdCoordinator::EtcdCoordinator(std::unique_ptr<EtcdClient> client, FleetKeyRing keys,
                                 FleetSettings settings)
    : m_client(std::move(client)), m_keys(std::move(keys)), m_settings(std::move(settings)),
      m_paths(m_settings.cluster), m_lock(*m_client, m_paths),
      m_cache(*m_client, m_paths, m_settings.host) {}

EtcdCoordinator::~EtcdCoordinator() {
    for (const auto& [name, held] : m_held) {
        try {
            m_client->leaseRevoke(held.lease);
        } catch (const std::exception&) {
        }
    }
}

void EtcdCoordinator::info(const std::string& line) const {
    if (m_settings.info)
        m_settings.info(line);
}

void EtcdCoordinator::warn(const std::string& line) const {
    if (m_settings.warn)
        m_settings.warn(line);
}

void EtcdCoordinator::checkKey() const {
    if (!m_keyProblem.empty())
        throw core::FleetError(m_keyProblem, kExitRefused);
}

void EtcdCoordinator::readKeyCheck() {
    const auto& check = m_cache.keyCheck();
    if (!check)
        return;
    try {
        openEnvelope(m_keys, check->value, m_paths.aad(check->key), check->key);
    } catch (const EnvelopeError& e) {
        m_keyProblem = "[cluster] fleet_key (id " + m_keys.current.idHex() +
                       ") is not the fleet's: " + e.what() + "; this host writes nothing";
    }
}

void EtcdCoordinator::beginRun(const std::vector<std::string>&) {
    m_cache.load();
    readKeyCheck();
    if (m_cache.reach() == FleetCache::Reach::Stale)
        warn("[cluster] etcd has no quorum here (" + m_cache.problem() +
             "); published versions are pulled, nothing is ordered");
}

std::optional<CurrentRecord> EtcdCoordinator::currentOf(const std::string& name) const {
    const KeyValue* kv = m_cache.current(name);
    if (!kv)
        return std::nullopt;
    return parseCurrent(kv->value, kv->key);
}

std::optional<OrderRecord> EtcdCoordinator::orderOf(const std::string& name) const {
    const KeyValue* kv = m_cache.order(name);
    if (!kv)
        return std::nullopt;
    return parseOrder(kv->value, kv->key);
}

void EtcdCoordinator::checkSettings(const core::FleetCert& cert, const std::string& full,
                                    const std::map<std::string, std::string>& fields,
                                    const std::string& what, const std::string& holder) const {
    std::string field = detail::differingSetting(detail::configPrint(cert), full, fields);
    if (field.empty())
        return;
    throw core::FleetError(cert.name + ": this host's " + field + " differ from " + what +
                               (holder.empty() ? "" : " (written by " + holder + ")") +
                               "; it neither leads nor pulls until the certificate files match" +
                               " (after a deliberate change on every host: certagent issue " +
                               cert.name + ")",
                           kExitUsage);
}

std::optional<core::PublishedSet> EtcdCoordinator::newerThan(const core::FleetCert& cert,
                                                             const core::LocalLive& live) {
    checkKey();
    if (m_cache.reach() == FleetCache::Reach::None)
        return std::nullopt;
    return asFleetError([&]() -> std::optional<core::PublishedSet> {
        auto current = currentOf(cert.name);
        if (!current || current->sha256 == live.deployedSha256)
            return std::nullopt;
        if (cert.replaceSettings &&
            !detail::differingSetting(detail::configPrint(cert), current->configFingerprint,
                                      current->configFields)
                 .empty())
            return std::nullopt; // issue NAME replaces a version published for other settings
        checkSettings(cert, current->configFingerprint, current->configFields,
                      "the fleet's published version", "");
        auto notBefore = parseIsoUtc(current->notBefore);
        if (live.notBefore && !current->rollback && notBefore && *notBefore < *live.notBefore)
            return std::nullopt; // this host serves something newer
        RangeRequest read;
        read.key = m_paths.version(cert.name, current->version);
        read.serializable = m_cache.reach() != FleetCache::Reach::Full;
        RangeResult r = m_client->range(read);
        if (r.kvs.empty())
            throw RecordError("etcd record " + read.key + ": missing (current/" + cert.name +
                              " names version " + std::to_string(current->version) + ")");
        VersionRecord version = parseVersion(r.kvs[0].value, read.key);
        if (version.meta.sha256 != current->sha256)
            throw RecordError("etcd record " + read.key + ": sha256 is not the one current/" +
                              cert.name + " names");
        core::PublishedSet set = detail::openSet(m_keys, m_paths, read.key, version);
        set.version = current->version;
        set.rollback = current->rollback;
        return set;
    });
}

std::optional<core::SharedOrder> EtcdCoordinator::sharedOrder(const core::FleetCert& cert) {
    checkKey();
    return asFleetError([&]() -> std::optional<core::SharedOrder> {
        auto order = orderOf(cert.name);
        if (!order)
            return std::nullopt;
        if (detail::orderInProgress(order->phase))
            checkSettings(cert, order->configFingerprint, order->configFields,
                          "the order in progress", order->holder);
        return detail::sharedOrderOf(*order, m_keys, m_paths, m_paths.order(cert.name),
                                     domainsOf(cert));
    });
}

core::Lead EtcdCoordinator::tryLead(const core::FleetCert& cert) {
    checkKey();
    core::Lead lead;
    if (m_cache.reach() != FleetCache::Reach::Full) {
        lead.role = core::Lead::Role::Unreachable;
        lead.problem = m_cache.problem();
        return lead;
    }
    if (auto current = asFleetError([&] { return currentOf(cert.name); });
        current && !cert.replaceSettings)
        checkSettings(cert, current->configFingerprint, current->configFields,
                      "the fleet's published version", "");
    try {
        Lease lease = m_client->leaseGrant(m_settings.lease);
        std::string holder =
            lockValue(m_settings.host, static_cast<long>(::getpid()), m_settings.now());
        LockOutcome outcome = m_lock.tryLock(cert.name, lease.id, holder);
        if (auto* following = std::get_if<Following>(&outcome)) {
            m_client->leaseRevoke(lease.id);
            lead.role = core::Lead::Role::Following;
            lead.holder = following->holder;
            return lead;
        }
        m_held[cert.name] = Held{lease.id, std::get<Leading>(outcome).fence};
        m_cache.refresh(cert.name); // what the last holder left, not what the run began with
    } catch (const EtcdError& e) {
        if (e.reason() != EtcdError::Reason::Unavailable)
            throw core::FleetError(e.what(), e.exitCode());
        lead.role = core::Lead::Role::Unreachable;
        lead.problem = e.what();
    }
    return lead;
}

std::int64_t EtcdCoordinator::fenceOf(const std::string& name) const {
    auto it = m_held.find(name);
    if (it == m_held.end())
        throw core::FleetError(name + ": a shared write without holding the lock", kExitInternal);
    return it->second.fence;
}

void EtcdCoordinator::saveOrder(const core::FleetCert& cert, const core::SharedOrder& order) {
    checkKey();
    std::int64_t fence = fenceOf(cert.name);
    const std::string path = m_paths.order(cert.name);
    asFleetError([&] {
        OrderRecord record = detail::clearOrderRecord(order);
        record.fence = fence;
        record.holder = m_settings.host;
        auto print = detail::configPrint(cert);
        record.configFingerprint = print.full;
        record.configFields = print.fields;
        std::string secrets = detail::orderSecrets(order);
        // The sealed bytes differ with every nonce: compare what was meant, not the bytes.
        std::string meant = toJson(record) + hexOf(crypto::sha256(secrets, "order record"));
        if (m_saved[cert.name] == meant) {
            wipe(secrets);
            return;
        }
        if (!secrets.empty())
            record.sealedKey = sealEnvelope(m_keys.current, secrets, m_paths.aad(path));
        wipe(secrets);
        const std::string json = toJson(record);
        TxnResult r = m_lock.fencedTxn(cert.name, fence, {}, {Op::put(path, json)});
        m_cache.setOrder(cert.name, written(path, json, r.revision));
        m_saved[cert.name] = meant;
    });
}

void EtcdCoordinator::ensureLeader(const core::FleetCert& cert) {
    auto it = m_held.find(cert.name);
    if (it == m_held.end())
        return;
    asFleetError([&] { m_lock.ensureLeader(cert.name, it->second.lease, m_settings.lease); });
}

void EtcdCoordinator::release(const core::FleetCert& cert) {
    auto it = m_held.find(cert.name);
    if (it == m_held.end())
        return;
    std::int64_t lease = it->second.lease;
    m_held.erase(it);
    m_saved.erase(cert.name);
    try {
        m_client->leaseRevoke(lease);
    } catch (const EtcdError& e) {
        warn(cert.name + ": releasing the fleet lock: " + e.what() +
             " (it expires with its lease)");
    }
}

void EtcdCoordinator::refresh(const core::FleetCert& cert) {
    asFleetError([&] { m_cache.refresh(cert.name); });
}

void EtcdCoordinator::pause(std::chrono::seconds d,
                            const std::function<void(std::chrono::seconds)>& sleep) {
    auto slice = std::max<std::chrono::seconds>(std::chrono::seconds(1), m_settings.lease / 3);
    while (d.count() > 0) {
        auto step = m_held.empty() ? d : std::min(d, slice);
        sleep(step);
        d -= step;
        for (const auto& [name, held] : m_held) {
            try {
                if (!m_client->leaseKeepAlive(held.lease))
                    warn(name + ": the fleet lock's lease expired while waiting");
            } catch (const EtcdError& e) {
                warn(name + ": keeping the fleet lock: " + e.what());
            }
        }
    }
}

std::optional<core::FleetFacts> EtcdCoordinator::facts(const std::string& name) const {
    auto it = m_facts.find(name);
    if (it == m_facts.end())
        return std::nullopt;
    return it->second;
}

} // namespace certagent::cluster
