#include "Examples.h"
#include "FakeApi.h"
#include "api/Json.h"
#include "api/Replies.h"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace certagent;
using namespace certagent::api;
using namespace certagent::api::detail;
using namespace certagent::api::test;

namespace {

OrderStatus status(const std::string& body, long long asked = 1840217) {
    return parseOrderStatus(*parseObject(body), asked);
}

/// The processing example with `from` replaced by `to` (which must occur).
std::string mutate(const std::string& from, const std::string& to,
                   const std::string& base = kStatusProcessingExample) {
    const auto at = base.find(from);
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, "fixture lacks " << from);
    return base.substr(0, at) + to + base.substr(at + from.size());
}

const std::string kContent =
    "C40B487B6F6318B995D28FA63B9B786335EC7E7C78B4DA269D2D1143DC0B1F3F\r\nsectigo.com\r\n"
    "k7Qm2Rz9Lw4Xp8Tn";

} // namespace

BOOST_AUTO_TEST_SUITE(ApiParse)

BOOST_AUTO_TEST_CASE(auth_example_gives_the_key) {
    BOOST_TEST(parseAuthKey(*parseObject(kAuthExample)).reveal() == kKey1);
    BOOST_CHECK_THROW(parseAuthKey(*parseObject(R"({"key":"a b"})")), UnreadableReply);
    BOOST_CHECK_THROW(parseAuthKey(*parseObject(R"({"key":12345})")), UnreadableReply);
    BOOST_CHECK_THROW(parseAuthKey(*parseObject(R"({"success":true})")), UnreadableReply);
}

BOOST_AUTO_TEST_CASE(error_example_is_an_envelope) {
    std::string message, description;
    BOOST_TEST(errorEnvelope(*parseObject(kErrorExample), message, description));
    BOOST_TEST(message == "Order not found");
    BOOST_TEST(description == "Order #77123 does not belong to this account");
    BOOST_TEST(!errorEnvelope(*parseObject(kAuthExample), message, description));
    BOOST_TEST(!errorEnvelope(*parseObject(R"({"error":false,"x":1})"), message, description));
    BOOST_TEST(errorEnvelope(*parseObject(R"({"error":"1"})"), message, description));
}

BOOST_AUTO_TEST_CASE(add_order_example) {
    const NewOrderResult r = parseNewOrder(*parseObject(kAddOrderExample), "http");
    BOOST_TEST(r.orderId == 1840217);
    BOOST_TEST(r.productId == 65);
    BOOST_TEST(r.invoiceId == "902114");
    BOOST_TEST(r.orderStatus == "processing");
    BOOST_TEST(r.orderAmount == "7.50");
    BOOST_TEST(r.currency == "USD");
    BOOST_TEST(r.tax == "0.00");
    BOOST_TEST(r.taxRate == "0");
    BOOST_TEST(r.approver.method == "http");
    BOOST_TEST(r.approver.link == "http://shop.example.net/.well-known/pki-validation/"
                                  "6D4AFC598F6B998741DA2E0E2888831A.txt");
    BOOST_TEST(r.approver.fileName == "6D4AFC598F6B998741DA2E0E2888831A.txt");
    BOOST_TEST(r.approver.content == kContent);
    BOOST_TEST(r.san.empty());
}

