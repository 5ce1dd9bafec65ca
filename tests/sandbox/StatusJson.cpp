// getOrderStatus body of Api (GoGetSSL API v1 "Get order status"), with the response-time faults.
#include "Api.h"
#include "Dcv.h"

#include <Poco/JSON/Array.h>

#include <ctime>

namespace certagent::sandbox {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

bool isFileMethod(const std::string& m) {
    return m == "http" || m == "https";
}
std::string kind(const std::string& m) {
    return isFileMethod(m) || m == "dns" ? m : "email";
}

std::string baseDomain(const std::string& name) {
    return name.rfind("*.", 0) == 0 ? name.substr(2) : name;
}

const char* describe(const std::string& status) {
    if (status == "active")
        return "Certificate issued";
    if (status == "processing" || status == "reissue")
        return "Awaiting domain validation";
    if (status == "cancelled")
        return "Order cancelled";
    if (status == "expired")
        return "Certificate expired";
    return "";
}

std::string joinSans(const Order& o) {
    std::string out;
    for (const auto& san : o.sans)
        out += (out.empty() ? "" : ",") + san.name;
    return out;
}

std::string approverEmails(const Order& o) {
    std::string out;
    for (const auto& san : o.sans)
        out += (out.empty() ? "" : ",") + san.method;
    return out;
}

} // namespace

JsonPtr Api::methodJson(const Order& o, const std::string& name, const std::string& method,
                        bool hostile) {
    DcvValues dcv = dcvValues(o.csr, o.unique);
    JsonPtr out = obj();
    std::string k = kind(method);
    if (isFileMethod(k)) {
        std::string filename = dcv.filename();
        std::string content = dcv.content();
        if (hostile && m_faults.take("hostile_dcv_filename", o.id))
            filename = "../../etc/cron.d/x.txt";
        if (hostile && m_faults.take("hostile_dcv_content", o.id))
            content = "$(reboot)\r\nsectigo.com\r\n`id`;" + o.unique;
        JsonPtr file = obj();
        file->set("link", k + "://" + name + "/.well-known/pki-validation/" + filename);
        file->set("filename", filename);
        file->set("content", content);
        out->set(k, file);
    } else if (k == "dns") {
        JsonPtr record = obj();
        record->set("record", dcv.dnsRecord(baseDomain(name)));
        out->set("dns", record);
    } else {
        out->set("email", method);
    }
    return out;
}

Poco::JSON::Array::Ptr Api::sanJson(const Order& o) {
    bool active = o.status == "active";
    Array::Ptr sans = new Array;
    for (const auto& san : o.sans) {
        JsonPtr item = obj();
        item->set("san_name", san.name);
        item->set("validation_method", kind(san.method));
        item->set("status", active ? 2 : 1);
        item->set("status_description", active ? "Validated" : "Processing");
        item->set("validation", methodJson(o, san.name, san.method, false));
        sans->add(item);
    }
    return sans;
}

JsonPtr Api::primaryMethodJson(const Order& o) {
    return methodJson(o, o.domain, o.dcvMethod == "email" ? o.approverEmail : o.dcvMethod, true);
}

JsonPtr Api::statusJson(const Order& o) {
    bool active = o.status == "active";
    JsonPtr j = obj();
    std::string shownId = o.id;
    if (m_faults.take("wrong_order_id", o.id))
        shownId = std::to_string(std::stol(o.id) + 1000);
    std::string status = m_faults.take("cancelled", o.id) ? "cancelled" : o.status;
    j->set("order_id", shownId);
    j->set("partner_order_id", active ? "33" + o.id : "");
    j->set("internal_id", o.id.substr(o.id.size() > 5 ? o.id.size() - 5 : 0));
    j->set("status", status);
    j->set("status_description", describe(status));
    j->set("dcv_status", active ? "2" : "1");
    j->set("product_id", o.productId);
    j->set("domain", o.domain);
    j->set("domains", joinSans(o));
    j->set("total_domains", std::to_string(1 + o.sans.size()));
    j->set("base_domain_count", "1");
    j->set("single_san_count", std::to_string(o.sans.size()));
    j->set("wildcard_san_count", "0");
    j->set("validity_period", o.period);
    j->set("valid_from", o.validFrom);
    j->set("valid_till", o.validTill);
    j->set("begin_date", o.beginDate);
    j->set("end_date", o.endDate);
    j->set("csr_code", o.csr);
    bool missing = active && m_faults.take("missing_crt", o.id);
    j->set("crt_code", missing ? "" : o.crt);
    j->set("ca_code", missing ? "" : o.ca);
    j->set("server_count", o.serverCount);
    j->set("reissue", o.reissues > 0 ? "1" : "0");
    j->set("reissue_now", o.status == "reissue" ? "1" : "0");
    j->set("renew", o.renew ? "1" : "0");
    j->set("webserver_type", o.webserverType);
    j->set("upgrade", "0");
    j->set("approver_emails", approverEmails(o));
    j->set("dcv_method", o.dcvMethod);
    j->set("approver_method", primaryMethodJson(o));
    for (const auto& [k, v] : o.contacts)
        j->set(k, v);
    j->set("ssl_price", "7.50");
    j->set("ssl_period", o.period);
    j->set("manual_check", "0");
    j->set("pre_signing", "0");
    j->set("admin_msg", "");
    j->set("free_ev_upgrade", "0");
    j->set("codesigning_inviteurl", "");
    j->set("validation_description", "");
    j->set("san", sanJson(o));
    j->set("success", true);
    j->set("time_stamp", static_cast<long>(std::time(nullptr)));
    return j;
}

} // namespace certagent::sandbox
