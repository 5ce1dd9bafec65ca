// ApiClient rules that protect against surprises of the real service (issue 11, "Against the
// real GoGetSSL service"): replies saying `"success": false`, expired keys reported in an error
// envelope, order replies whose details do not fit, webserver_type by brand.

#include "Examples.h"
#include "FakeApi.h"
#include "api/Replies.h"
#include "api/WebserverType.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

using namespace certagent;
using namespace certagent::api;
using namespace certagent::api::test;

BOOST_AUTO_TEST_SUITE(ApiClientRules)

BOOST_AUTO_TEST_CASE(revalidate_with_success_false_is_refused_with_the_escaped_message) {
    Harness h;
    h.script->steps = {authOk(),
                       ok(R"({"message":"Domain \u001b[31mnot\nin order","success":false})")};
    const ApiError e = expectApiError([&] { h.client()->revalidate(1840217, "shop.example.net"); });
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(!e.retryable());
    BOOST_TEST(e.apiMessage() == "Domain \x1b[31mnot\nin order");
    BOOST_TEST(std::string(e.what()) ==
               "api revalidate order 1840217: refused: Domain \\x1B[31mnot\\nin order");
    BOOST_TEST(h.script->calls().size() == 1u);
}

BOOST_AUTO_TEST_CASE(validation_method_change_with_success_false_is_refused) {
    for (const char* falsy : {"false", "0", "\"0\"", "\"false\""}) {
        BOOST_TEST_CONTEXT(falsy) {
            Harness h;
            h.script->steps = {authOk(), ok(std::string(R"({"success":)") + falsy + "}")};
            const ApiError e = expectApiError(
                [&] { h.client()->changeValidationMethod(1840217, "shop.example.net", "dns"); });
            BOOST_TEST(e.exitCode() == 4);
            BOOST_TEST(std::string(e.what()) ==
                       "api changeValidationMethod order 1840217: refused: the reply says "
                       "\"success\": false");
            BOOST_TEST(h.script->calls().size() == 1u);
        }
    }
}

BOOST_AUTO_TEST_CASE(success_true_or_absent_returns_the_message) {
    Harness h;
    h.script->steps = {authOk(),
                       ok(R"({"message":"Validation re-check requested","success":true})"),
                       ok(R"({"message":"Validation method changed"})")};
    auto client = h.client();
    BOOST_TEST(client->revalidate(1840217, "shop.example.net") == "Validation re-check requested");
    BOOST_TEST(client->changeValidationMethod(1840217, "shop.example.net", "dns") ==
               "Validation method changed");
}

namespace {

constexpr const char* kKeyExpired =
    R"({"error":true,"message":"Invalid auth key","description":"Please authenticate again"})";

} // namespace

BOOST_AUTO_TEST_CASE(expired_key_in_a_200_envelope_triggers_one_reauth) {
    Harness h;
    h.script->steps = {authOk(kKey1), ok(kKeyExpired), authOk(kKey2), ok(kStatusProcessingExample)};
    BOOST_TEST(h.client()->getOrderStatus(1840217).orderId == 1840217);
    BOOST_TEST(h.script->authCount() == 2);
    BOOST_REQUIRE(h.script->requests.size() == 4u);
    BOOST_TEST(h.script->requests[3].target ==
               std::string("/orders/status/1840217?auth_key=") + kKey2);
}

BOOST_AUTO_TEST_CASE(expired_key_envelope_twice_exits_4) {
    Harness h;
    h.script->steps = {authOk(kKey1), ok(kKeyExpired), authOk(kKey2), ok(kKeyExpired)};
    const ApiError e = expectApiError([&] { h.client()->getOrderStatus(1840217); });
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(std::string(e.what()) ==
               "api getOrderStatus order 1840217: auth key refused again after re-authenticating "
               "(HTTP 200: Invalid auth key (Please authenticate again))");
    BOOST_TEST(h.script->authCount() == 2);
    BOOST_TEST(h.script->requests.size() == 4u);
}

BOOST_AUTO_TEST_CASE(an_order_refused_for_its_key_is_sent_again_after_reauth) {
    NewOrderRequest req;
    req.productId = 65;
    req.csr = "-----BEGIN CERTIFICATE REQUEST-----\nAA\n-----END CERTIFICATE REQUEST-----\n";
    req.dcvMethod = "http";
    req.webserverType = -1;
    Harness h;
    h.script->steps = {authOk(kKey1), ok(R"({"error":true,"message":"Auth key expired"})"),
                       authOk(kKey2), ok(kAddOrderExample)};
    BOOST_TEST(h.client()->addSSLOrder(req).orderId == 1840217);
    BOOST_TEST(h.script->calls().size() == 2u);
}

BOOST_AUTO_TEST_CASE(which_envelopes_mean_the_auth_key_is_unusable) {
    for (const auto& [message, description] :
         std::vector<std::pair<std::string, std::string>>{{"Invalid auth key", ""},
                                                          {"Auth key expired", ""},
                                                          {"", "The auth_key is not valid"},
                                                          {"AUTH_KEY incorrect", ""},
                                                          {"Error", "Unknown authKey"}}) {
        BOOST_TEST_CONTEXT(message << " / " << description) {
            BOOST_TEST(detail::isAuthKeyRefusal(message, description));
        }
    }
    for (const auto& [message, description] : std::vector<std::pair<std::string, std::string>>{
             {"Username and/or password not supplied",
              "This request requires username and password"},
             {"Invalid username or password", "Authentication failed"},
             {"Order not found", "Order #77123 does not belong to this account"},
             {"Invalid approver email", "admin@example.net is not valid"},
             {"Function is locked for 10 minutes", ""},
             {"Auth key not supplied", "Please authenticate again"},
             {"", ""}}) {
        BOOST_TEST_CONTEXT(message << " / " << description) {
            BOOST_TEST(!detail::isAuthKeyRefusal(message, description));
        }
    }
}

BOOST_AUTO_TEST_CASE(other_envelopes_do_not_reauth) {
    Harness h;
    h.script->steps = {authOk(), ok(kErrorExample)};
    BOOST_TEST(expectApiError([&] { h.client()->getOrderStatus(1840217); }).exitCode() == 4);
    BOOST_TEST(h.script->authCount() == 1);
}

namespace {

NewOrderRequest someOrder() {
    NewOrderRequest req;
    req.productId = 65;
    req.csr = "-----BEGIN CERTIFICATE REQUEST-----\nAA\n-----END CERTIFICATE REQUEST-----\n";
    req.dcvMethod = "http";
    return req;
}

/// The add-order example with `from` replaced by `to` (which must occur).
std::string addReply(const std::string& from, const std::string& to) {
    std::string body = kAddOrderExample;
    const auto at = body.find(from);
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, "fixture lacks " << from);
    return body.replace(at, from.size(), to);
}

} // namespace