BOOST_AUTO_TEST_CASE(status_processing_example_every_field) {
    const OrderStatus s = status(kStatusProcessingExample);
    BOOST_TEST(s.orderId == 1840217);
    BOOST_TEST(s.partnerOrderId == "3318852201");
    BOOST_TEST(s.internalId == "55810");
    BOOST_TEST(s.status == "processing");
    BOOST_TEST(s.statusDescription == "Awaiting domain validation");
    BOOST_TEST(s.dcvStatus == 1);
    BOOST_TEST(s.productId == 99);
    BOOST_TEST(s.domain == "shop.example.net");
    BOOST_TEST(s.domains == std::vector<std::string>{"api.example.net"});
    BOOST_TEST(s.totalDomains == 2);
    BOOST_TEST(s.singleSanCount == 1);
    BOOST_TEST(s.wildcardSanCount == 0);
    BOOST_TEST(s.validityPeriod == 12);
    BOOST_TEST(!s.validFrom.has_value());
    BOOST_TEST(!s.validTill.has_value());
    BOOST_REQUIRE(s.beginDate.has_value());
    BOOST_TEST(s.beginDate->toString() == "2025-03-04");
    BOOST_TEST(s.endDate->toString() == "2026-03-04");
    BOOST_TEST(s.csrCode.rfind("-----BEGIN CERTIFICATE REQUEST-----\n", 0) == 0);
    BOOST_TEST(s.crtCode.empty());
    BOOST_TEST(s.caCode.empty());
    BOOST_TEST(s.serverCount == -1);
    BOOST_TEST(s.webserverType == -1);
    BOOST_TEST(!s.reissue);
    BOOST_TEST(!s.reissueNow);
    BOOST_TEST(!s.renew);
    BOOST_TEST(!s.upgrade);
    BOOST_TEST(!s.manualCheck);
    BOOST_TEST(!s.preSigning);
    BOOST_TEST(!s.freeEvUpgrade);
    BOOST_TEST(s.approverEmails == std::vector<std::string>{"dns"});
    BOOST_TEST(s.dcvMethod == "http");
    BOOST_TEST(s.approver.method == "http");
    BOOST_TEST(s.approver.fileName == "6D4AFC598F6B998741DA2E0E2888831A.txt");
    BOOST_TEST(s.approver.content == kContent);
    BOOST_TEST(s.contacts.at("admin_firstname") == "Ilze");
    BOOST_TEST(s.contacts.at("tech_phone") == "37120000000");
    BOOST_TEST(s.contacts.at("org_country") == "");
    BOOST_TEST(s.contacts.count("admin_msg") == 0u);
    BOOST_TEST(s.sslPrice == "7.50");
    BOOST_TEST(s.adminMessage == "");
    BOOST_REQUIRE(s.timeStamp.has_value());
    BOOST_TEST(*s.timeStamp == 1741092360);
    BOOST_REQUIRE(s.san.size() == 1u);
    BOOST_TEST(s.san[0].name == "api.example.net");
    BOOST_TEST(s.san[0].method == "dns");
    BOOST_TEST(s.san[0].status == 1);
    BOOST_TEST(s.san[0].statusDescription == "Processing");
    const DcvInfo& d = s.san[0].validation;
    BOOST_TEST(d.method == "dns");
    BOOST_TEST(d.dnsName == "_4EB1A0477609807D963D330CC66623ED.api.example.net");
    BOOST_TEST(d.dnsType == "CNAME");
    BOOST_TEST(d.dnsTarget == "2ea0c84739617384929b4d6323e6d341.8721e581da1bc97fc2877cb818244c1c."
                              "k7qm2rz9lw4xp8tn.sectigo.com");
}

BOOST_AUTO_TEST_CASE(status_active_example) {
    const OrderStatus s = status(kStatusActiveExample);
    BOOST_TEST(s.status == "active");
    BOOST_TEST(s.dcvStatus == 2);
    BOOST_TEST(s.validFrom->toString() == "2025-03-04");
    BOOST_TEST(s.validTill->toString() == "2026-03-05");
    BOOST_TEST(s.crtCode.find("6NhcZaQ73KySlEKVpYYi/28oIEl7X7BX5JvyO9smwLiJXsi2jF3Wrp/E3Ts2uv3M") !=
               std::string::npos);
    BOOST_TEST(s.crtCode.find('\\') == std::string::npos);
    BOOST_TEST(s.caCode.find("-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----") !=
               std::string::npos);
    BOOST_TEST(s.san.at(0).status == 2);
    BOOST_TEST(s.domains.empty());
    BOOST_TEST(s.timeStamp.value() == 1741178760);
}

