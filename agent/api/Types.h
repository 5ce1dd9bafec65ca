#pragma once

// Typed requests and replies of the GoGetSSL v1 API (GoGetSSL's "API v1" documentation; the calls
// used are those of ApiClient.h). Replies are parsed leniently where the real server is loose (ids
// as number or string, `[]` for an empty object, `0000-00-00` dates) and strictly everywhere else;
// a reply that does not fit is an ApiError "unreadable reply" (transient), never data.

#include "util/Secret.h"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace certagent::api {

/// Client settings (from [api] of certagent.conf).
struct ApiSettings {
    std::string url;                          ///< base, e.g. https://my.gogetssl.com/api
    std::string caFile;                       ///< extra TLS trust anchor; "" = system store only
    std::chrono::seconds timeout{30};         ///< one HTTP exchange
    std::chrono::seconds retryDeadline{60};   ///< all attempts of one call together
    std::chrono::milliseconds retryBase{500}; ///< first backoff; doubles, jittered
    std::string keyCachePath;                 ///< e.g. <store>/auth.key; "" = memory only
    std::size_t maxBodyBytes = 4 * 1024 * 1024;
    /// Receives one line per call (method, order id, HTTP status, attempts, elapsed) and
    /// warnings; never secrets. Empty = Poco::Logger "certagent.api".
    std::function<void(const std::string&)> log;
};

/// Reseller login. `user` is not secret-held but is redacted all the same.
struct Credentials {
    std::string user;
    Secret pass;
};

/// Key/value parameters of a raw call, in order.
using Params = std::vector<std::pair<std::string, std::string>>;

/// A calendar date as the API sends it (`YYYY-MM-DD`; of an RFC 3339 time, the UTC date).
/// `0000-00-00` becomes an empty optional.
struct Date {
    int year = 0;
    int month = 0; ///< 1..12
    int day = 0;   ///< 1..31
    /// "YYYY-MM-DD"
    std::string toString() const;
    bool operator==(const Date& o) const {
        return year == o.year && month == o.month && day == o.day;
    }
    bool operator!=(const Date& o) const { return !(*this == o); }
    bool operator<(const Date& o) const {
        return year != o.year ? year < o.year : month != o.month ? month < o.month : day < o.day;
    }
};

/// Domain control validation data: the single member of `approver_method` (or of a SAN item's
/// `validation`, or of reissue's `validation`). Empty `method` = none given.
struct DcvInfo {
    std::string method; ///< "http" | "https" | "dns" | "email" | "" (none)
    // http / https (values exactly as sent, not yet checked: the DCV layer validates them)
    std::string link;
    std::string fileName;
    std::string content; ///< lines joined by CRLF as sent
    // dns
    std::string dnsRecord; ///< the whole record string as sent
    std::string dnsName;   ///< part before the record type (no trailing dot added)
    std::string dnsType;   ///< "CNAME" or "TXT" ("" if the record could not be split)
    std::string dnsTarget; ///< CNAME target, or TXT value without quotes
    // email (`{"email":"a@b"}` or a bare string)
    std::string email;
    bool empty() const { return method.empty(); }
};

/// One member of `san` (§4.3).
struct SanItem {
    std::string name;   ///< san_name
    std::string method; ///< validation_method
    int status = 0;     ///< 0 not set, 1 processing, 2 validated
    std::string statusDescription;
    DcvInfo validation;
};

/// getOrderStatus (§4). Strings are as sent (untrusted); PEM members normalised to LF.
struct OrderStatus {
    long long orderId = 0;
    std::string partnerOrderId;
    std::string internalId;
    std::string status; ///< exact string; only "active" means issued
    std::string statusDescription;
    int dcvStatus = 0;
    long long productId = 0;
    std::string domain;               ///< CN
    std::vector<std::string> domains; ///< `domains` split on commas, trimmed, empties dropped
    int totalDomains = 0;
    int singleSanCount = 0;
    int wildcardSanCount = 0;
    int validityPeriod = 0; ///< months
    std::optional<Date> validFrom, validTill, beginDate, endDate;
    std::string csrCode, crtCode, caCode; ///< "" until issued; CRLF normalised to LF
    int serverCount = 0;
    int webserverType = 0;
    bool reissue = false, reissueNow = false, renew = false, upgrade = false;
    bool manualCheck = false, preSigning = false, freeEvUpgrade = false;
    std::string dcvMethod;                   ///< "email" | "http" | "https" | "dns" | ""
    std::vector<std::string> approverEmails; ///< `approver_emails` split on commas
    std::string approverEmail;               ///< older `approver_email`, if present
    DcvInfo approver;                        ///< `approver_method`
    std::vector<SanItem> san;
    std::string adminMessage;          ///< admin_msg
    std::string validationDescription; ///< validation_description
    /// Every string member named admin_*, tech_*, org_* (contacts), as sent.
    std::map<std::string, std::string> contacts;
    std::string sslPrice;
    std::optional<long long> timeStamp; ///< unix seconds
};

