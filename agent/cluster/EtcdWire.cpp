#include "cluster/EtcdWire.h"

#include "cluster/Json.h"
#include "util/Secret.h"

#include <Poco/JSON/Array.h>
#include <Poco/UTF8String.h>

#include <algorithm>

namespace certagent::cluster::detail {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

std::string text(std::int64_t n) {
    return std::to_string(n); // the gateway's int64 form
}

const char* targetName(Compare::Target t) {
    switch (t) {
    case Compare::Target::Version:
        return "VERSION";
    case Compare::Target::Create:
        return "CREATE";
    case Compare::Target::Mod:
        return "MOD";
    case Compare::Target::Value:
        return "VALUE";
    }
    return "VERSION";
}

const char* resultName(Compare::Result r) {
    switch (r) {
    case Compare::Result::Equal:
        return "EQUAL";
    case Compare::Result::Greater:
        return "GREATER";
    case Compare::Result::Less:
        return "LESS";
    case Compare::Result::NotEqual:
        return "NOT_EQUAL";
    }
    return "EQUAL";
}

Object::Ptr compareObject(const Compare& c) {
    Object::Ptr o = newObject();
    o->set("result", resultName(c.result));
    o->set("target", targetName(c.target));
    o->set("key", base64Encode(c.key));
    switch (c.target) {
    case Compare::Target::Version:
        o->set("version", text(c.number));
        break;
    case Compare::Target::Create:
        o->set("createRevision", text(c.number));
        break;
    case Compare::Target::Mod:
        o->set("modRevision", text(c.number));
        break;
    case Compare::Target::Value:
        o->set("value", base64Encode(c.value));
        break;
    }
    return o;
}

Object::Ptr putObject(const std::string& key, const std::string& value, std::int64_t lease) {
    Object::Ptr o = newObject();
    o->set("key", base64Encode(key));
    o->set("value", base64Encode(value));
    if (lease != 0) {
        o->set("lease", text(lease));
    }
    return o;
}

Object::Ptr rangeObject(const RangeRequest& r) {
    Object::Ptr o = newObject();
    o->set("key", base64Encode(r.key));
    if (!r.rangeEnd.empty()) {
        o->set("rangeEnd", base64Encode(r.rangeEnd));
    }
    if (r.limit > 0) {
        o->set("limit", text(r.limit));
    }
    if (r.revision > 0) {
        o->set("revision", text(r.revision));
    }
    if (r.serializable) {
        o->set("serializable", true);
    }
    if (r.keysOnly) {
        o->set("keysOnly", true);
    }
    if (r.countOnly) {
        o->set("countOnly", true);
    }
    return o;
}

Object::Ptr deleteObject(const std::string& key, const std::string& rangeEnd) {
    Object::Ptr o = newObject();
    o->set("key", base64Encode(key));
    if (!rangeEnd.empty()) {
        o->set("rangeEnd", base64Encode(rangeEnd));
    }
    return o;
}

Object::Ptr opObject(const Op& op) {
    Object::Ptr o = newObject();
    switch (op.kind) {
    case Op::Kind::Put:
        o->set("requestPut", putObject(op.key, op.value, op.lease));
        break;
    case Op::Kind::Range: {
        RangeRequest r;
        r.key = op.key;
        r.rangeEnd = op.rangeEnd;
        r.limit = op.limit;
        o->set("requestRange", rangeObject(r));
        break;
    }
    case Op::Kind::DeleteRange:
        o->set("requestDeleteRange", deleteObject(op.key, op.rangeEnd));
        break;
    }
    return o;
}

Array::Ptr opArray(const std::vector<Op>& ops) {
    Array::Ptr a = new Array;
    for (const Op& op : ops) {
        a->add(opObject(op));
    }
    return a;
}

KeyValue parseKv(const Object& obj, const std::string& where) {
    const Fields f(obj, where);
    KeyValue kv;
    kv.key = f.bytes("key", kMaxKeyBytes);
    if (kv.key.empty()) {
        f.fail("key", "missing");
    }
    kv.value = f.bytes("value", kMaxValueBytes);
    kv.createRevision = f.int64("create_revision");
    kv.modRevision = f.int64("mod_revision");
    kv.version = f.int64("version");
    kv.lease = f.int64("lease");
    if (kv.createRevision <= 0 || kv.modRevision < kv.createRevision || kv.version <= 0) {
        throw BadJson(where + ": revisions out of order");
    }
    return kv;
}

RangeResult rangeOf(const Object& obj, const std::string& where) {
    const Fields f(obj, where);
    RangeResult r;
    const Array::Ptr kvs = f.array("kvs", kMaxKvs);
    for (std::size_t i = 0; i < kvs->size(); ++i) {
        r.kvs.push_back(
            parseKv(*objectAt(*kvs, i, f.at("kvs")), f.at("kvs") + "[" + std::to_string(i) + "]"));
    }
    r.more = f.boolean("more");
    r.count = f.int64("count");
    if (r.count < 0) {
        f.fail("count", "negative");
    }
    if (const Object::Ptr header = f.object("header")) {
        r.revision = Fields(*header, f.at("header")).int64("revision");
    }
    return r;
}

OpResult opResultOf(const Object& obj, Op::Kind expected, const std::string& where) {
    const Fields f(obj, where);
    OpResult out;
    out.kind = expected;
    switch (expected) {
    case Op::Kind::Put:
        f.object("response_put", true);
        break;
    case Op::Kind::Range:
        out.range = rangeOf(*f.object("response_range", true), f.at("response_range"));
        break;
    case Op::Kind::DeleteRange:
        out.deleted =
            Fields(*f.object("response_delete_range", true), f.at("response_delete_range"))
                .int64("deleted");
        break;
    }
    return out;
}

std::string body(const Object& obj) {
    return toJson(obj);
}

} // namespace

