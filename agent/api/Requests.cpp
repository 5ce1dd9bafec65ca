#include "api/Requests.h"

#include "api/ApiError.h"
#include "api/Json.h"
#include "util/Text.h"

#include <Poco/URI.h>

#include <algorithm>

namespace certagent::api::detail {
namespace {

[[noreturn]] void badRequest(const std::string& method, const std::string& why) {
    ApiError::Details d;
    d.method = method;
    throw ApiError(d, "bad request: " + why);
}

struct RawMethod {
    const char* name;
    const char* verb;
    const char* path;    ///< "{}" is replaced by the id parameter
    const char* idParam; ///< "" = no id in the path
    bool idempotent;
};

constexpr RawMethod kRawMethods[] = {
    {"getOrderStatus", "GET", "/orders/status/{}", "order_id", true},
    {"getOrdersStatus", "POST", "/orders/statuses/", "", true},
    {"addSSLOrder", "POST", "/orders/add_ssl_order/", "", false},
    {"addSSLRenewOrder", "POST", "/orders/add_ssl_renew_order/", "", false},
    {"addSSLSANOrder", "POST", "/orders/add_ssl_san_order/", "", false},
    {"reissueSSLOrder", "POST", "/orders/ssl/reissue/{}", "order_id", false},
    {"cancelSSLOrder", "POST", "/orders/cancel_ssl_order/", "", false},
    {"changeValidationMethod", "POST", "/orders/ssl/change_validation_method/{}", "order_id", true},
    {"changeValidationEmail", "POST", "/orders/ssl/change_validation_email/{}", "order_id", true},
    {"changeDomainsValidationMethod", "POST", "/orders/ssl/change_domains_validation_method/{}",
     "order_id", true},
    {"revalidate", "POST", "/orders/ssl/revalidate/{}", "order_id", true},
    {"resendValidationEmail", "GET", "/orders/ssl/resend_validation_email/{}", "order_id", true},
    {"getOrderInvoice", "GET", "/orders/invoice/{}", "order_id", true},
    {"getUnpaidOrders", "GET", "/orders/list/unpaid/", "", true},
    {"getAllSSLOrders", "GET", "/orders/ssl/all/", "", true},
    {"getDomainEmails", "POST", "/tools/domain/emails/", "", true},
    {"getDomainAlternative", "POST", "/tools/domain/alternative/", "", true},
    {"decodeCSR", "POST", "/tools/csr/decode/", "", true},
    {"validateCSR", "POST", "/tools/csr/validate/", "", true},
    {"getWebservers", "GET", "/tools/webservers/{}", "type", true},
    {"getAccountBalance", "GET", "/account/balance/", "", true},
    {"getAccountDetails", "GET", "/account/", "", true},
    {"getAllProducts", "GET", "/products/", "", true},
    {"getSslProducts", "GET", "/products/ssl/", "", true},
    {"getProductDetails", "GET", "/products/details/{}", "product_id", true},
    {"getProductPrice", "GET", "/products/price/{}", "product_id", true},
};

bool isSafePath(const std::string& path) {
    return !path.empty() && path[0] == '/' && path.size() <= 200 &&
           path.find("..") == std::string::npos &&
           std::all_of(path.begin(), path.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '/' || c == '_' || c == '-' || c == '.';
           });
}

CallSpec tableSpec(const RawMethod& m, const Params& params) {
    CallSpec spec{m.name, 0, m.verb, m.path, {}, {}, m.idempotent};
    Params rest;
    bool haveId = false;
    for (const auto& [k, v] : params) {
        if (*m.idParam && k == m.idParam && !haveId) {
            if (!allDigits(v) || v.size() > 16) {
                badRequest(m.name, std::string(m.idParam) + " must be a number");
            }
            spec.path.replace(spec.path.find("{}"), 2, v);
            if (k == "order_id") {
                spec.orderId = std::stoll(v);
            }
            haveId = true;
        } else {
            rest.emplace_back(k, v);
        }
    }
    if (*m.idParam && !haveId) {
        badRequest(m.name, std::string("missing ") + m.idParam + "=");
    }
    (spec.verb == "GET" ? spec.query : spec.form) = std::move(rest);
    return spec;
}

} // namespace