BOOST_AUTO_TEST_CASE(placed_order_with_odd_details_still_yields_its_id) {
    for (const auto& [from, to, why] : std::vector<std::array<std::string, 3>>{
             {R"("san":[])", R"("san":"api.example.net")", "san: not an array"},
             {R"("san":[])", R"("san":{"0":"api.example.net"})", "san[0]: not an object"},
             {R"("currency":"USD")", R"("currency":{"code":"USD"})", "currency: not a string"}}) {
        BOOST_TEST_CONTEXT(to) {
            Harness h;
            const std::string body = addReply(from, to);
            h.script->steps = {authOk(), ok(body)};
            const NewOrderResult r = h.client()->addSSLOrder(someOrder());
            BOOST_TEST(r.orderId == 1840217);
            BOOST_TEST(r.unreadableDetails == why);
            BOOST_TEST(r.approver.empty());
            BOOST_TEST(r.san.empty());
            BOOST_TEST(h.script->calls().size() == 1u);
            BOOST_REQUIRE(h.logs.size() >= 1u);
            BOOST_TEST(std::count(h.logs.begin(), h.logs.end(),
                                  "api addSSLOrder order 1840217: placed, but the rest of the "
                                  "reply is unreadable (" +
                                      why + "); its details come from getOrderStatus") == 1);
        }
    }
}

BOOST_AUTO_TEST_CASE(renew_order_with_approver_method_as_a_list_still_yields_its_id) {
    Harness h;
    h.script->steps = {authOk(),
                       ok(R"({"order_id":"1840299","approver_method":["http","dns"],"san":[7]})")};
    const NewOrderResult r = h.client()->addSSLRenewOrder(someOrder());
    BOOST_TEST(r.orderId == 1840299);
    BOOST_TEST(r.unreadableDetails == "approver_method: not an object");
    BOOST_TEST(h.script->calls().size() == 1u);
}

BOOST_AUTO_TEST_CASE(order_reply_without_a_usable_id_is_maybe_placed_not_repeated) {
    for (const char* body :
         {R"({"approver_method":["x"],"success":true})", R"({"order_id":"abc","success":true})"}) {
        BOOST_TEST_CONTEXT(body) {
            Harness h;
            h.script->steps = {authOk(), ok(body)};
            const ApiError e = expectApiError([&] { h.client()->addSSLOrder(someOrder()); });
            BOOST_TEST(e.exitCode() == 3);
            BOOST_TEST(e.maybeProcessed());
            BOOST_TEST(h.script->calls().size() == 1u);
        }
    }
}

