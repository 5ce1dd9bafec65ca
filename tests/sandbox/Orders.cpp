// The order methods of Api: creation, reissue, status, DCV changes, progress and issuance.
#include "Api.h"
#include "Dcv.h"
#include "TestCa.h"

#include <Poco/JSON/Array.h>
#include <Poco/StringTokenizer.h>

#include <ctime>
#include <iostream>
#include <set>

namespace certagent::sandbox {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

std::vector<std::string> commaList(const std::string& text) {
    std::vector<std::string> out;
    Poco::StringTokenizer tok(
        text, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    out.assign(tok.begin(), tok.end());
    return out;
}

std::string today(long offsetDays = 0) {
    std::time_t t = std::time(nullptr) + offsetDays * 86400;
    struct tm tm {};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

bool isFileMethod(const std::string& m) {
    return m == "http" || m == "https";
}
/// "http" | "https" | "dns" | "email" for a method or approver address.
std::string kind(const std::string& m) {
    return isFileMethod(m) || m == "dns" ? m : "email";
}

void checkMethod(const std::string& name, const std::string& method) {
    if (kind(method) == "email" && method.find('@') == std::string::npos)
        throw ApiError("Invalid DCV method", "Unknown validation method '" + method + "'");
    if (isFileMethod(method) && name.rfind("*.", 0) == 0)
        throw ApiError("Invalid DCV method",
                       "File-based validation is not allowed for wildcard domain " + name);
}

/// Refuses a webserver_type that is not in the brand's list (/tools/webservers/1 for Sectigo
/// brands, /tools/webservers/2 for GeoTrust, RapidSSL, DigiCert, Thawte, Symantec), as the real
/// API likely does.
void checkWebserverType(const std::string& productId, const std::string& value) {
    static const std::set<std::string> kList2Brands = {"geotrust", "rapidssl", "digicert", "thawte",
                                                       "symantec"};
    const std::string brand = productById(productId).brand;
    const bool list2 = kList2Brands.count(brand) > 0;
    int type = 0; // not a number: in neither list
    std::size_t used = 0;
    try {
        type = std::stoi(value, &used);
    } catch (const std::exception&) {
    }
    if (used != value.size())
        type = 0;
    const bool valid = list2 ? (type >= 1 && type <= 33 && type != 5 && type != 6 && type != 15 &&
                                type != 16 && type != 19)
                             : (type == -1 || (type >= 1 && type <= 36));
    if (!valid)
        throw ApiError("Invalid webserver_type", "webserver_type " + value + " is not valid for " +
                                                     brand + " products (see /tools/webservers/" +
                                                     (list2 ? "2" : "1") + ")");
}

/// Faults odd_approver_method / odd_san: the DCV members of an order-placing reply come in shapes
/// no client expects (a list around the DCV object, SAN names keyed by index); the order itself
/// is placed all the same.
void oddShapes(Faults& faults, Object& reply, const std::string& orderId, const char* dcvMember) {
    if (faults.take("odd_approver_method", orderId)) {
        Array::Ptr wrapped = new Array;
        wrapped->add(reply.get(dcvMember));
        reply.set(dcvMember, wrapped);
    }
    if (faults.take("odd_san", orderId)) {
        JsonPtr names = obj();
        names->set("0", "www.example.invalid");
        reply.set("san", names);
    }
}

const char* kContactFields[] = {"admin_firstname", "admin_lastname", "admin_phone",   "admin_title",
                                "admin_email",     "tech_firstname", "tech_lastname", "tech_phone",
                                "tech_title",      "tech_email"};

} // namespace

Order& Api::order(const std::string& id) {
    Order* o = m_store.find(id);
    if (!o)
        throw ApiError("Order not found", "Order #" + id + " does not belong to this account");
    return *o;
}

/// Parses csr/dcv_method/dns_names/approver_emails/unique_code into `o` (shared by add and
/// reissue).
static void applyRequest(Order& o, const Params& p, bool requireMethod) {
    std::string csrPem = required(p, "csr");
    crypto::X509ReqPtr csr;
    try {
        csr = test::csrFromPem(csrPem);
    } catch (const std::exception&) {
        throw ApiError("Invalid CSR", "The CSR could not be decoded");
    }
    std::vector<std::string> csrNames = test::csrNames(*csr);
    if (csrNames.empty())
        throw ApiError("Invalid CSR", "The CSR has no common name");
    std::string method =
        requireMethod ? required(p, "dcv_method") : p.get("dcv_method", o.dcvMethod);
    if (method != "http" && method != "https" && method != "dns" && method != "email")
        throw ApiError("Invalid DCV method", "dcv_method must be email, http, https or dns");
    std::string approver = p.get("approver_email", o.approverEmail);
    if (method == "email" && approver.find('@') == std::string::npos)
        throw ApiError("Required parameter missing", "approver_email is required for email DCV");
    checkMethod(csrNames.front(), method == "email" ? approver : method);
    std::vector<std::string> dnsNames = commaList(p.get("dns_names", ""));
    std::vector<std::string> approvers = commaList(p.get("approver_emails", ""));
    if (!approvers.empty() && approvers.size() != dnsNames.size())
        throw ApiError("Invalid approver_emails",
                       "approver_emails must have one entry per dns_names entry");
    std::string unique = p.get("unique_code", "");
    if (!unique.empty() && (unique.size() < 15 || unique.size() > 20 ||
                            unique.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
                                                     "RSTUVWXYZ0123456789") != std::string::npos))
        throw ApiError("Invalid unique_code", "unique_code must be 15-20 letters or digits");
    o.sans.clear();
    for (size_t i = 0; i < dnsNames.size(); ++i) {
        std::string m = approvers.empty() ? (method == "email" ? approver : method) : approvers[i];
        checkMethod(dnsNames[i], m);
        if (dnsNames[i] != csrNames.front())
            o.sans.push_back({dnsNames[i], m});
    }
    o.csr = csrPem;
    o.domain = csrNames.front();
    o.dcvMethod = method;
    o.approverEmail = method == "email" ? approver : "";
    o.unique = unique.empty() ? randomAlnum(20) : unique;
}

JsonPtr Api::addOrder(const Params& p, bool renew) {
    Order o;
    o.productId = required(p, "product_id");
    o.period = required(p, "period");
    o.serverCount = required(p, "server_count");
    o.webserverType = required(p, "webserver_type");
    if (o.productId.find_first_not_of("0123456789") != std::string::npos)
        throw ApiError("Product not found", "No product with id " + o.productId);
    checkWebserverType(o.productId, o.webserverType);
    if (o.period.find_first_not_of("0123456789") != std::string::npos)
        throw ApiError("Invalid period", "period must be a number of months");
    for (const char* field : kContactFields)
        o.contacts[field] = required(p, field);
    for (const auto& [k, v] : p)
        if (k.rfind("admin_", 0) == 0 || k.rfind("tech_", 0) == 0 || k.rfind("org_", 0) == 0)
            o.contacts[k] = v;
    applyRequest(o, p, true);
    for (Order* other : m_store.all())
        if (other->status == "processing" && other->csr == o.csr)
            throw ApiError("Order error",
                           "Such certificate already exists (Order ID: " + other->id + ")");
    if (p.get("test", "") == "Y" || p.get("only_validate", "") == "true") {
        JsonPtr out = obj();
        out->set("success", true);
        return out;
    }
    o.status = "processing";
    o.renew = renew;
    o.createdAt = std::time(nullptr);
    o.readyAt = o.createdAt + m_config.issueDelaySeconds;
    o.beginDate = today();
    o.endDate = today(std::stol("0" + o.period) * 30);
    Order& stored = m_store.add(o);
    JsonPtr out = obj();
    out->set("product_id", stored.productId);
    out->set("order_id", stored.id);
    out->set("invoice_id", std::to_string(900000 + std::stol(stored.id) % 100000));
    out->set("order_status", stored.status);
    out->set("order_amount", "7.50");
    out->set("currency", "USD");
    out->set("tax", "0.00");
    out->set("tax_rate", "0");
    out->set("approver_method", primaryMethodJson(stored));
    out->set("san", sanJson(stored));
    out->set("success", true);
    oddShapes(m_faults, *out, stored.id, "approver_method");
    return out;
}

JsonPtr Api::reissue(const std::string& id, const Params& p) {
    Order& o = order(id);
    checkWebserverType(o.productId, required(p, "webserver_type"));
    if (o.status != "active")
        throw ApiError("Reissue error", "Order can't be processed with reissue procedure!");
    Order updated = o;
    applyRequest(updated, p, false);
    o = updated;
    o.status = "reissue";
    o.reissues++;
    o.readyAt = std::time(nullptr) + m_config.issueDelaySeconds;
    m_store.save(o);
    JsonPtr out = obj();
    out->set("order_id", o.id);
    out->set("order_status", o.status);
    out->set("validation", primaryMethodJson(o));
    out->set("success", true);
    oddShapes(m_faults, *out, o.id, "validation");
    return out;
}

JsonPtr Api::orderStatus(const std::string& id) {
    Order& o = order(id);
    progress(o);
    return statusJson(o);
}

JsonPtr Api::ordersStatus(const Params& p) {
    Array::Ptr list = new Array;
    for (const auto& id : commaList(required(p, "cids"))) {
        Order* o = m_store.find(id);
        if (!o)
            continue;
        progress(*o);
        JsonPtr item = obj();
        item->set("order_id", o->id);
        item->set("status", m_faults.take("cancelled", o->id) ? "cancelled" : o->status);
        if (o->status == "active")
            item->set("expires", o->validTill);
        list->add(item);
    }
    JsonPtr out = obj();
    out->set("certificates", list);
    out->set("success", true);
    out->set("time_stamp", static_cast<long>(std::time(nullptr)));
    return out;
}

JsonPtr Api::changeMethod(const std::string& id, const std::string& domain,
                          const std::string& method) {
    Order& o = order(id);
    if (o.status != "processing" && o.status != "reissue")
        throw ApiError("Validation error", "Order #" + id + " is not awaiting validation");
    checkMethod(domain, method);
    bool found = false;
    if (domain == o.domain) {
        o.dcvMethod = kind(method);
        o.approverEmail = kind(method) == "email" ? method : "";
        found = true;
    }
    for (auto& san : o.sans)
        if (san.name == domain) {
            san.method = method;
            found = true;
        }
    if (!found)
        throw ApiError("Domain not found", "Domain " + domain + " is not part of order #" + id);
    m_store.save(o);
    JsonPtr out = obj();
    out->set("message", "Validation method changed");
    out->set("success", true);
    return out;
}

JsonPtr Api::revalidate(const std::string& id, const Params& p) {
    Order& o = order(id);
    required(p, "domain");
    progress(o);
    JsonPtr out = obj();
    out->set("message", "Validation re-check requested");
    out->set("success", true);
    return out;
}

JsonPtr Api::resendEmail(const std::string& id) {
    Order& o = order(id);
    if (o.dcvMethod != "email")
        throw ApiError("Validation error", "Order #" + id + " does not use email validation");
    JsonPtr out = obj();
    out->set("message", "Validation email sent");
    out->set("success", true);
    return out;
}

JsonPtr Api::cancel(const Params& p) {
    Order& o = order(required(p, "order_id"));
    required(p, "reason");
    o.status = "cancelled";
    m_store.save(o);
    JsonPtr out = obj();
    out->set("order_id", o.id);
    out->set("success", true);
    return out;
}

void Api::advance(const std::string& id, const std::string& status) {
    Order& o = order(id);
    if (status == "active" && (o.status == "processing" || o.status == "reissue"))
        issue(o);
    o.status = status;
    m_store.save(o);
}

void Api::progress(Order& o) {
    if (o.status == "active" && o.validTill < today()) {
        o.status = "expired";
        m_store.save(o);
    }
    if (o.status != "processing" && o.status != "reissue")
        return;
    if (std::time(nullptr) < o.readyAt || !dcvPasses(o))
        return;
    issue(o);
    m_store.save(o);
}

bool Api::dcvPasses(const Order& o) {
    if (m_config.autoValidate)
        return true;
    std::vector<SanItem> names = {{o.domain, o.dcvMethod}};
    names.insert(names.end(), o.sans.begin(), o.sans.end());
    DcvValues dcv = dcvValues(o.csr, o.unique);
    for (const auto& n : names) {
        if (!isFileMethod(n.method))
            continue;
        if (m_config.dcvHost.empty()) {
            std::cerr << "sandbox: order " << o.id << " dcv " << n.name
                      << ": no --dcv-connect, cannot fetch\n";
            return false;
        }
        for (int fetch = 0; fetch < m_config.dcvFetches; ++fetch) {
            std::string why = checkHttpDcv(m_config.dcvHost, m_config.dcvPort, n.name,
                                           dcv.filename(), dcv.content());
            if (!why.empty()) {
                std::cerr << "sandbox: order " << o.id << " dcv " << n.name << ": " << why << "\n";
                return false;
            }
        }
    }
    return true;
}

void Api::issue(Order& o) {
    IssueDefect defect = IssueDefect::None;
    if (m_faults.take("other_key", o.id))
        defect = IssueDefect::OtherKey;
    else if (m_faults.take("expired_cert", o.id))
        defect = IssueDefect::Expired;
    else if (m_faults.take("not_yet_valid", o.id))
        defect = IssueDefect::NotYetValid;
    else if (m_faults.take("wrong_intermediate", o.id))
        defect = IssueDefect::WrongIntermediate;
    std::vector<std::string> names = {o.domain};
    for (const auto& san : o.sans)
        names.push_back(san.name);
    Issued issued = m_authority.issue(o.csr, names, m_config.validityDays, defect);
    o.crt = issued.crt;
    o.ca = issued.ca;
    o.validFrom = issued.validFrom;
    o.validTill = issued.validTill;
    o.status = "active";
}

} // namespace certagent::sandbox
