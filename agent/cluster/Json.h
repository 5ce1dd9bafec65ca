#pragma once

// Internal to agent/cluster: strict reading of JSON from etcd (gateway replies and the records
// other hosts wrote). etcd is shared state, not trusted state: every reader checks the type,
// caps sizes and throws BadJson naming the member; callers turn that into their own error.
// The gateway's proto3 JSON writes int64 as strings and leaves out false, zero and empty
// members, so absent means "zero value" here unless a reader says "required".

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace certagent::cluster::detail {

constexpr std::size_t kMaxJsonDepth = 16;

/// A JSON text that does not have the expected shape. what() is one line, already escaped.
class BadJson : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Parses one JSON object: at most `maxBytes`, valid UTF-8 without NUL, nesting ≤ kMaxJsonDepth.
/// Throws BadJson.
Poco::JSON::Object::Ptr parseObject(const std::string& text, std::size_t maxBytes);

/// Compact JSON text of `obj`.
std::string toJson(const Poco::JSON::Object& obj);

/// An empty object that keeps insertion order (stable output for tests and humans).
Poco::JSON::Object::Ptr newObject();

/// Standard base64 with padding, no line breaks (etcd's encoding of bytes).
std::string base64Encode(std::string_view bytes);
/// Decodes strict standard base64 (padding required, no whitespace). Throws BadJson naming
/// `what`, never quoting the text.
std::string base64Decode(std::string_view text, const std::string& what);

/// Typed, checked access to the members of one object. `where` prefixes error texts
/// ("kvs[0]"). Strings are checked for UTF-8 and `maxString` bytes.
class Fields {
  public:
    Fields(const Poco::JSON::Object& obj, std::string where, std::size_t maxString = 64 * 1024);

    bool has(const std::string& key) const;
    /// int64 as a JSON integer or a decimal string (the gateway's form); absent → 0.
    std::int64_t int64(const std::string& key) const;
    /// int64 that must be present.
    std::int64_t requiredInt64(const std::string& key) const;
    /// Boolean; absent → false (proto3 leaves false out).
    bool boolean(const std::string& key) const;
    /// String that must be present.
    std::string str(const std::string& key) const;
    /// String; absent → "".
    std::string optStr(const std::string& key) const;
    /// base64 bytes; absent → "" (etcd leaves empty values out). Capped at `maxBytes` decoded.
    std::string bytes(const std::string& key, std::size_t maxBytes) const;
    /// Array of base64 strings, each decoded and capped like bytes(); absent → empty.
    std::vector<std::string> byteStrings(const std::string& key, std::size_t maxItems,
                                         std::size_t maxBytes) const;
    /// Object member; absent → nullptr unless `required`.
    Poco::JSON::Object::Ptr object(const std::string& key, bool required = false) const;
    /// Array member; absent → an empty array. At most `maxItems` elements.
    Poco::JSON::Array::Ptr array(const std::string& key, std::size_t maxItems) const;
    /// Array of strings (each checked like str()); absent → empty.
    std::vector<std::string> strings(const std::string& key, std::size_t maxItems) const;

    const std::string& where() const { return m_where; }
    /// "<where>.<key>" for nested error texts.
    std::string at(const std::string& key) const;
    [[noreturn]] void fail(const std::string& key, const std::string& why) const;

  private:
    std::string text(const Poco::Dynamic::Var& v, const std::string& where) const;
    std::string decoded(const Poco::Dynamic::Var& v, const std::string& where,
                        std::size_t maxBytes) const;

    const Poco::JSON::Object& m_obj;
    std::string m_where;
    std::size_t m_maxString;
};

/// The object at `array[index]`; throws BadJson naming `where[index]` when it is not one.
Poco::JSON::Object::Ptr objectAt(const Poco::JSON::Array& array, std::size_t index,
                                 const std::string& where);

} // namespace certagent::cluster::detail
