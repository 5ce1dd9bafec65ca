#include "cluster/SharedAcmeAccounts.h"

#include "cluster/AccountRecord.h"
#include "cluster/Envelope.h"
#include "cluster/FleetErrors.h"
#include "util/Text.h"

namespace certagent::cluster {

namespace {

/// What the key check's envelope holds does not matter here: opening it proves the fleet key.
void checkFleetKey(const EtcdCoordinator& fleet, const KeyValue& check) {
    try {
        openEnvelope(fleet.keys(), check.value, fleet.paths().aad(check.key), check.key);
    } catch (const EnvelopeError& e) {
        throw core::FleetError("[cluster] fleet_key (id " + fleet.keys().current.idHex() +
                                   ") is not the fleet's: " + e.what() +
                                   "; this host writes nothing",
                               kExitRefused);
    }
}

} // namespace

SharedAcmeAccounts::SharedAcmeAccounts(std::unique_ptr<core::AcmeAccountFiles> local,
                                       EtcdCoordinator& fleet)
    : m_local(std::move(local)), m_fleet(fleet) {}

SharedAcmeAccounts::~SharedAcmeAccounts() = default;

std::optional<Secret> SharedAcmeAccounts::key(const std::string& directoryUrl) {
    return m_local->key(directoryUrl);
}

void SharedAcmeAccounts::addKey(const std::string& directoryUrl, const std::string& pem) {
    m_local->addKey(directoryUrl, pem);
}

std::optional<core::AcmeAccountRecord> SharedAcmeAccounts::record(const std::string& directoryUrl) {
    return m_local->record(directoryUrl);
}

void SharedAcmeAccounts::saveRecord(const core::AcmeAccountRecord& record) {
    m_local->saveRecord(record);
}

std::string SharedAcmeAccounts::where(const std::string& directoryUrl) const {
    return m_local->where(directoryUrl);
}

void SharedAcmeAccounts::info(const std::string& line) const {
    if (m_fleet.settings().info)
        m_fleet.settings().info(line);
}

std::optional<AccountRecord> SharedAcmeAccounts::readShared(const std::string& directoryUrl) {
    const std::string path = m_fleet.paths().acmeAccount(directoryUrl);
    const std::string checkPath = m_fleet.paths().keyCheck();
    Txn read; // one request: the account and the key check it is measured by
    read.success = {Op::range(path), Op::range(checkPath)};
    TxnResult result = asFleetError([&] { return m_fleet.client().txn(read); });
    if (result.responses.size() != 2)
        throw core::FleetError("etcd: the read of " + path + " answered " +
                                   std::to_string(result.responses.size()) + " results",
                               kExitTemporary);
    if (!result.responses[1].range.kvs.empty())
        checkFleetKey(m_fleet, result.responses[1].range.kvs.front());
    if (result.responses[0].range.kvs.empty())
        return std::nullopt;
    const KeyValue& kv = result.responses[0].range.kvs.front();
    AccountRecord shared =
        asFleetError([&] { return parseAccount(kv.value, kv.key, directoryUrl); });
    shared.modRevision = kv.modRevision;
    return shared;
}

void SharedAcmeAccounts::adopt(const AccountRecord& shared, const std::string& directoryUrl) {
    const std::string path = m_fleet.paths().acmeAccount(directoryUrl);
    Secret pem = asFleetError([&] {
        return openEnvelope(m_fleet.keys(), shared.sealedKey, m_fleet.paths().aad(path), path);
    });
    auto mine = m_local->record(directoryUrl);
    auto myKey = m_local->key(directoryUrl);
    if (mine && myKey && mine->accountUrl == shared.account.accountUrl &&
        myKey->reveal() == pem.reveal())
        return; // already this host's
    core::AcmeAccountRecord record = shared.account;
    if (mine)
        record.directoryBody = mine->directoryBody;
    // The key first: a stop in between leaves a record that does not match it, adopted again.
    m_local->replaceKey(directoryUrl, pem.reveal());
    m_local->saveRecord(record);
    const std::string url = escapeForLog(shared.account.accountUrl, 300);
    if (mine && mine->accountUrl != shared.account.accountUrl)
        info("acme: this host's account " + escapeForLog(mine->accountUrl, 300) + " at " +
             escapeForLog(directoryUrl, 300) + " is replaced by the fleet's account " + url +
             " (shared by " + escapeForLog(shared.host, 80) + ")");
    else
        info("acme: using the fleet's account " + url + " at " + escapeForLog(directoryUrl, 300) +
             " (shared by " + escapeForLog(shared.host, 80) + ")");
}

void SharedAcmeAccounts::resealIfOld(const AccountRecord& shared, const std::string& directoryUrl) {
    if (envelopeKeyId(shared.sealedKey) == m_fleet.keys().current.id())
        return; // sealed under the current key already
    const std::string path = m_fleet.paths().acmeAccount(directoryUrl);
    Txn txn;
    txn.compare = {Compare::modRevision(path, shared.modRevision)};
    txn.success = {Op::put(path, sealedRecord(directoryUrl, path))};
    if (asFleetError([&] { return m_fleet.client().txn(txn); }).succeeded)
        info("acme: the fleet's account at " + escapeForLog(directoryUrl, 300) +
             " is sealed again under the current fleet key");
}

std::string SharedAcmeAccounts::sealedRecord(const std::string& directoryUrl,
                                             const std::string& path) {
    auto record = m_local->record(directoryUrl);
    auto pem = m_local->key(directoryUrl);
    if (!record || !pem)
        throw Error("acme: no kept account to share at " + escapeForLog(directoryUrl, 300));
    AccountRecord shared;
    shared.account = *record;
    shared.account.directoryBody.clear();
    shared.host = m_fleet.settings().host;
    shared.sealedKey = asFleetError([&] {
        return sealEnvelope(m_fleet.keys().current, pem->reveal(), m_fleet.paths().aad(path));
    });
    return toJson(shared);
}

void SharedAcmeAccounts::sync(const std::string& directoryUrl) {
    if (m_synced.count(directoryUrl))
        return;
    m_fleet.checkKey();
    if (auto shared = readShared(directoryUrl)) {
        adopt(*shared, directoryUrl);
        resealIfOld(*shared, directoryUrl);
    } else if (m_local->key(directoryUrl) && m_local->record(directoryUrl))
        share(directoryUrl); // an account from before the fleet: the first one shared wins
    m_synced.insert(directoryUrl);
}

bool SharedAcmeAccounts::share(const std::string& directoryUrl) {
    const std::string path = m_fleet.paths().acmeAccount(directoryUrl);
    const std::string accountUrl =
        m_local->record(directoryUrl).value_or(core::AcmeAccountRecord{}).accountUrl;
    Txn txn; // create-if-absent: the first account shared is the fleet's
    txn.compare = {Compare::version(path, 0)};
    txn.success = {Op::put(path, sealedRecord(directoryUrl, path))};
    txn.failure = {Op::range(path)};
    TxnResult result = asFleetError([&] { return m_fleet.client().txn(txn); });
    m_synced.insert(directoryUrl);
    if (result.succeeded) {
        info("acme: shared this host's account " + escapeForLog(accountUrl, 300) + " at " +
             escapeForLog(directoryUrl, 300) + " with the fleet");
        return true;
    }
    if (result.responses.empty() || result.responses[0].range.kvs.empty())
        throw core::FleetError("etcd: " + path + " neither written nor readable", kExitTemporary);
    const KeyValue& kv = result.responses[0].range.kvs.front();
    AccountRecord winner =
        asFleetError([&] { return parseAccount(kv.value, kv.key, directoryUrl); });
    if (winner.account.accountUrl == accountUrl)
        return true; // shared already (by this host's earlier run or the same key elsewhere)
    adopt(winner, directoryUrl);
    return false;
}

} // namespace certagent::cluster
