#include "cluster/FleetCache.h"

#include "util/Text.h"

namespace certagent::cluster {

namespace {

constexpr std::int64_t kPage = 500;

const KeyValue* find(const std::map<std::string, KeyValue>& map, const std::string& name) {
    auto it = map.find(name);
    return it == map.end() ? nullptr : &it->second;
}

std::optional<KeyValue> single(const RangeResult& r) {
    if (r.kvs.empty())
        return std::nullopt;
    return r.kvs.front();
}

} // namespace

FleetCache::FleetCache(EtcdClient& client, const KeyPaths& paths, std::string host)
    : m_client(client), m_paths(paths), m_host(std::move(host)) {}

const KeyValue* FleetCache::current(const std::string& name) const {
    return find(m_current, name);
}

const KeyValue* FleetCache::order(const std::string& name) const {
    return find(m_order, name);
}

void FleetCache::setCurrent(const std::string& name, KeyValue kv) {
    m_current[name] = std::move(kv);
}

void FleetCache::setOrder(const std::string& name, KeyValue kv) {
    m_order[name] = std::move(kv);
}

void FleetCache::keep(const std::string& prefix, std::map<std::string, KeyValue>& into,
                      std::vector<KeyValue> kvs) {
    into.clear();
    for (auto& kv : kvs)
        if (auto name = KeyPaths::childName(prefix, kv.key)) // keys of other tools are skipped
            into[*name] = std::move(kv);
}

std::vector<KeyValue> FleetCache::rest(const std::string& prefix, const RangeResult& first) {
    std::vector<KeyValue> all = first.kvs;
    bool more = first.more;
    while (more && !all.empty()) {
        RangeRequest next;
        next.key = all.back().key + std::string(1, '\0');
        next.rangeEnd = prefixEnd(prefix);
        next.limit = kPage;
        next.revision = m_revision; // one snapshot across pages
        RangeResult page = m_client.range(next);
        more = page.more && !page.kvs.empty();
        std::move(page.kvs.begin(), page.kvs.end(), std::back_inserter(all));
    }
    return all;
}

void FleetCache::loadLinearizable() {
    const std::string current = m_paths.currentPrefix();
    const std::string order = m_paths.orderPrefix();
    Txn txn; // no compares: the success branch is one consistent read of all four
    txn.success = {Op::range(current, prefixEnd(current), kPage),
                   Op::range(order, prefixEnd(order), kPage), Op::range(m_paths.member(m_host)),
                   Op::range(m_paths.keyCheck())};
    TxnResult r = m_client.txn(txn);
    if (!r.succeeded || r.responses.size() != 4)
        throw EtcdError({"kv/txn", EtcdError::Reason::BadReply, 200, -1, false},
                        "the batch read came back without its four answers");
    m_revision = r.revision;
    keep(current, m_current, rest(current, r.responses[0].range));
    keep(order, m_order, rest(order, r.responses[1].range));
    m_member = single(r.responses[2].range);
    m_keyCheck = single(r.responses[3].range);
}

void FleetCache::loadSerializable() {
    keep(m_paths.currentPrefix(), m_current, m_client.rangePrefix(m_paths.currentPrefix(), true));
    keep(m_paths.orderPrefix(), m_order, m_client.rangePrefix(m_paths.orderPrefix(), true));
    RangeRequest one;
    one.serializable = true;
    one.key = m_paths.member(m_host);
    m_member = single(m_client.range(one));
    one.key = m_paths.keyCheck();
    m_keyCheck = single(m_client.range(one));
}

void FleetCache::load() {
    try {
        loadLinearizable();
        m_reach = Reach::Full;
        m_problem.clear();
        return;
    } catch (const EtcdError& e) {
        m_problem = e.what();
        m_problemExit = e.exitCode();
        if (e.reason() != EtcdError::Reason::Unavailable) {
            m_reach = Reach::None; // etcd said no: a stale read would be refused the same way
            return;
        }
    }
    try {
        loadSerializable();
        m_reach = Reach::Stale;
    } catch (const EtcdError& e) {
        m_reach = Reach::None;
        m_problem = e.what();
    }
}

void FleetCache::refresh(const std::string& name) {
    Txn txn;
    txn.success = {Op::range(m_paths.current(name)), Op::range(m_paths.order(name))};
    TxnResult r = m_client.txn(txn);
    if (r.responses.size() != 2)
        throw EtcdError({"kv/txn", EtcdError::Reason::BadReply, 200, -1, false},
                        "the read of " + escapeForLog(name, 80) + " came back incomplete");
    for (auto [map, index] : {std::pair{&m_current, 0}, std::pair{&m_order, 1}}) {
        if (auto kv = single(r.responses[index].range))
            (*map)[name] = *kv;
        else
            map->erase(name);
    }
}

} // namespace certagent::cluster
