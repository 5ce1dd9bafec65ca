#pragma once

#include <Poco/JSON/Object.h>

#include <ctime>
#include <optional>
#include <string>
#include <vector>

/// Internal to agent/store: typed reading and writing of JSON object fields. Every reader
/// throws Error (kExitInternal) naming `what` and the key when the type is wrong; missing keys
/// give the fallback / nullopt.
namespace certagent::store::json {

/// Parses `text` as one JSON object (depth capped). Throws Error naming `what`.
Poco::JSON::Object::Ptr parseObject(const std::string& text, const std::string& what);
/// Pretty-printed, key order preserved.
std::string stringify(const Poco::JSON::Object& obj);
/// An empty object that keeps insertion order.
Poco::JSON::Object::Ptr newObject();

std::string getString(const Poco::JSON::Object& o, const std::string& key, const std::string& what);
long long getInt(const Poco::JSON::Object& o, const std::string& key, const std::string& what);
std::optional<std::time_t> getTime(const Poco::JSON::Object& o, const std::string& key,
                                   const std::string& what);
std::vector<std::string> getStrings(const Poco::JSON::Object& o, const std::string& key,
                                    const std::string& what);

void setTime(Poco::JSON::Object& o, const std::string& key, const std::optional<std::time_t>& t);
void setStrings(Poco::JSON::Object& o, const std::string& key, const std::vector<std::string>& v);

} // namespace certagent::store::json

namespace certagent::store {
struct OrderRef;
/// "backend", "orderRef" and (numeric ids) "orderId" of an order reference.
void writeOrder(Poco::JSON::Object& o, const OrderRef& order);
/// Reads writeOrder()'s fields; a lone numeric "orderId" is a GoGetSSL order. Throws Error.
OrderRef readOrder(const Poco::JSON::Object& o, const std::string& what);
} // namespace certagent::store
