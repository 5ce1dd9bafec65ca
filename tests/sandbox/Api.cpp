#include "Api.h"

#include "Dcv.h"
#include "TestCa.h"

#include <Poco/JSON/Array.h>
#include <openssl/evp.h>

namespace certagent::sandbox {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

std::string subjectField(X509_REQ* csr, int nid) {
    X509_NAME* name = X509_REQ_get_subject_name(csr);
    int idx = X509_NAME_get_index_by_NID(name, nid, -1);
    if (idx < 0)
        return "";
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
    if (len < 0)
        return "";
    std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
    return out;
}

std::string hex(const EVP_MD* md, const std::string& data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
    std::string text;
    for (unsigned i = 0; i < len; ++i) {
        text += "0123456789ABCDEF"[out[i] >> 4];
        text += "0123456789ABCDEF"[out[i] & 15];
    }
    return text;
}

} // namespace

Product productById(const std::string& id) {
    for (const Product& p : kProducts)
        if (id == p.id)
            return p;
    return {"", "Sandbox Sectigo DV", "comodo"}; // any other id: the common Sectigo DV product
}

Api::Api(const Config& config, Store& store, const Authority& authority, Faults& faults)
    : m_config(config), m_store(store), m_authority(authority), m_faults(faults) {}

JsonPtr Api::call(const std::string& method, const std::string& id, const Params& p) {
    if (method == "auth")
        return auth(p);
    if (method == "addSSLOrder" || method == "addSSLRenewOrder")
        return addOrder(p, method == "addSSLRenewOrder");
    if (method == "reissueSSLOrder")
        return reissue(id, p);
    if (method == "getOrderStatus")
        return orderStatus(id);
    if (method == "getOrdersStatus")
        return ordersStatus(p);
    if (method == "changeValidationMethod")
        return changeMethod(id, required(p, "domain"), required(p, "new_method"));
    if (method == "changeValidationEmail")
        return changeMethod(id, order(id).domain, required(p, "approver_email"));
    if (method == "revalidate")
        return revalidate(id, p);
    if (method == "resendValidationEmail")
        return resendEmail(id);
    if (method == "cancelSSLOrder")
        return cancel(p);
    if (method == "getAllSSLOrders")
        return allOrders(p);
    if (method == "getDomainEmails")
        return domainEmails(p);
    if (method == "decodeCSR" || method == "validateCSR")
        return decodeCsr(p);
    if (method == "getAccountBalance")
        return balance();
    if (method == "getProductDetails")
        return productDetails(id);
    if (method == "getAllProducts")
        return products();
    throw ApiError("Unknown method", "Method " + method + " is not supported by the sandbox");
}

JsonPtr Api::auth(const Params& p) {
    std::string user = p.get("user", "");
    std::string pass = p.get("pass", "");
    if (user.empty() || pass.empty())
        throw ApiError("Username and/or password not supplied",
                       "This request requires username and password");
    if (user != m_config.user || pass != m_config.pass)
        throw ApiError("Invalid username or password",
                       "Authentication failed for the given credentials");
    JsonPtr out = obj();
    out->set("key", m_store.newAuthKey());
    out->set("success", true);
    return out;
}

JsonPtr Api::domainEmails(const Params& p) {
    std::string domain = required(p, "domain");
    if (domain.rfind("*.", 0) == 0)
        domain = domain.substr(2);
    Array::Ptr emails = new Array;
    for (const char* box : {"admin", "administrator", "hostmaster", "postmaster", "webmaster"})
        emails->add(std::string(box) + "@" + domain);
    JsonPtr out = obj();
    out->set("ComodoApprovalEmails", emails);
    out->set("GeotrustApprovalEmails", emails);
    out->set("success", true);
    return out;
}

JsonPtr Api::decodeCsr(const Params& p) {
    std::string pem = required(p, "csr");
    crypto::X509ReqPtr csr;
    try {
        csr = test::csrFromPem(pem);
    } catch (const std::exception&) {
        throw ApiError("Invalid CSR", "The CSR could not be decoded");
    }
    std::string der = test::csrToDer(*csr);
    JsonPtr r = obj();
    r->set("CN", subjectField(csr.get(), NID_commonName));
    r->set("C", subjectField(csr.get(), NID_countryName));
    r->set("OU", subjectField(csr.get(), NID_organizationalUnitName));
    r->set("O", subjectField(csr.get(), NID_organizationName));
    r->set("L", subjectField(csr.get(), NID_localityName));
    r->set("S", subjectField(csr.get(), NID_stateOrProvinceName));
    r->set("version", std::to_string(X509_REQ_get_version(csr.get())));
    r->set("Email", subjectField(csr.get(), NID_pkcs9_emailAddress));
    std::vector<std::string> names = test::csrNames(*csr);
    std::string joined;
    for (size_t i = 1; i < names.size(); ++i)
        joined += (joined.empty() ? "" : ", ") + names[i];
    r->set("dnsName(s)", joined);
    r->set("Key Size", std::to_string(EVP_PKEY_get_bits(X509_REQ_get0_pubkey(csr.get()))));
    r->set("md5", hex(EVP_md5(), der));
    r->set("sha1", hex(EVP_sha1(), der));
    r->set("sha256", hex(EVP_sha256(), der));
    r->set("errorMessage", "");
    JsonPtr out = obj();
    out->set("csrResult", r);
    out->set("success", true);
    return out;
}

JsonPtr Api::balance() {
    JsonPtr out = obj();
    out->set("balance", "1000.00");
    out->set("currency", "USD");
    out->set("success", true);
    return out;
}

JsonPtr Api::productDetails(const std::string& id) {
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
        throw ApiError("Product not found", "No product with id " + id);
    const Product product = productById(id);
    JsonPtr out = obj();
    out->set("product_id", id);
    out->set("product_name", product.name);
    out->set("product_type", "domain");
    out->set("product_brand", product.brand);
    out->set("product_wildcard", "0");
    out->set("product_is_multidomain", "1");
    out->set("product_multidomains_maximum", "250");
    out->set("product_dcv_email", "1");
    out->set("product_dcv_dns", "1");
    out->set("product_dcv_http", "1");
    out->set("product_dcv_https", "1");
    Array::Ptr prices = new Array;
    JsonPtr price = obj();
    price->set("period", "12");
    price->set("price", "7.50");
    price->set("id", id);
    prices->add(price);
    out->set("product_prices", prices);
    out->set("success", true);
    return out;
}

JsonPtr Api::products() {
    Array::Ptr list = new Array;
    for (const Product& p : kProducts) {
        JsonPtr product = obj();
        product->set("id", p.id);
        product->set("name", p.name);
        list->add(product);
    }
    JsonPtr out = obj();
    out->set("products", list);
    out->set("success", true);
    return out;
}

JsonPtr Api::allOrders(const Params& p) {
    std::vector<Order*> orders = m_store.all();
    size_t limit = std::stoul("0" + p.get("limit", "")); // "0" prefix: empty → 0
    size_t offset = std::stoul("0" + p.get("offset", ""));
    Array::Ptr list = new Array;
    for (size_t i = offset; i < orders.size() && (limit == 0 || list->size() < limit); ++i) {
        JsonPtr item = obj();
        item->set("order_id", orders[i]->id);
        item->set("status", orders[i]->status);
        list->add(item);
    }
    JsonPtr out = obj();
    out->set("orders", list);
    out->set("limit", std::to_string(limit));
    out->set("offset", std::to_string(offset));
    out->set("count", std::to_string(orders.size()));
    out->set("success", true);
    return out;
}

} // namespace certagent::sandbox