/// One entry of getOrdersStatus (`certificates[]`).
struct BatchStatus {
    long long orderId = 0;
    std::string status;
    std::optional<Date> expires; ///< only when active
};

/// addSSLOrder / addSSLRenewOrder parameters. `contacts` holds admin_*, tech_*, org_* form fields
/// verbatim; any other key is refused (ApiError, not retryable) before anything is sent.
struct NewOrderRequest {
    long long productId = 0;
    int period = 12; ///< months
    std::string csr; ///< PEM
    int serverCount = -1;
    int webserverType = -1;
    std::string dcvMethod;                   ///< email | http | https | dns
    std::string approverEmail;               ///< only with dcvMethod email
    std::vector<std::string> dnsNames;       ///< SANs, primary excluded (comma list)
    std::vector<std::string> approverEmails; ///< one per dnsNames entry (e-mail or http/https/dns)
    std::map<std::string, std::string> contacts;
    std::string uniqueCode;    ///< optional, 15-20 alphanumerics
    std::string signatureHash; ///< optional, e.g. "SHA2"
};

/// Reply of addSSLOrder / addSSLRenewOrder: the order is placed (paid) and orderId is its id.
/// A refused order is an ApiError, never a result; a reply without a usable order_id is an
/// ApiError with maybeProcessed() (placed or not: unknown).
struct NewOrderResult {
    long long orderId = 0; ///< always > 0
    /// Non-empty when the order was placed but the rest of the reply had an unexpected shape:
    /// why (escaped, one line). Every member but orderId is then empty; the DCV data comes from
    /// getOrderStatus(orderId), as the official clients take it.
    std::string unreadableDetails;
    long long productId = 0;
    std::string invoiceId;
    std::string orderStatus;
    std::string orderAmount, currency, tax, taxRate;
    DcvInfo approver; ///< approver_method
    std::vector<SanItem> san;
};

/// reissueSSLOrder parameters.
struct ReissueRequest {
    std::string csr;
    int webserverType = -1;
    std::string dcvMethod;
    std::string approverEmail;
    std::vector<std::string> dnsNames;
    std::vector<std::string> approverEmails;
    std::string uniqueCode;
    std::string signatureHash;
};

/// Reply of reissueSSLOrder (the reissue was accepted).
struct ReissueResult {
    long long orderId = 0;
    /// As in NewOrderResult: the reissue was accepted but the rest did not fit (why); every member
    /// but orderId is empty, the DCV data comes from getOrderStatus(orderId).
    std::string unreadableDetails;
    std::string orderStatus; ///< normally "reissue"
    DcvInfo validation;
    std::vector<SanItem> san; ///< if the server sends SAN items
};

/// Reply of getDomainEmails.
struct DomainEmails {
    std::vector<std::string> comodo;   ///< ComodoApprovalEmails
    std::vector<std::string> geotrust; ///< GeotrustApprovalEmails
};

/// Reply of decodeCSR (`csrResult`): every scalar member as a string, plus conveniences.
struct CsrInfo {
    std::map<std::string, std::string> fields; ///< "CN", "O", "Key Size", "dnsName(s)", ...
    std::string commonName;                    ///< fields["CN"]
    std::vector<std::string> dnsNames;         ///< "dnsName(s)" split on commas
    std::string errorMessage;                  ///< non-empty when the CSR was not understood
};

/// One entry of getAllSSLOrders.
struct OrderSummary {
    long long orderId = 0;
    std::string status;
};

/// Reply of getAllSSLOrders.
struct OrderList {
    std::vector<OrderSummary> orders;
    long long limit = 0, offset = 0, count = 0;
};

/// Reply of getAccountBalance.
struct AccountBalance {
    std::string balance; ///< decimal text as sent, e.g. "123.45"
    std::string currency;
};

/// One price row of getProductDetails.
struct ProductPrice {
    int period = 0; ///< months
    std::string price;
    long long id = 0;
};

/// Reply of getProductDetails.
struct ProductDetails {
    long long productId = 0;
    std::string name, type, brand;
    bool wildcard = false, multidomain = false;
    bool dcvEmail = false, dcvDns = false, dcvHttp = false, dcvHttps = false;
    std::vector<ProductPrice> prices;
    std::map<std::string, std::string> fields; ///< every scalar member as text
};

} // namespace certagent::api
