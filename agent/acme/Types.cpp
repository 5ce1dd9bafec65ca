#include "acme/Types.h"

#include "acme/AcmeError.h"
#include "acme/Json.h"
#include "util/Error.h"
#include "util/Text.h"

#include <Poco/String.h>

#include <algorithm>

namespace certagent::acme {
namespace {

using detail::Fields;
using Poco::JSON::Object;

constexpr std::size_t kMaxIdentifiers = kMaxAuthorizations;
constexpr std::size_t kMaxListedOrders = 1000;
constexpr std::size_t kMaxSubproblems = 10;

const std::vector<std::string> kOrderStatus = {"pending", "ready", "processing", "valid",
                                               "invalid"};
const std::vector<std::string> kAuthzStatus = {"pending",     "valid",   "invalid",
                                               "deactivated", "expired", "revoked"};
const std::vector<std::string> kChallengeStatus = {"pending", "processing", "valid", "invalid"};

std::string lower(std::string s) {
    return Poco::toLower(s);
}

std::string shortTypeOf(const std::string& type) {
    const std::string ns = kErrorNamespace;
    return type.rfind(ns, 0) == 0 ? type.substr(ns.size()) : type;
}

Problem problemFrom(const Object& obj) {
    const Fields f(obj, "problem");
    Problem p;
    p.type = f.optStr("type");
    p.shortType = shortTypeOf(p.type);
    p.detail = f.optStr("detail");
    p.instance = f.optStr("instance");
    if (f.has("status") && obj.get("status").isInteger()) {
        p.status = obj.get("status").convert<int>();
    }
    if (!f.has("subproblems") || obj.get("subproblems").type() != typeid(Poco::JSON::Array::Ptr)) {
        return p;
    }
    const auto subs = obj.getArray("subproblems");
    for (std::size_t i = 0; i < subs->size() && i < kMaxSubproblems; ++i) {
        const Object::Ptr sub = detail::objectAt(*subs, i, "problem.subproblems");
        const Fields sf(*sub, "subproblem");
        const Object::Ptr id = sf.object("identifier");
        const std::string who = id ? Fields(*id, "identifier").optStr("value") : std::string();
        p.subproblems.push_back(who + ": " + shortTypeOf(sf.optStr("type")) + ": " +
                                sf.optStr("detail"));
    }
    return p;
}

std::optional<Problem> optionalProblem(const Fields& f, const std::string& key) {
    const Object::Ptr obj = f.object(key);
    if (!obj) {
        return std::nullopt;
    }
    return problemFrom(*obj);
}

/// A dns identifier object {"type":"dns","value":...}: the lower-cased value.
std::string identifierValue(const Object& obj, const std::string& where) {
    const Fields f(obj, where);
    f.oneOf("type", {"dns"});
    return lower(f.str("value"));
}

Challenge challengeFrom(const Object& obj, const std::string& where, const Origin& origin) {
    const Fields f(obj, where);
    Challenge c;
    c.type = f.str("type");
    c.url = f.url("url", origin);
    c.status = f.oneOf("status", kChallengeStatus);
    c.token = f.optStr("token");
    if (f.has("token") && !validToken(c.token)) {
        f.fail("token", "\"" + escapeForLog(c.token, 64) +
                            "\" is not 16 to 128 characters of [A-Za-z0-9_-]");
    }
    if ((c.type == "http-01" || c.type == "dns-01") && c.token.empty()) {
        f.fail("token", "missing");
    }
    c.error = optionalProblem(f, "error");
    return c;
}

Object::Ptr parse(const std::string& body, const std::string& what) {
    return detail::parseJson(body, what);
}

} // namespace

std::string Problem::describe() const {
    std::string out = escapeForLog(shortType.empty() ? "(no type)" : shortType, 120) + ": " +
                      escapeForLog(detail.empty() ? "(no detail)" : detail, 300);
    for (std::size_t i = 0; i < subproblems.size(); ++i) {
        out += (i == 0 ? " (" : "; ") + escapeForLog(subproblems[i], 200);
    }
    if (!subproblems.empty()) {
        out += ")";
    }
    return instance.empty() ? out : out + ", see " + escapeForLog(instance, 200);
}

Names::Names(const std::vector<std::string>& names) {
    if (names.empty()) {
        throw ConfigError("acme: an order needs at least one name");
    }
    for (const std::string& n : names) {
        if (n.empty() || n == "*.") {
            throw ConfigError("acme: empty name in the order");
        }
        m_names.push_back(lower(n));
    }
}

bool Names::covers(const std::string& value, bool wildcard) const {
    const std::string want = (wildcard ? "*." : "") + lower(value);
    return std::find(m_names.begin(), m_names.end(), want) != m_names.end();
}

bool Names::sameSet(const std::vector<std::string>& identifiers) const {
    std::vector<std::string> a = m_names, b;
    for (const std::string& i : identifiers) {
        b.push_back(lower(i));
    }
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    std::sort(b.begin(), b.end());
    return a == b; // duplicates on the CA's side make the sizes differ
}

std::string Authorization::name() const {
    return wildcard ? "*." + identifier : identifier;
}

const Challenge* Authorization::challenge(const std::string& type) const {
    for (const Challenge& c : challenges) {
        if (c.type == type) {
            return &c;
        }
    }
    return nullptr;
}

bool validToken(const std::string& token) {
    return token.size() >= 16 && token.size() <= 128 &&
           std::all_of(token.begin(), token.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
           });
}

