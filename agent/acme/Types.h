#pragma once

// The ACME resources (RFC 8555 §7.1) as the agent reads them, and their strict readers. Every
// reader refuses what does not fit with BadReply: unknown status words, URLs off the directory's
// origin, more than kMaxAuthorizations / kMaxChallenges, bad tokens, identifiers the
// configuration did not ask for.

#include "acme/Wire.h"

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <vector>

namespace certagent::acme {

constexpr std::size_t kMaxAuthorizations = 100; ///< per order
constexpr std::size_t kMaxChallenges = 20;      ///< per authorization
/// Ends readOrder's refusal of an order for other names than the configured ones: the
/// configuration changed while the order was pending (the caller drops the order).
constexpr const char* kNamesDiffer = "differ from the configured names";

/// An RFC 7807 problem document (RFC 8555 §6.7). Texts are raw server text: escape before use.
struct Problem {
    std::string type;      ///< as sent ("urn:ietf:params:acme:error:rateLimited")
    std::string shortType; ///< without the RFC 8555 namespace ("rateLimited"); else == type
    std::string detail;
    int status = 0;       ///< the document's own status member (0 = absent)
    std::string instance; ///< a URL for the human (userActionRequired: the terms to agree to)
    /// Subproblems (§6.7.1) as "<identifier>: <shortType>: <detail>", at most 10 kept.
    std::vector<std::string> subproblems;
    /// One escaped line: "<shortType>: <detail>[ (<subproblem>; ...)][, see <instance>]".
    std::string describe() const;
};

/// The directory (§7.1.1). URLs are checked; optional ones are "" when absent.
struct Directory {
    std::string url;
    std::string newNonce, newAccount, newOrder; ///< required
    std::string revokeCert, keyChange;
    std::string renewalInfo;    ///< RFC 9773 ARI; "" = the CA offers none
    std::string termsOfService; ///< meta.termsOfService (any URL: shown, never fetched)
    std::string website;
    bool externalAccountRequired = false;
};

/// The names a certificate asks for, as configured ("*.example.com" for a wildcard). Compared
/// case-insensitively.
class Names {
  public:
    /// Throws ConfigError when `names` is empty or holds an empty name.
    explicit Names(const std::vector<std::string>& names);
    /// Lower-cased, in configuration order.
    const std::vector<std::string>& list() const { return m_names; }
    /// True if the authorization identifier `value` (with its wildcard flag) is configured.
    bool covers(const std::string& value, bool wildcard) const;
    /// True when `identifiers` (order form: "*.x" for a wildcard) is exactly this set.
    bool sameSet(const std::vector<std::string>& identifiers) const;

  private:
    std::vector<std::string> m_names;
};

/// An account (§7.1.2) as the CA describes it.
struct AccountFacts {
    std::string url;    ///< the account URL ("kid"), from Location
    std::string status; ///< "valid" (deactivated/revoked accounts are refused)
    std::vector<std::string> contact;
    std::string orders;   ///< the account's orders list URL ("" when the CA sends none)
    bool created = false; ///< 201: created now; 200: it existed
};

/// A challenge (§7.1.5, §8). Token checked by validToken() when present.
struct Challenge {
    std::string type; ///< "http-01", "dns-01", ... (other types kept, never used)
    std::string url;
    std::string status; ///< pending | processing | valid | invalid
    std::string token;
    std::optional<Problem> error;
};

/// An authorization (§7.1.4).
struct Authorization {
    std::string url;
    std::string identifier; ///< dns value, without "*." (the wildcard flag says so)
    bool wildcard = false;
    std::string status; ///< pending | valid | invalid | deactivated | expired | revoked
    std::string expires;
    std::vector<Challenge> challenges;
    /// The configured name it proves: "*." + identifier when wildcard.
    std::string name() const;
    /// The challenge of that type, or nullptr.
    const Challenge* challenge(const std::string& type) const;
};

/// An order (§7.1.3).
struct Order {
    std::string url;
    std::string status;                   ///< pending | ready | processing | valid | invalid
    std::vector<std::string> identifiers; ///< dns values, "*.x" for a wildcard
    std::vector<std::string> authorizations;
    std::string finalize;
    std::string certificate; ///< "" until valid
    std::string expires;
    std::optional<Problem> error;
};

/// True for ^[A-Za-z0-9_-]{16,128}$ — checked before a token names a file (§8.1, lego
/// CVE-2026-40611, uacme #64).
bool validToken(const std::string& token);

/// Readers; `url` is where the body came from. All throw BadReply.
Directory readDirectory(const std::string& body, const std::string& url, const Origin& origin);
AccountFacts readAccount(const std::string& body, const std::string& url, const Origin& origin);
Order readOrder(const std::string& body, const std::string& url, const Origin& origin,
                const Names& names);
Authorization readAuthorization(const std::string& body, const std::string& url,
                                const Origin& origin, const Names& names);
Challenge readChallenge(const std::string& body, const Origin& origin);
/// The `orders` array of an account's orders list page (§7.1.2.1), at most 1000 URLs.
std::vector<std::string> readOrderList(const std::string& body, const Origin& origin);

/// The problem document in an error reply, or nullopt when the body is none. Never throws.
std::optional<Problem> readProblem(const std::string& body);

} // namespace certagent::acme
