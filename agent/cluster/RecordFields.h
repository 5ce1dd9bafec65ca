#pragma once

// Internal to agent/cluster: the checked readers and small writers every etcd record kind uses
// (Records.cpp, OrderRecords.cpp, AccountRecord.cpp). Readers throw BadJson through
// Fields::fail; reading() turns that into RecordError naming the etcd key.

#include "cluster/Json.h"
#include "cluster/Records.h"
#include "util/Text.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstddef>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace certagent::cluster::detail {

constexpr std::size_t kMaxItems = 1000; ///< longest list in a record

/// 0-9 a-f.
bool isLowerHex(char c);
/// a-z 0-9 -.
bool isWordChar(char c);

/// Parses `json` and hands its fields to `read`, turning shape problems into RecordError.
template <typename Read>
auto reading(const std::string& json, const std::string& key, std::size_t cap, Read read) {
    try {
        const Poco::JSON::Object::Ptr obj = parseObject(json, cap);
        return read(Fields(*obj, ""));
    } catch (const BadJson& e) {
        throw RecordError("etcd record " + escapeForLog(key, 200) + ": " + e.what());
    }
}

/// Lower-case hex of `length` characters (0 = 1..128); absent/"" allowed unless `required`.
std::string hexText(const Fields& f, const std::string& key, std::size_t length, bool required);
/// Serial numbers: hex in either case (the crypto layer's own form), 1..128 digits.
std::string serialText(const Fields& f, const std::string& key);
/// ISO 8601 UTC text; "" allowed unless `required`.
std::string isoText(const Fields& f, const std::string& key, bool required);
/// An optional ISO 8601 UTC time.
std::optional<std::time_t> isoTime(const Fields& f, const std::string& key);
/// [a-z0-9-]{0,32}
std::string word(const Fields& f, const std::string& key);
/// An integer in 0..max (absent = 0).
long long counter(const Fields& f, const std::string& key, long long max);
/// A string of at most `max` bytes (absent = "").
std::string shortText(const Fields& f, const std::string& key, std::size_t max);
/// Sets `key` to the ISO 8601 text of `t` when there is one.
void setTime(Poco::JSON::Object& o, const std::string& key, const std::optional<std::time_t>& t);
/// {"name": "value", ...} in key order.
Poco::JSON::Object::Ptr fieldsObject(const std::map<std::string, std::string>& fields);
/// {"domains": "<hex>", ...}: setting names of [a-z_] and lower-case hex values.
std::map<std::string, std::string> readFields(const Fields& f, const std::string& key);
/// A JSON array of strings.
Poco::JSON::Array::Ptr stringArray(const std::vector<std::string>& items);

} // namespace certagent::cluster::detail