std::string formEncode(const Params& params) {
    std::string out;
    for (const auto& [k, v] : params) {
        if (!out.empty()) {
            out += '&';
        }
        Poco::URI::encode(k, "!#$&'()*+,/:;=?@[]", out);
        out += '=';
        Poco::URI::encode(v, "!#$&'()*+,/:;=?@[]", out);
    }
    return out;
}

HttpRequest buildRequest(const CallSpec& spec, const std::string& authKey) {
    Params query;
    if (!authKey.empty()) {
        query.emplace_back("auth_key", authKey);
    }
    query.insert(query.end(), spec.query.begin(), spec.query.end());
    HttpRequest req;
    req.method = spec.verb;
    req.target = spec.path;
    if (!query.empty()) {
        req.target += "?" + formEncode(query);
    }
    if (spec.verb == "POST") {
        req.body = formEncode(spec.form);
        req.contentType = "application/x-www-form-urlencoded";
    }
    return req;
}

std::string joinList(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : ",") + item;
    }
    return out;
}

Params newOrderParams(const NewOrderRequest& r, const std::string& method) {
    Params p{{"product_id", std::to_string(r.productId)},
             {"period", std::to_string(r.period)},
             {"csr", r.csr},
             {"server_count", std::to_string(r.serverCount)},
             {"webserver_type", std::to_string(r.webserverType)},
             {"dcv_method", r.dcvMethod}};
    if (!r.approverEmail.empty()) {
        p.emplace_back("approver_email", r.approverEmail);
    }
    if (!r.dnsNames.empty()) {
        if (r.approverEmails.size() != r.dnsNames.size()) {
            badRequest(method, "approver_emails must have one entry per dns_names entry");
        }
        p.emplace_back("dns_names", joinList(r.dnsNames));
        p.emplace_back("approver_emails", joinList(r.approverEmails));
    }
    for (const auto& [k, v] : r.contacts) {
        if (k.rfind("admin_", 0) != 0 && k.rfind("tech_", 0) != 0 && k.rfind("org_", 0) != 0) {
            badRequest(method, "unknown contact field \"" + escapeForLog(k, 40) + "\"");
        }
        p.emplace_back(k, v);
    }
    if (!r.uniqueCode.empty()) {
        p.emplace_back("unique_code", r.uniqueCode);
    }
    if (!r.signatureHash.empty()) {
        p.emplace_back("signature_hash", r.signatureHash);
    }
    return p;
}

Params reissueParams(const ReissueRequest& r) {
    Params p{{"csr", r.csr}, {"webserver_type", std::to_string(r.webserverType)}};
    if (!r.dcvMethod.empty()) {
        p.emplace_back("dcv_method", r.dcvMethod);
    }
    if (!r.approverEmail.empty()) {
        p.emplace_back("approver_email", r.approverEmail);
    }
    if (!r.dnsNames.empty()) {
        if (r.approverEmails.size() != r.dnsNames.size()) {
            badRequest("reissueSSLOrder",
                       "approver_emails must have one entry per dns_names entry");
        }
        p.emplace_back("dns_names", joinList(r.dnsNames));
        p.emplace_back("approver_emails", joinList(r.approverEmails));
    }
    if (!r.uniqueCode.empty()) {
        p.emplace_back("unique_code", r.uniqueCode);
    }
    if (!r.signatureHash.empty()) {
        p.emplace_back("signature_hash", r.signatureHash);
    }
    return p;
}

CallSpec rawSpec(const std::string& method, const Params& params) {
    for (const RawMethod& m : kRawMethods) {
        if (method == m.name) {
            return tableSpec(m, params);
        }
    }
    std::string verb;
    std::string path = method;
    if (method.rfind("GET ", 0) == 0 || method.rfind("POST ", 0) == 0) {
        verb = method.substr(0, method.find(' '));
        path = method.substr(verb.size() + 1);
    }
    if (!isSafePath(path)) {
        badRequest("raw", "unknown method or unsafe path \"" + escapeForLog(method, 60) + "\"");
    }
    if (verb.empty()) {
        verb = params.empty() ? "GET" : "POST";
    }
    CallSpec spec{path, 0, verb, path, {}, {}, verb == "GET"};
    (verb == "GET" ? spec.query : spec.form) = params;
    return spec;
}

} // namespace certagent::api::detail