BOOST_AUTO_TEST_CASE(reissue_example) {
    const ReissueResult r = parseReissue(*parseObject(kReissueExample), 1840217, "dns");
    BOOST_TEST(r.orderId == 1840217);
    BOOST_TEST(r.orderStatus == "reissue");
    BOOST_TEST(r.validation.method == "dns");
    BOOST_TEST(r.validation.dnsName == "_A1C38E0F55D2B7946C0E4F1B2A9D7E63.shop.example.net");
    BOOST_TEST(r.validation.dnsType == "CNAME");
    BOOST_CHECK_THROW(parseReissue(*parseObject(kReissueExample), 99, "dns"), MismatchedReply);
}

BOOST_AUTO_TEST_CASE(unreadable_bodies) {
    const std::string full = kStatusProcessingExample;
    BOOST_CHECK_THROW(status(full.substr(0, full.size() / 2)), UnreadableReply);
    BOOST_CHECK_THROW(status("<html><body>502 Bad Gateway</body></html>"), UnreadableReply);
    BOOST_CHECK_THROW(status(""), UnreadableReply);
    BOOST_CHECK_THROW(status("[1,2]"), UnreadableReply);
    const char withNul[] = "{\"order_id\":\"1840217\",\0\"status\":\"x\"}";
    BOOST_CHECK_THROW(status(std::string(withNul, sizeof withNul - 1)), UnreadableReply);
    BOOST_CHECK_THROW(status("{\"order_id\":\"1840217\",\"status\":\"\xff\xfe\"}"),
                      UnreadableReply);
    BOOST_CHECK_THROW(status(R"({"order_id":"1840217","status":"act\u0000ive"})"), UnreadableReply);
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused_without_crashing) {
    const std::string deep = "{\"a\":" + std::string(200, '[') + std::string(200, ']') + "}";
    BOOST_CHECK_THROW(parseObject(deep), UnreadableReply);
    const std::string deeper = std::string(100000, '[');
    BOOST_CHECK_THROW(parseObject(deeper), UnreadableReply);
    const std::string ok = "{\"a\":" + std::string(20, '[') + std::string(20, ']') + "}";
    BOOST_CHECK_NO_THROW(parseObject(ok));
}

BOOST_AUTO_TEST_CASE(wrong_types_are_unreadable) {
    BOOST_CHECK_THROW(status(mutate(R"("status":"processing")", R"("status":3)")), UnreadableReply);
    BOOST_CHECK_THROW(status(mutate(R"("status":"processing")", R"("status":null)")),
                      UnreadableReply);
    BOOST_CHECK_THROW(status(mutate(R"("crt_code":"")", R"("crt_code":["a"])")), UnreadableReply);
    BOOST_CHECK_THROW(status(mutate(R"("ca_code":"")", R"("ca_code":{"a":1})")), UnreadableReply);
    BOOST_CHECK_THROW(
        status(mutate(R"("valid_till":"0000-00-00")", R"("valid_till":"2025-13-01")")),
        UnreadableReply);
    BOOST_CHECK_THROW(status(mutate(R"("valid_till":"0000-00-00")", R"("valid_till":"soon")")),
                      UnreadableReply);
    BOOST_CHECK_THROW(status(mutate(R"("reissue":"0")", R"("reissue":"maybe")")), UnreadableReply);
    BOOST_CHECK_THROW(status(mutate(R"("san":[{)", R"("san":[7,{)")), UnreadableReply);
    BOOST_CHECK_THROW(status(mutate(R"("dcv_status":"1")", R"("dcv_status":"1x")")),
                      UnreadableReply);
}

