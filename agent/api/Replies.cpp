#include "api/Replies.h"

#include "api/Json.h"
#include "util/Text.h"

#include <Poco/JSON/Array.h>
#include <Poco/String.h>

#include <algorithm>

namespace certagent::api::detail {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

void checkId(long long got, long long asked, const char* what) {
    if (asked > 0 && got != asked) {
        throw MismatchedReply(std::string("reply is about ") + what + " " + std::to_string(got) +
                              ", not " + std::to_string(asked));
    }
}

/// The result of an order-placing call whose order id is known: `readRest` fills the other
/// members; when they do not fit, only the id and why (the order exists all the same).
template <typename Result, typename ReadRest> Result placed(long long orderId, ReadRest readRest) {
    Result out;
    out.orderId = orderId;
    try {
        readRest(out);
    } catch (const UnreadableReply& e) {
        out = Result();
        out.orderId = orderId;
        out.unreadableDetails = escapeForLog(e.what(), 300);
    }
    return out;
}

/// The elements of the array member `key`; absent, null and "" (PHP's empty value) → none.
std::vector<Var> arrayItems(const Reader& r, const std::string& key) {
    const Var v = r.get(key);
    std::vector<Var> out;
    if (v.isEmpty() || (v.isString() && v.extract<std::string>().empty())) {
        return out;
    }
    if (!isArray(v)) {
        r.fail(key, "not an array");
    }
    const Array& a = *v.extract<Array::Ptr>();
    for (std::size_t i = 0; i < a.size(); ++i) {
        out.push_back(a.get(static_cast<unsigned>(i)));
    }
    return out;
}

std::vector<Object::Ptr> objectArray(const Reader& r, const std::string& key) {
    std::vector<Object::Ptr> out;
    for (const Var& item : arrayItems(r, key)) {
        if (!isObject(item)) {
            r.fail(key + "[" + std::to_string(out.size()) + "]", "not an object");
        }
        out.push_back(item.extract<Object::Ptr>());
    }
    return out;
}

std::vector<std::string> stringArray(const Reader& r, const std::string& key) {
    std::vector<std::string> out;
    for (const Var& item : arrayItems(r, key)) {
        if (!item.isString()) {
            r.fail(key + "[" + std::to_string(out.size()) + "]", "not a string");
        }
        out.push_back(item.extract<std::string>());
        checkString(out.back(), key);
    }
    return out;
}

/// `domains`: a comma string, or (leniently) an array of strings.
std::vector<std::string> domainList(const Reader& r, const std::string& key) {
    const Var v = r.get(key);
    if (isArray(v)) {
        return stringArray(r, key);
    }
    return splitList(r.optStr(key));
}

void readStatusCore(const Reader& r, OrderStatus& s) {
    s.partnerOrderId = r.text("partner_order_id");
    s.internalId = r.text("internal_id");
    s.status = r.str("status");
    s.statusDescription = r.optStr("status_description");
    s.dcvStatus = r.smallInt("dcv_status");
    s.productId = r.integer("product_id");
    s.domain = r.optStr("domain");
    s.domains = domainList(r, "domains");
    s.totalDomains = r.smallInt("total_domains");
    s.singleSanCount = r.smallInt("single_san_count");
    s.wildcardSanCount = r.smallInt("wildcard_san_count");
    s.validityPeriod = r.smallInt("validity_period");
    s.validFrom = r.date("valid_from");
    s.validTill = r.date("valid_till");
    s.beginDate = r.date("begin_date");
    s.endDate = r.date("end_date");
    s.csrCode = r.pem("csr_code");
    s.crtCode = r.pem("crt_code");
    s.caCode = r.pem("ca_code");
}

void readStatusRest(const Reader& r, OrderStatus& s) {
    s.serverCount = r.smallInt("server_count");
    s.webserverType = r.smallInt("webserver_type");
    s.reissue = r.flag("reissue");
    s.reissueNow = r.flag("reissue_now");
    s.renew = r.flag("renew");
    s.upgrade = r.flag("upgrade");
    s.manualCheck = r.flag("manual_check");
    s.preSigning = r.flag("pre_signing");
    s.freeEvUpgrade = r.flag("free_ev_upgrade");
    s.dcvMethod = r.optStr("dcv_method");
    s.approverEmails = splitList(r.text("approver_emails"));
    s.approverEmail = r.text("approver_email");
    s.approver = parseDcv(r.get("approver_method"), s.dcvMethod, "approver_method");
    s.san = parseSanList(r.get("san"), "san");
    s.adminMessage = r.text("admin_msg");
    s.validationDescription = r.text("validation_description");
    s.sslPrice = r.text("ssl_price");
    for (const auto& member : r.raw()) {
        const std::string& k = member.first;
        if (k.rfind("admin_", 0) == 0 || k.rfind("tech_", 0) == 0 || k.rfind("org_", 0) == 0) {
            if (k != "admin_msg" && member.second.isString()) {
                s.contacts[k] = r.str(k);
            }
        }
    }
    if (r.has("time_stamp") && !r.get("time_stamp").isEmpty()) {
        s.timeStamp = r.integer("time_stamp");
    }
}

} // namespace