BOOST_AUTO_TEST_CASE(refused_order_is_an_error_not_a_result) {
    Harness h;
    h.script->steps = {
        authOk(),
        ok(R"({"error":true,"message":"Order error","description":"Insufficient balance"})")};
    const ApiError e = expectApiError([&] { h.client()->addSSLOrder(someOrder()); });
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(e.isEnvelope());
    BOOST_TEST(!e.maybeProcessed());
    BOOST_TEST(std::string(e.what()) ==
               "api addSSLOrder: refused: Order error (Insufficient balance)");
}

BOOST_AUTO_TEST_CASE(reissue_with_odd_validation_still_succeeds) {
    Harness h;
    h.script->steps = {
        authOk(),
        ok(R"({"order_id":"1840217","order_status":"reissue","validation":42,"success":true})")};
    ReissueRequest req;
    req.csr = "CSR";
    req.dcvMethod = "dns";
    const ReissueResult r = h.client()->reissueSSLOrder(1840217, req);
    BOOST_TEST(r.orderId == 1840217);
    BOOST_TEST(r.unreadableDetails == "validation: not an object");
    BOOST_TEST(r.orderStatus.empty());
    BOOST_TEST(r.validation.empty());
    BOOST_TEST(h.script->calls().size() == 1u);
}

BOOST_AUTO_TEST_CASE(webserver_type_by_brand) {
    for (const char* sectigo : {"comodo", "Comodo", "comodo_ggssl", "sectigo", "sectigo_ev",
                                "gogetssl", "ggssl", " comodo "}) {
        BOOST_TEST_CONTEXT(sectigo) {
            BOOST_TEST(webserverTypeForBrand(sectigo).value_or(0) == -1);
        }
    }
    for (const char* digicert :
         {"geotrust", "GeoTrust", "rapidssl", "digicert", "thawte", "symantec", "geotrust_ev"}) {
        BOOST_TEST_CONTEXT(digicert) {
            BOOST_TEST(webserverTypeForBrand(digicert).value_or(0) == 18);
        }
    }
    for (const char* unknown : {"", "entrust", "comodoca", "_comodo", "geo trust"}) {
        BOOST_TEST_CONTEXT(unknown) {
            BOOST_TEST(!webserverTypeForBrand(unknown).has_value());
        }
    }
}

BOOST_AUTO_TEST_CASE(webserver_type_for_a_product_asks_its_brand_once) {
    Harness h;
    h.script->steps = {
        authOk(),
        ok(R"({"product_id":"65","product_name":"PositiveSSL","product_brand":"comodo"})"),
        ok(R"({"product_id":"42","product_name":"QuickSSL Premium","product_brand":"geotrust"})")};
    auto client = h.client();
    BOOST_TEST(client->webserverTypeFor(65) == -1);
    BOOST_TEST(client->webserverTypeFor(42) == 18);
    BOOST_TEST(client->webserverTypeFor(65) == -1);
    BOOST_TEST(client->webserverTypeFor(42) == 18);
    BOOST_REQUIRE(h.script->calls().size() == 2u);
    BOOST_TEST(h.script->calls()[0].target ==
               std::string("/products/details/65?auth_key=") + kKey1);
    BOOST_TEST(h.script->calls()[1].target ==
               std::string("/products/details/42?auth_key=") + kKey1);
}

BOOST_AUTO_TEST_CASE(webserver_type_for_an_unknown_brand_is_refused_with_the_fix) {
    Harness h;
    h.script->steps = {authOk(), ok(R"({"product_id":"77","product_brand":"entr\u001bust"})"),
                       ok(R"({"product_id":"78","product_name":"Mystery"})")};
    auto client = h.client();
    ApiError e = expectApiError([&] { client->webserverTypeFor(77); });
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(std::string(e.what()) ==
               "api getProductDetails: product 77 has brand \"entr\\x1Bust\", for which no "
               "webserver_type is known; set webserver_type in the certificate file");
    e = expectApiError([&] { client->webserverTypeFor(78); });
    BOOST_TEST(std::string(e.what()) ==
               "api getProductDetails: product 78 has no brand, for which no webserver_type is "
               "known; set webserver_type in the certificate file");
    BOOST_TEST(expectApiError([&] { client->webserverTypeFor(0); }).exitCode() == 4);
}

BOOST_AUTO_TEST_SUITE_END()