BOOST_AUTO_TEST_CASE(dates_in_api_and_rfc3339_forms) {
    const auto dateOf = [](const std::string& text) {
        const OrderStatus s =
            status(mutate(R"("valid_till":"0000-00-00")", R"("valid_till":")" + text + "\""));
        BOOST_REQUIRE(s.validTill.has_value());
        return s.validTill->toString();
    };
    BOOST_TEST(dateOf("2026-03-05") == "2026-03-05");
    BOOST_TEST(dateOf("2026-03-05 10:20") == "2026-03-05");
    BOOST_TEST(dateOf("2026-03-05 10:20:30") == "2026-03-05");
    BOOST_TEST(dateOf("2026-03-05T10:20:30Z") == "2026-03-05");
    BOOST_TEST(dateOf("2026-03-05t10:20:30z") == "2026-03-05");
    BOOST_TEST(dateOf("2026-03-05T10:20:30.123456Z") == "2026-03-05");
    BOOST_TEST(dateOf("2026-03-05T23:59:60Z") == "2026-03-05"); // leap second
    // An offset names local time: the date is the UTC one.
    BOOST_TEST(dateOf("2026-03-05T01:00:00+02:00") == "2026-03-04");
    BOOST_TEST(dateOf("2026-03-04T23:30:00-01:00") == "2026-03-05");
    BOOST_TEST(dateOf("2026-03-05T12:00:00+00:00") == "2026-03-05");
    for (const char* bad : {"2026-03-05T10:20:30", "2026-03-05T10:20Z", "2026-03-05T25:00:00Z",
                            "2026-02-30T00:00:00Z", "2026-02-30", "2026-03-05T10:20:30+0200",
                            "2026-03-05T10:20:30+24:00", "2026-03-05 10", "2026-03-05  10:20",
                            "2026-03-05 10:61", "2026-03-05T10:20:30Zjunk", "2026-03-05T10:20:30.Z",
                            "1969-12-31T23:59:59Z", "1970-01-01T00:30:00+01:00", "2026-03-05 x"}) {
        BOOST_TEST_CONTEXT(bad) {
            BOOST_CHECK_THROW(status(mutate(R"("valid_till":"0000-00-00")",
                                            R"("valid_till":")" + std::string(bad) + "\"")),
                              UnreadableReply);
        }
    }
}

BOOST_AUTO_TEST_CASE(order_ids_must_be_positive_and_below_2_53) {
    for (const char* bad :
         {R"("order_id":"-5")", R"("order_id":-5)", R"("order_id":0)", R"("order_id":1e30)",
          R"("order_id":"1e30")", R"("order_id":1840217.0)", R"("order_id":9007199254740993)",
          R"("order_id":"")", R"("order_id":99999999999999999999999)", R"("order_id":true)"}) {
        BOOST_TEST_CONTEXT(bad) {
            BOOST_CHECK_THROW(status(mutate(R"("order_id":"1840217")", bad), 0), UnreadableReply);
        }
    }
    BOOST_TEST(status(mutate(R"("order_id":"1840217")", R"("order_id":1840217)")).orderId ==
               1840217);
}

BOOST_AUTO_TEST_CASE(reply_about_another_order_is_refused) {
    BOOST_CHECK_THROW(status(kStatusProcessingExample, 1840218), MismatchedReply);
}

BOOST_AUTO_TEST_CASE(empty_php_arrays_and_zero_dates) {
    for (const std::string empty : {"[]", "\"\"", "null", "{}"}) {
        BOOST_TEST_CONTEXT(empty) {
            const OrderStatus s =
                status(R"({"order_id":"7","status":"processing","valid_from":"0000-00-00",)"
                       R"("valid_till":"","approver_method":)" +
                           empty + R"(,"san":)" + empty + "}",
                       7);
            BOOST_TEST(s.approver.empty());
            BOOST_TEST(s.san.empty());
            BOOST_TEST(!s.validFrom.has_value());
            BOOST_TEST(!s.validTill.has_value());
        }
    }
    const OrderStatus v = status(
        R"({"order_id":7,"status":"processing","san":[{"san_name":"a.example","validation":[]}]})",
        7);
    BOOST_TEST(v.san.at(0).validation.empty());
}

