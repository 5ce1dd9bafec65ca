#include "cluster/EtcdTypes.h"

namespace certagent::cluster {

RangeRequest RangeRequest::prefix(const std::string& prefix, std::int64_t limit) {
    RangeRequest r;
    r.key = prefix.empty() ? std::string(1, '\0') : prefix;
    r.rangeEnd = prefixEnd(prefix);
    r.limit = limit;
    return r;
}

Compare Compare::createRevision(const std::string& key, std::int64_t rev) {
    Compare c;
    c.target = Target::Create;
    c.key = key;
    c.number = rev;
    return c;
}

Compare Compare::modRevision(const std::string& key, std::int64_t rev) {
    Compare c;
    c.target = Target::Mod;
    c.key = key;
    c.number = rev;
    return c;
}

Compare Compare::version(const std::string& key, std::int64_t v) {
    Compare c;
    c.target = Target::Version;
    c.key = key;
    c.number = v;
    return c;
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