std::string rangeBody(const RangeRequest& request) {
    return body(*rangeObject(request));
}

std::string putBody(const std::string& key, const std::string& value, std::int64_t lease) {
    return body(*putObject(key, value, lease));
}

std::string deleteRangeBody(const std::string& key, const std::string& rangeEnd) {
    return body(*deleteObject(key, rangeEnd));
}

std::string txnBody(const Txn& txn) {
    Object::Ptr o = newObject();
    Array::Ptr compares = new Array;
    for (const Compare& c : txn.compare) {
        compares->add(compareObject(c));
    }
    o->set("compare", compares);
    o->set("success", opArray(txn.success));
    o->set("failure", opArray(txn.failure));
    return body(*o);
}

std::string leaseGrantBody(std::chrono::seconds ttl) {
    Object::Ptr o = newObject();
    o->set("TTL", text(ttl.count()));
    return body(*o);
}

std::string leaseIdBody(std::int64_t id) {
    Object::Ptr o = newObject();
    o->set("ID", text(id));
    return body(*o);
}

std::string timeToLiveBody(std::int64_t id) {
    Object::Ptr o = newObject();
    o->set("ID", text(id));
    o->set("keys", true);
    return body(*o);
}

std::int64_t headerRevision(const Object& reply) {
    const Fields f(reply, "");
    const Fields header(*f.object("header", true), "header");
    const std::int64_t revision = header.requiredInt64("revision");
    if (revision <= 0) {
        // etcd's revisions start at 1; a fence or a snapshot revision of 0 would mean "none".
        header.fail("revision", "not positive");
    }
    return revision;
}

RangeResult parseRange(const Object& reply, const std::string& where) {
    RangeResult r = rangeOf(reply, where);
    r.revision = headerRevision(reply);
    return r;
}

std::int64_t parseDeleted(const Object& reply) {
    headerRevision(reply);
    return Fields(reply, "").int64("deleted");
}

TxnResult parseTxn(const Object& reply, const Txn& sent) {
    const Fields f(reply, "");
    TxnResult out;
    out.revision = headerRevision(reply);
    out.succeeded = f.boolean("succeeded");
    const std::vector<Op>& ops = out.succeeded ? sent.success : sent.failure;
    const Array::Ptr responses = f.array("responses", kMaxOps);
    if (responses->size() != ops.size()) {
        f.fail("responses", std::to_string(responses->size()) + " answers to " +
                                std::to_string(ops.size()) + " operations");
    }
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const std::string where = "responses[" + std::to_string(i) + "]";
        out.responses.push_back(
            opResultOf(*objectAt(*responses, i, "responses"), ops[i].kind, where));
    }
    return out;
}

Lease parseLeaseGrant(const Object& reply) {
    const Fields f(reply, "");
    headerRevision(reply);
    Lease lease;
    lease.id = f.requiredInt64("ID");
    lease.ttl = std::chrono::seconds(f.int64("TTL"));
    if (lease.id == 0 || lease.ttl.count() <= 0) {
        throw BadJson("lease grant without ID or TTL");
    }
    return lease;
}

std::optional<std::chrono::seconds> parseKeepAlive(const Object& reply, std::int64_t id) {
    const Object::Ptr result = Fields(reply, "").object("result", true);
    const Fields f(*result, "result");
    if (f.has("ID") && f.int64("ID") != id) {
        f.fail("ID", "answer about another lease");
    }
    const std::int64_t ttl = f.int64("TTL");
    if (ttl <= 0) {
        return std::nullopt;
    }
    return std::chrono::seconds(ttl);
}

LeaseStatus parseTimeToLive(const Object& reply) {
    const Fields f(reply, "");
    headerRevision(reply);
    LeaseStatus s;
    const std::int64_t ttl = f.int64("TTL");
    s.alive = ttl > 0;
    s.ttl = std::chrono::seconds(std::max<std::int64_t>(ttl, 0));
    s.granted = std::chrono::seconds(f.int64("grantedTTL"));
    s.keys = f.byteStrings("keys", kMaxKvs, kMaxKeyBytes);
    return s;
}

std::string parseToken(const Object& reply) {
    const std::string token = Fields(reply, "", 4096).str("token");
    const bool printable =
        std::all_of(token.begin(), token.end(), [](char c) { return c > ' ' && c < 0x7f; });
    if (token.empty() || !printable) {
        throw BadJson("token: not a printable token");
    }
    return token;
}

std::string authBody(const std::string& user, const std::string& password) {
    // Built by hand (with Poco's escaping) so that every copy of the password is a string the
    // caller can wipe; a Poco::JSON::Object would keep one in a Var.
    std::string name = Poco::UTF8::escape(user, true);
    std::string pass = Poco::UTF8::escape(password, true);
    std::string out;
    out.reserve(name.size() + pass.size() + 32); // no reallocation leaves a copy behind
    out += "{\"name\":\"";
    out += name;
    out += "\",\"password\":\"";
    out += pass;
    out += "\"}";
    wipe(pass);
    return out;
}

} // namespace certagent::cluster::detail