BOOST_AUTO_TEST_CASE(email_approver_in_both_shapes) {
    const OrderStatus a = status(
        R"({"order_id":"7","status":"processing","dcv_method":"email","approver_method":{"email":"admin@shop.example.net"}})",
        7);
    BOOST_TEST(a.approver.method == "email");
    BOOST_TEST(a.approver.email == "admin@shop.example.net");
    const OrderStatus b = status(
        R"({"order_id":"7","status":"processing","approver_method":"admin@shop.example.net"})", 7);
    BOOST_TEST(b.approver.method == "email");
    BOOST_TEST(b.approver.email == "admin@shop.example.net");
    BOOST_CHECK_THROW(
        status(R"({"order_id":"7","status":"x","approver_method":{"email":["a@b"]}})", 7),
        UnreadableReply);
}

BOOST_AUTO_TEST_CASE(https_approver_and_unknown_methods) {
    const OrderStatus s = status(
        R"({"order_id":"7","status":"processing","dcv_method":"https","approver_method":{"https":{"link":"https:\/\/a.example\/.well-known\/pki-validation\/X.txt","filename":"X.txt","content":"A\r\nsectigo.com"}}})",
        7);
    BOOST_TEST(s.approver.method == "https");
    BOOST_TEST(s.approver.link == "https://a.example/.well-known/pki-validation/X.txt");
    BOOST_TEST(s.approver.content == "A\r\nsectigo.com");
    BOOST_TEST(status(R"({"order_id":"7","status":"x","approver_method":{"carrier_pigeon":{}}})", 7)
                   .approver.method == "carrier_pigeon");
    BOOST_CHECK_THROW(status(R"({"order_id":"7","status":"x","approver_method":{"../x":{}}})", 7),
                      UnreadableReply);
    BOOST_CHECK_THROW(
        status(R"({"order_id":"7","status":"x","approver_method":{"http":{"link":"x"}}})", 7),
        UnreadableReply);
}

BOOST_AUTO_TEST_CASE(dcv_object_with_several_methods_picks_dcv_method) {
    const std::string two = mutate(R"("approver_method":{"http")",
                                   R"("approver_method":{"dns":{"record":"a CNAME b"},"http")");
    BOOST_TEST(status(two).approver.method == "http");
    BOOST_CHECK_THROW(status(mutate(R"("dcv_method":"http")", R"("dcv_method":"email")", two)),
                      UnreadableReply);
}

BOOST_AUTO_TEST_CASE(dns_records_are_split) {
    DcvInfo c;
    c.dnsRecord = "_ABC.example.org CNAME x.y.sectigo.com";
    splitDnsRecord(c);
    BOOST_TEST(c.dnsName == "_ABC.example.org");
    BOOST_TEST(c.dnsType == "CNAME");
    BOOST_TEST(c.dnsTarget == "x.y.sectigo.com");
    DcvInfo t;
    t.dnsRecord = "_dnsauth.example.org IN   TXT \"20250304abc xyz\"";
    splitDnsRecord(t);
    BOOST_TEST(t.dnsName == "_dnsauth.example.org");
    BOOST_TEST(t.dnsType == "TXT");
    BOOST_TEST(t.dnsTarget == "20250304abc xyz");
    DcvInfo junk;
    junk.dnsRecord = "just-one-token";
    splitDnsRecord(junk);
    BOOST_TEST(junk.dnsType.empty());
    BOOST_TEST(junk.dnsName.empty());
}

