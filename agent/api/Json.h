#pragma once

// Internal: strict-but-lenient reading of API replies. Everything here throws UnreadableReply
// (a reply that does not fit: transient) naming the member; the client turns it into ApiError.

#include "api/Types.h"
#include "util/Json.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

namespace certagent::api::detail {

constexpr std::size_t kMaxJsonDepth = 32;
constexpr std::size_t kMaxPemBytes = 256 * 1024;
constexpr std::size_t kMaxStringBytes = 64 * 1024;
constexpr long long kMaxId = (1LL << 53) - 1;

/// The reply does not have the expected shape (transient: retried, then exit 3).
class UnreadableReply : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The reply is well formed but about something else (another order id): refused, exit 4.
class MismatchedReply : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The reply is well formed and says the request failed (`"success": false` without an error
/// envelope): refused like an envelope, exit 4. Holds the reply's `message` (raw, may be empty).
class RefusedReply : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The shape of a parsed JSON value.
inline bool isObject(const Poco::Dynamic::Var& v) {
    return isJsonObject(v);
}
inline bool isArray(const Poco::Dynamic::Var& v) {
    return v.type() == typeid(Poco::JSON::Array::Ptr);
}

/// Parses a reply body: valid UTF-8 without NUL, one JSON object, nesting ≤ kMaxJsonDepth.
Poco::JSON::Object::Ptr parseObject(const std::string& body);

/// True if `obj` is an error envelope (`error` present and truthy); fills message/description.
bool errorEnvelope(const Poco::JSON::Object& obj, std::string& message, std::string& description);

/// Typed access to the members of one object; `where` prefixes error texts ("san[0]").
class Reader {
  public:
    Reader(const Poco::JSON::Object& obj, std::string where);

    bool has(const std::string& key) const;
    Poco::Dynamic::Var get(const std::string& key) const;
    /// Required string member.
    std::string str(const std::string& key) const;
    /// String member; absent or null → "". Numbers are NOT accepted.
    std::string optStr(const std::string& key) const;
    /// String or number (prices, invoice ids) as text; absent/null → "".
    std::string text(const std::string& key) const;
    /// Positive integer id below 2^53, as number or decimal string. Required.
    long long id(const std::string& key) const;
    /// Integer as number or decimal string (may be negative); absent/null/"" → `fallback`.
    long long integer(const std::string& key, long long fallback = 0) const;
    /// int range variant of integer().
    int smallInt(const std::string& key, int fallback = 0) const;
    /// 0/1, "0"/"1", true/false, "yes"/"no", ""; absent → false.
    bool flag(const std::string& key) const;
    /// "YYYY-MM-DD[ HH:MM[:SS]]" (the date as written) or RFC 3339 "YYYY-MM-DDTHH:MM:SS[.f]Z" /
    /// "...±HH:MM" (the UTC date); absent, null, "", "0000-00-00…" → none.
    std::optional<Date> date(const std::string& key) const;
    /// PEM text member: optional string ≤ kMaxPemBytes, CRLF (and any run of CRs before an LF)
    /// normalised to LF.
    std::string pem(const std::string& key) const;
    /// A member that should be an object; `[]`, "", null, absent → nullptr.
    Poco::JSON::Object::Ptr object(const std::string& key) const;

    const Poco::JSON::Object& raw() const { return m_obj; }
    const std::string& where() const { return m_where; }
    [[noreturn]] void fail(const std::string& key, const std::string& why) const;

  private:
    const Poco::JSON::Object& m_obj;
    std::string m_where;
};

/// True for a non-empty string of ASCII digits only.
bool allDigits(const std::string& s);

/// Checks a decoded string: no NUL, valid UTF-8, ≤ kMaxStringBytes. Throws UnreadableReply.
void checkString(const std::string& value, const std::string& what);

/// Parses a DCV object (`approver_method`, `validation`). `preferred` picks the member when the
/// object has several. `[]`, "", null → empty DcvInfo; a bare string → email.
DcvInfo parseDcv(const Poco::Dynamic::Var& value, const std::string& preferred,
                 const std::string& where);

/// Splits "name CNAME target" / `name IN TXT "value"` into the DcvInfo dns members.
void splitDnsRecord(DcvInfo& dcv);

/// Parses a `san` member: array (or PHP object) of SAN items; `[]`, "", null → empty.
std::vector<SanItem> parseSanList(const Poco::Dynamic::Var& value, const std::string& where);

/// Splits a comma list, trimming spaces, dropping empties.
std::vector<std::string> splitList(const std::string& text);

} // namespace certagent::api::detail