OrderStatus parseOrderStatus(const Object& obj, long long askedId) {
    Reader r(obj, "");
    OrderStatus s;
    s.orderId = r.id("order_id");
    checkId(s.orderId, askedId, "order");
    readStatusCore(r, s);
    readStatusRest(r, s);
    return s;
}

std::vector<BatchStatus> parseBatch(const Object& obj, const std::vector<long long>& asked) {
    Reader r(obj, "");
    std::vector<BatchStatus> out;
    std::size_t i = 0;
    for (const Object::Ptr& item : objectArray(r, "certificates")) {
        Reader c(*item, "certificates[" + std::to_string(i++) + "]");
        BatchStatus b;
        b.orderId = c.id("order_id");
        if (std::find(asked.begin(), asked.end(), b.orderId) == asked.end()) {
            throw MismatchedReply("reply names order " + std::to_string(b.orderId) +
                                  " that was not asked for");
        }
        b.status = c.str("status");
        b.expires = c.date("expires");
        out.push_back(std::move(b));
    }
    return out;
}

NewOrderResult parseNewOrder(const Object& obj, const std::string& dcvMethod) {
    const Reader r(obj, "");
    // Without order_id nobody knows whether an order exists: that alone is unreadable.
    return placed<NewOrderResult>(r.id("order_id"), [&](NewOrderResult& n) {
        n.productId = r.integer("product_id");
        n.invoiceId = r.text("invoice_id");
        n.orderStatus = r.optStr("order_status");
        n.orderAmount = r.text("order_amount");
        n.currency = r.optStr("currency");
        n.tax = r.text("tax");
        n.taxRate = r.text("tax_rate");
        n.approver = parseDcv(r.get("approver_method"), dcvMethod, "approver_method");
        n.san = parseSanList(r.get("san"), "san");
    });
}

ReissueResult parseReissue(const Object& obj, long long askedId, const std::string& dcvMethod) {
    const Reader r(obj, "");
    const long long orderId = r.has("order_id") ? r.id("order_id") : askedId;
    checkId(orderId, askedId, "order");
    return placed<ReissueResult>(orderId, [&](ReissueResult& out) {
        out.orderStatus = r.optStr("order_status");
        out.validation = parseDcv(r.get("validation"), dcvMethod, "validation");
        out.san = parseSanList(r.get("san"), "san");
    });
}

DomainEmails parseDomainEmails(const Object& obj) {
    Reader r(obj, "");
    return {stringArray(r, "ComodoApprovalEmails"), stringArray(r, "GeotrustApprovalEmails")};
}