Directory readDirectory(const std::string& body, const std::string& url, const Origin& origin) {
    const Object::Ptr obj = parse(body, "directory");
    const Fields f(*obj, "directory");
    Directory d;
    d.url = url;
    d.newNonce = f.url("newNonce", origin);
    d.newAccount = f.url("newAccount", origin);
    d.newOrder = f.url("newOrder", origin);
    d.revokeCert = f.optUrl("revokeCert", origin);
    d.keyChange = f.optUrl("keyChange", origin);
    d.renewalInfo = f.optUrl("renewalInfo", origin);
    if (const Object::Ptr meta = f.object("meta")) {
        const Fields m(*meta, "directory.meta");
        d.termsOfService = m.optStr("termsOfService");
        d.website = m.optStr("website");
        d.externalAccountRequired = m.flag("externalAccountRequired");
    }
    return d;
}

AccountFacts readAccount(const std::string& body, const std::string& url, const Origin& origin) {
    const Object::Ptr obj = parse(body, "account");
    const Fields f(*obj, "account");
    AccountFacts a;
    a.url = url;
    a.status = f.oneOf("status", {"valid", "deactivated", "revoked"});
    a.contact = f.strings("contact", 10);
    a.orders = f.optUrl("orders", origin);
    return a;
}

Order readOrder(const std::string& body, const std::string& url, const Origin& origin,
                const Names& names) {
    const Object::Ptr obj = parse(body, "order");
    const Fields f(*obj, "order");
    Order o;
    o.url = url;
    o.status = f.oneOf("status", kOrderStatus);
    const auto ids = f.array("identifiers", kMaxIdentifiers);
    for (std::size_t i = 0; i < ids->size(); ++i) {
        o.identifiers.push_back(
            identifierValue(*detail::objectAt(*ids, i, "order.identifiers"), "order.identifiers"));
    }
    if (!names.sameSet(o.identifiers)) {
        std::string got;
        for (const std::string& i : o.identifiers) {
            got += (got.empty() ? "" : ", ") + i;
        }
        f.fail("identifiers", "[" + escapeForLog(got, 300) + "] " + kNamesDiffer);
    }
    const auto authz = f.array("authorizations", kMaxAuthorizations);
    for (std::size_t i = 0; i < authz->size(); ++i) {
        const std::string where = "order.authorizations[" + std::to_string(i) + "]";
        o.authorizations.push_back(
            origin.check(detail::stringAt(*authz, i, "order.authorizations"), where));
    }
    o.finalize = f.url("finalize", origin);
    o.certificate = f.optUrl("certificate", origin);
    o.expires = f.optStr("expires");
    o.error = optionalProblem(f, "error");
    if (o.status == "valid" && o.certificate.empty()) {
        f.fail("certificate", "missing in a valid order");
    }
    return o;
}

Authorization readAuthorization(const std::string& body, const std::string& url,
                                const Origin& origin, const Names& names) {
    const Object::Ptr obj = parse(body, "authorization");
    const Fields f(*obj, "authorization");
    Authorization a;
    a.url = url;
    const Object::Ptr id = f.object("identifier");
    if (!id) {
        f.fail("identifier", "missing");
    }
    a.identifier = identifierValue(*id, "authorization.identifier");
    a.wildcard = f.flag("wildcard");
    if (a.identifier.rfind("*.", 0) == 0 || !names.covers(a.identifier, a.wildcard)) {
        f.fail("identifier",
               "\"" + escapeForLog(a.name(), 200) + "\" is not one of the configured names");
    }
    a.status = f.oneOf("status", kAuthzStatus);
    a.expires = f.optStr("expires");
    const auto list = f.array("challenges", kMaxChallenges);
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string where = "authorization.challenges[" + std::to_string(i) + "]";
        a.challenges.push_back(
            challengeFrom(*detail::objectAt(*list, i, "authorization.challenges"), where, origin));
    }
    return a;
}

Challenge readChallenge(const std::string& body, const Origin& origin) {
    return challengeFrom(*parse(body, "challenge"), "challenge", origin);
}

std::vector<std::string> readOrderList(const std::string& body, const Origin& origin) {
    const Object::Ptr obj = parse(body, "orders");
    const Fields f(*obj, "orders");
    std::vector<std::string> out;
    const auto list = f.array("orders", kMaxListedOrders);
    for (std::size_t i = 0; i < list->size(); ++i) {
        out.push_back(origin.check(detail::stringAt(*list, i, "orders.orders"),
                                   "orders.orders[" + std::to_string(i) + "]"));
    }
    return out;
}

std::optional<Problem> readProblem(const std::string& body) {
    try {
        const Object::Ptr obj = detail::parseJson(body, "problem");
        if (!obj->has("type") && !obj->has("detail")) {
            return std::nullopt;
        }
        return problemFrom(*obj);
    } catch (const BadReply&) {
        return std::nullopt;
    }
}

} // namespace certagent::acme
