#include "cluster/FleetRekey.h"

#include "cluster/Envelope.h"
#include "cluster/FleetErrors.h"
#include "cluster/Json.h"
#include "util/Secret.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <optional>

namespace certagent::cluster {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

class Resealer {
  public:
    Resealer(const FleetKeyRing& keys, RekeyReport& report) : m_keys(keys), m_report(report) {}

    /// The blob sealed again under fleet_key when fleet_key_old sealed it; nullopt when it is no
    /// envelope of this fleet's keys or fleet_key sealed it already.
    std::optional<std::string> blob(const std::string& bytes, const std::string& aad,
                                    const std::string& where) {
        const std::string_view id = envelopeKeyId(bytes);
        if (id.empty())
            return std::nullopt;
        if (id == m_keys.current.id()) {
            ++m_report.current;
            return std::nullopt;
        }
        if (!m_keys.old || id != m_keys.old->id())
            return std::nullopt; // not an envelope, or one no host could open anyway
        Secret plain = openEnvelope(m_keys, bytes, aad, where);
        ++m_report.resealed;
        return sealEnvelope(m_keys.current, plain.reveal(), aad);
    }

    /// Re-seals the base64 envelopes among the strings of `obj` (recursively); true if any.
    bool object(Object& obj, const std::string& aad, const std::string& where) {
        bool any = false;
        std::vector<std::string> names;
        obj.getNames(names);
        for (const auto& name : names) {
            if (Object::Ptr inner = obj.getObject(name))
                any = object(*inner, aad, where) || any;
            else if (Array::Ptr list = obj.getArray(name))
                any = array(*list, aad, where) || any;
            else if (obj.get(name).isString())
                if (auto text = base64(obj.get(name).extract<std::string>(), aad, where)) {
                    obj.set(name, *text);
                    any = true;
                }
        }
        return any;
    }

  private:
    bool array(Array& list, const std::string& aad, const std::string& where) {
        bool any = false;
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (Object::Ptr inner = list.getObject(static_cast<unsigned>(i)))
                any = object(*inner, aad, where) || any;
            else if (Array::Ptr nested = list.getArray(static_cast<unsigned>(i)))
                any = array(*nested, aad, where) || any;
            else if (list.get(static_cast<unsigned>(i)).isString())
                if (auto text = base64(list.getElement<std::string>(static_cast<unsigned>(i)), aad,
                                       where)) {
                    list.set(static_cast<unsigned>(i), *text);
                    any = true;
                }
        }
        return any;
    }

    std::optional<std::string> base64(const std::string& text, const std::string& aad,
                                      const std::string& where) {
        std::string bytes;
        try {
            bytes = detail::base64Decode(text, where);
        } catch (const detail::BadJson&) {
            return std::nullopt; // an ordinary string
        }
        auto sealed = blob(bytes, aad, where);
        wipe(bytes);
        if (!sealed)
            return std::nullopt;
        return detail::base64Encode(*sealed);
    }

    const FleetKeyRing& m_keys;
    RekeyReport& m_report;
};

/// The record's new value, or nullopt when nothing in it was sealed by fleet_key_old.
std::optional<std::string> resealed(Resealer& resealer, const KeyValue& kv,
                                    const std::string& aad) {
    if (auto raw = resealer.blob(kv.value, aad, kv.key))
        return raw;
    if (kv.value.empty() || kv.value.front() != '{')
        return std::nullopt;
    Object::Ptr obj;
    try {
        obj = detail::parseObject(kv.value, kMaxSealedBytes * 2);
    } catch (const detail::BadJson&) {
        return std::nullopt; // not a record of ours: another tool's key, left alone
    }
    if (!resealer.object(*obj, aad, kv.key))
        return std::nullopt;
    return detail::toJson(*obj);
}

RekeyReport rekeyRecords(EtcdClient& client, const KeyPaths& paths, const FleetKeyRing& keys) {
    RekeyReport report;
    Resealer resealer(keys, report);
    for (const KeyValue& kv : client.rangePrefix(paths.root())) {
        auto value = resealed(resealer, kv, paths.aad(kv.key));
        if (!value)
            continue;
        Txn txn; // fenced on the record itself: a concurrent write wins, this one is dropped
        txn.compare = {Compare::modRevision(kv.key, kv.modRevision)};
        txn.success = {Op::put(kv.key, *value, kv.lease)};
        if (client.txn(txn).succeeded)
            ++report.records;
        else
            report.changed.push_back(kv.key);
    }
    return report;
}

} // namespace

RekeyReport rekeyFleet(EtcdClient& client, const KeyPaths& paths, const FleetKeyRing& keys) {
    return asFleetError([&] { return rekeyRecords(client, paths, keys); });
}

} // namespace certagent::cluster
