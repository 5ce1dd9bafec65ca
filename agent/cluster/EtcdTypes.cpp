#include "cluster/EtcdTypes.h"

namespace certagent::cluster {

RangeRequest RangeRequest::prefix(const std::string& prefix, std::int64_t limit) {
    RangeRequest r;
    r.key = prefix.empty() ? std::string(1, '\0') : prefix;
    r.rangeEnd = prefixEnd(prefix);
    r.limit = limit;
    return r;
}

namespace {

Compare numeric(Compare::Target target, const std::string& key, std::int64_t number) {
    Compare c;
    c.target = target;
    c.key = key;
    c.number = number;
    return c;
}

} // namespace

Compare Compare::createRevision(const std::string& key, std::int64_t rev) {
    return numeric(Target::Create, key, rev);
}

Compare Compare::modRevision(const std::string& key, std::int64_t rev) {
    return numeric(Target::Mod, key, rev);
}

Compare Compare::version(const std::string& key, std::int64_t v) {
    return numeric(Target::Version, key, v);
}

Compare Compare::valueEquals(const std::string& key, const std::string& value) {
    Compare c;
    c.target = Target::Value;
    c.key = key;
    c.value = value;
    return c;
}

Op Op::put(const std::string& key, const std::string& value, std::int64_t lease) {
    Op op;
    op.kind = Kind::Put;
    op.key = key;
    op.value = value;
    op.lease = lease;
    return op;
}

Op Op::range(const std::string& key, const std::string& rangeEnd, std::int64_t limit) {
    Op op;
    op.kind = Kind::Range;
    op.key = key;
    op.rangeEnd = rangeEnd;
    op.limit = limit;
    return op;
}

Op Op::deleteRange(const std::string& key, const std::string& rangeEnd) {
    Op op;
    op.kind = Kind::DeleteRange;
    op.key = key;
    op.rangeEnd = rangeEnd;
    return op;
}

std::string prefixEnd(std::string_view prefix) {
    std::string end(prefix);
    while (!end.empty()) {
        auto& last = reinterpret_cast<unsigned char&>(end.back());
        if (last < 0xff) {
            ++last;
            return end;
        }
        end.pop_back();
    }
    return std::string(1, '\0'); // etcd: range_end "\0" with key "\0" = every key
}

} // namespace certagent::cluster