BOOST_AUTO_TEST_CASE(pem_members_are_normalised_and_capped) {
    const OrderStatus s = status(mutate(
        R"("crt_code":"")",
        R"("crt_code":"-----BEGIN CERTIFICATE-----\r\nAAAA\r\n-----END CERTIFICATE-----\r\n")"));
    BOOST_TEST(s.crtCode == "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    const std::string huge = std::string(R"("crt_code":")") + std::string(300 * 1024, 'A') + "\"";
    BOOST_CHECK_THROW(status(mutate(R"("crt_code":"")", huge)), UnreadableReply);
}

BOOST_AUTO_TEST_CASE(numbers_as_numbers_are_accepted) {
    const OrderStatus s =
        status(mutate(R"("validity_period":"12")", R"("validity_period":24)",
                      mutate(R"("reissue":"0")", R"("reissue":1)",
                             mutate(R"("product_id":"99")", R"("product_id":99)"))));
    BOOST_TEST(s.validityPeriod == 24);
    BOOST_TEST(s.reissue);
    BOOST_TEST(s.productId == 99);
}

BOOST_AUTO_TEST_CASE(batch_status) {
    const auto obj = parseObject(
        R"({"certificates":[{"order_id":"7","status":"active","expires":"2026-01-02"},)"
        R"({"order_id":8,"status":"processing"}],"success":true,"time_stamp":1741092360})");
    const auto list = parseBatch(*obj, {7, 8});
    BOOST_REQUIRE(list.size() == 2u);
    BOOST_TEST(list[0].orderId == 7);
    BOOST_TEST(list[0].expires->toString() == "2026-01-02");
    BOOST_TEST(!list[1].expires.has_value());
    BOOST_CHECK_THROW(parseBatch(*obj, {7}), MismatchedReply);
    BOOST_CHECK_THROW(parseBatch(*parseObject(R"({"certificates":{"a":1}})"), {7}),
                      UnreadableReply);
}

BOOST_AUTO_TEST_CASE(other_replies) {
    const auto emails = parseDomainEmails(*parseObject(
        R"({"ComodoApprovalEmails":["admin@example.org","webmaster@example.org"],"GeotrustApprovalEmails":["admin@example.org"],"success":true})"));
    BOOST_TEST(emails.comodo.size() == 2u);
    BOOST_TEST(emails.geotrust.at(0) == "admin@example.org");
    const auto csr = parseCsr(*parseObject(
        R"j({"csrResult":{"CN":"example.org","O":"","Key Size":2048,"dnsName(s)":"example.org, www.example.org","errorMessage":false},"success":true})j"));
    BOOST_TEST(csr.commonName == "example.org");
    BOOST_TEST(csr.fields.at("Key Size") == "2048");
    BOOST_TEST(csr.dnsNames.size() == 2u);
    BOOST_TEST(csr.errorMessage.empty());
    const auto list = parseOrderList(*parseObject(
        R"({"orders":[{"order_id":"5","status":"active"}],"limit":"10","offset":0,"count":"1","success":true})"));
    BOOST_TEST(list.orders.at(0).orderId == 5);
    BOOST_TEST(list.limit == 10);
    BOOST_TEST(list.count == 1);
    const auto balance = parseBalance(*parseObject(R"({"balance":"123.45","currency":"USD"})"));
    BOOST_TEST(balance.balance == "123.45");
    BOOST_TEST(parseBalance(*parseObject(R"({"balance":12.5})")).balance == "12.5");
    const auto product = parseProduct(
        *parseObject(
            R"({"product_id":"65","product_name":"PositiveSSL","product_brand":"comodo","product_wildcard":"0","product_dcv_http":1,"product_prices":[{"period":"12","price":"7.50","id":"3"}],"success":true})"),
        65);
    BOOST_TEST(product.name == "PositiveSSL");
    BOOST_TEST(product.dcvHttp);
    BOOST_TEST(!product.wildcard);
    BOOST_TEST(product.prices.at(0).period == 12);
    BOOST_TEST(parseMessage(*parseObject(R"({"message":"Validation started","success":true})")) ==
               "Validation started");
}

BOOST_AUTO_TEST_SUITE_END()
