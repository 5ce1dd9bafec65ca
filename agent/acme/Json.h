#pragma once

// Internal: strict reading of the CA's JSON (Poco::JSON). Everything throws BadReply naming the
// member ("order.authorizations[3]: ...").

#include "acme/Wire.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstddef>
#include <string>
#include <vector>

namespace certagent::acme::detail {

/// Largest JSON body read (an order with 100 authorizations is ~10 KiB).
constexpr std::size_t kMaxJsonBytes = 1024 * 1024;
/// Longest string member kept (detail texts, tokens, URLs are far shorter).
constexpr std::size_t kMaxStringBytes = 16 * 1024;

/// Parses a body: ≤ kMaxJsonBytes (else BadReply, not transient), valid UTF-8 without NUL, one
/// JSON object, nesting ≤ 16 (else transient BadReply: the reply may have been cut).
Poco::JSON::Object::Ptr parseJson(const std::string& body, const std::string& what);

/// Typed access to one object's members; `where` prefixes error texts.
class Fields {
  public:
    Fields(const Poco::JSON::Object& obj, std::string where);

    bool has(const std::string& key) const;
    /// Required string member (non-empty, ≤ kMaxStringBytes, valid UTF-8).
    std::string str(const std::string& key) const;
    /// Optional string member; absent or null → "".
    std::string optStr(const std::string& key) const;
    /// Optional boolean; absent or null → false.
    bool flag(const std::string& key) const;
    /// Required string that must be one of `allowed`.
    std::string oneOf(const std::string& key, const std::vector<std::string>& allowed) const;
    /// Required URL on `origin` (Origin::check).
    std::string url(const std::string& key, const Origin& origin) const;
    /// Optional URL on `origin`; absent or null → "".
    std::string optUrl(const std::string& key, const Origin& origin) const;
    /// Required array of at most `maxItems` elements.
    Poco::JSON::Array::Ptr array(const std::string& key, std::size_t maxItems) const;
    /// Optional array; absent or null → empty; more than `maxItems` → BadReply.
    std::vector<std::string> strings(const std::string& key, std::size_t maxItems) const;
    /// Optional object member; absent or null → nullptr.
    Poco::JSON::Object::Ptr object(const std::string& key) const;

    const std::string& where() const { return m_where; }
    [[noreturn]] void fail(const std::string& key, const std::string& why) const;

  private:
    const Poco::JSON::Object& m_obj;
    std::string m_where;
};

/// Element `i` of `array` as an object; BadReply naming `where[i]` otherwise.
Poco::JSON::Object::Ptr objectAt(const Poco::JSON::Array& array, std::size_t i,
                                 const std::string& where);
/// Element `i` of `array` as a string (checked like Fields::str).
std::string stringAt(const Poco::JSON::Array& array, std::size_t i, const std::string& where);

} // namespace certagent::acme::detail