CsrInfo parseCsr(const Object& obj) {
    Reader top(obj, "");
    const Object::Ptr inner = top.object("csrResult");
    if (!inner) {
        top.fail("csrResult", "missing");
    }
    Reader r(*inner, "csrResult");
    CsrInfo info;
    for (const auto& member : *inner) {
        const Var& v = member.second;
        if (v.isBoolean()) {
            info.fields[member.first] = v.extract<bool>() ? "true" : "false";
        } else if (v.isString() || v.isInteger() || v.type() == typeid(double)) {
            info.fields[member.first] = r.text(member.first);
        }
    }
    info.commonName = info.fields["CN"];
    info.dnsNames = splitList(info.fields["dnsName(s)"]);
    const auto err = info.fields.find("errorMessage");
    info.errorMessage = (err == info.fields.end() || err->second == "false") ? "" : err->second;
    return info;
}

OrderList parseOrderList(const Object& obj) {
    Reader r(obj, "");
    OrderList list;
    std::size_t i = 0;
    for (const Object::Ptr& item : objectArray(r, "orders")) {
        Reader o(*item, "orders[" + std::to_string(i++) + "]");
        list.orders.push_back({o.id("order_id"), o.str("status")});
    }
    list.limit = r.integer("limit");
    list.offset = r.integer("offset");
    list.count = r.integer("count");
    return list;
}

AccountBalance parseBalance(const Object& obj) {
    Reader r(obj, "");
    return {r.text("balance"), r.optStr("currency")};
}

ProductDetails parseProduct(const Object& obj, long long askedId) {
    Reader r(obj, "");
    ProductDetails p;
    p.productId = r.has("product_id") ? r.id("product_id") : askedId;
    checkId(p.productId, askedId, "product");
    p.name = r.text("product_name");
    p.type = r.text("product_type");
    p.brand = r.text("product_brand");
    p.wildcard = r.flag("product_wildcard");
    p.multidomain = r.flag("product_is_multidomain");
    p.dcvEmail = r.flag("product_dcv_email");
    p.dcvDns = r.flag("product_dcv_dns");
    p.dcvHttp = r.flag("product_dcv_http");
    p.dcvHttps = r.flag("product_dcv_https");
    std::size_t i = 0;
    for (const Object::Ptr& item : objectArray(r, "product_prices")) {
        Reader pr(*item, "product_prices[" + std::to_string(i++) + "]");
        p.prices.push_back({pr.smallInt("period"), pr.text("price"), pr.integer("id")});
    }
    for (const auto& member : obj) {
        const Var& v = member.second;
        if (!v.isBoolean() && (v.isString() || v.isInteger() || v.type() == typeid(double))) {
            p.fields[member.first] = r.text(member.first);
        }
    }
    return p;
}

bool isUsableKey(const std::string& key) {
    const bool printable = std::all_of(key.begin(), key.end(), [](char c) {
        return c > 0x20 && c < 0x7F && c != '"' && c != '\\';
    });
    return !key.empty() && key.size() <= 512 && printable;
}

std::string parseMessage(const Object& obj) {
    return Reader(obj, "").text("message");
}

bool isAuthKeyRefusal(const std::string& message, const std::string& description) {
    const std::string text = Poco::toLower(message + "\n" + description);
    const auto mentions = [&text](std::initializer_list<const char*> words) {
        return std::any_of(words.begin(), words.end(),
                           [&text](const char* w) { return text.find(w) != std::string::npos; });
    };
    return mentions({"auth key", "auth_key", "authkey"}) &&
           mentions({"invalid", "expired", "not valid", "incorrect", "wrong", "unknown",
                     "not found", "revoked"});
}

std::string parseConfirmation(const Object& obj) {
    const Reader r(obj, "");
    std::string message = r.text("message");
    if (!r.get("success").isEmpty() && !r.flag("success")) {
        throw RefusedReply(message);
    }
    return message;
}

Secret parseAuthKey(const Object& obj) {
    Reader r(obj, "");
    Secret key(r.str("key"));
    if (!isUsableKey(key.reveal())) {
        r.fail("key", "not a usable auth key");
    }
    return key;
}

} // namespace certagent::api::detail
