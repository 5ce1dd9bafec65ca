#include "Examples.h"
#include "FakeApi.h"
#include "api/Requests.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::api;
using namespace certagent::api::detail;
using namespace certagent::api::test;

namespace {

/// A client whose every call after auth gets `body`; returns the last request.
struct OneCall {
    Harness h;
    explicit OneCall(const std::string& body) {
        h.script->steps = {authOk()};
        h.script->fallback = [body](const HttpRequest&) { return ok(body); };
    }
    const HttpRequest& last() const { return h.script->requests.back(); }
};

std::string keyQuery() {
    return std::string("?auth_key=") + kKey1;
}

/// The order ids in a getOrdersStatus request body ("cids=1%2C2%2C3").
std::vector<std::string> askedIds(const HttpRequest& r) {
    std::vector<std::string> ids;
    std::string rest = r.body.substr(r.body.find('=') + 1);
    for (std::size_t comma; (comma = rest.find("%2C")) != std::string::npos;) {
        ids.push_back(rest.substr(0, comma));
        rest = rest.substr(comma + 3);
    }
    ids.push_back(rest);
    return ids;
}

/// A getOrdersStatus reply with one active entry per id asked for, plus `extraId` if not empty.
Step statusesReply(const HttpRequest& r, const std::string& extraId = "") {
    std::vector<std::string> ids = askedIds(r);
    if (!extraId.empty()) {
        ids.push_back(extraId);
    }
    std::string list;
    for (const auto& id : ids) {
        list += std::string(list.empty() ? "" : ",") + R"({"order_id":")" + id +
                R"(","status":"active","expires":"2026-01-31"})";
    }
    return ok(R"({"certificates":[)" + list + R"(],"success":true})");
}

} // namespace

BOOST_AUTO_TEST_SUITE(ApiRequests)

BOOST_AUTO_TEST_CASE(form_encoding) {
    BOOST_TEST(formEncode({{"a", "b c"}, {"csr", "-----X-----\nAB+/=\r\n"}}) ==
               "a=b%20c&csr=-----X-----%0AAB%2B%2F%3D%0D%0A");
    BOOST_TEST(formEncode({{"x&y", "1&2=3?#%"}}) == "x%26y=1%262%3D3%3F%23%25");
    BOOST_TEST(formEncode({{"u", "Rīga"}}) == "u=R%C4%ABga");
    BOOST_TEST(formEncode({}) == "");
}

BOOST_AUTO_TEST_CASE(get_and_post_requests) {
    CallSpec get{"getOrderStatus", 7, "GET", "/orders/status/7", {{"x", "1"}}, {}, true};
    const HttpRequest g = buildRequest(get, "K/+");
    BOOST_TEST(g.method == "GET");
    BOOST_TEST(g.target == "/orders/status/7?auth_key=K%2F%2B&x=1");
    BOOST_TEST(g.body.empty());
    CallSpec post{"revalidate",        7,   "POST", "/orders/ssl/revalidate/7", {},
                  {{"domain", "a.b"}}, true};
    const HttpRequest p = buildRequest(post, "K");
    BOOST_TEST(p.target == "/orders/ssl/revalidate/7?auth_key=K");
    BOOST_TEST(p.body == "domain=a.b");
    BOOST_TEST(p.contentType == "application/x-www-form-urlencoded");
}

BOOST_AUTO_TEST_CASE(paths_and_verbs_of_every_typed_call) {
    OneCall c(
        R"({"order_id":"1840217","message":"ok","success":true,"certificates":[],"orders":[],"csrResult":{"CN":"a"},"balance":"1"})");
    auto client = c.h.client();
    client->revalidate(1840217, "shop.example.net");
    BOOST_TEST(c.last().method == "POST");
    BOOST_TEST(c.last().target == "/orders/ssl/revalidate/1840217" + keyQuery());
    BOOST_TEST(c.last().body == "domain=shop.example.net");
    client->changeValidationMethod(1840217, "api.example.net", "dns");
    BOOST_TEST(c.last().target == "/orders/ssl/change_validation_method/1840217" + keyQuery());
    BOOST_TEST(c.last().body == "domain=api.example.net&new_method=dns");
    client->resendValidationEmail(1840217);
    BOOST_TEST(c.last().method == "GET");
    BOOST_TEST(c.last().target == "/orders/ssl/resend_validation_email/1840217" + keyQuery());
    client->getOrdersStatus({1840217, 12, 13});
    BOOST_TEST(c.last().method == "POST");
    BOOST_TEST(c.last().target == "/orders/statuses/" + keyQuery());
    BOOST_TEST(c.last().body == "cids=1840217%2C12%2C13");
    client->getDomainEmails("example.org");
    BOOST_TEST(c.last().target == "/tools/domain/emails/" + keyQuery());
    BOOST_TEST(c.last().body == "domain=example.org");
    client->decodeCSR("PEM");
    BOOST_TEST(c.last().target == "/tools/csr/decode/" + keyQuery());
    client->getAllSSLOrders(50, 100);
    BOOST_TEST(c.last().method == "GET");
    BOOST_TEST(c.last().target == "/orders/ssl/all/" + keyQuery() + "&limit=50&offset=100");
    client->getAccountBalance();
    BOOST_TEST(c.last().target == "/account/balance/" + keyQuery());
    client->cancelSSLOrder(1840217, "duplicate");
    BOOST_TEST(c.last().target == "/orders/cancel_ssl_order/" + keyQuery());
    BOOST_TEST(c.last().body == "order_id=1840217&reason=duplicate");
    BOOST_TEST(c.h.script->authCount() == 1);
}

BOOST_AUTO_TEST_CASE(orders_status_in_chunks_of_fifty) {
    Harness h;
    h.script->steps = {authOk()};
    h.script->fallback = [](const HttpRequest& r) { return statusesReply(r); };
    std::vector<long long> ids;
    for (long long id = 1840217; id < 1840217 + 120; ++id) {
        ids.push_back(id);
    }
    const auto statuses = h.client()->getOrdersStatus(ids);
    const auto calls = h.script->calls();
    BOOST_TEST(calls.size() == 3u);
    BOOST_TEST(askedIds(calls[0]).size() == 50u);
    BOOST_TEST(askedIds(calls[1]).size() == 50u);
    BOOST_TEST(askedIds(calls[2]).size() == 20u);
    BOOST_TEST(askedIds(calls[1]).front() == "1840267");
    BOOST_TEST(askedIds(calls[2]).back() == "1840336");
    BOOST_TEST(statuses.size() == ids.size());
    for (std::size_t i = 0; i < statuses.size() && i < ids.size(); ++i) {
        BOOST_TEST(statuses[i].orderId == ids[i]);
        BOOST_TEST(statuses[i].status == "active");
    }
    BOOST_TEST(h.client()->getOrdersStatus({}).empty());
    BOOST_TEST(h.script->calls().size() == 3u);

    // An entry for an id of the first chunk in the reply to the second is still refused.
    Harness mixed;
    mixed.script->steps = {authOk()};
    mixed.script->fallback = [](const HttpRequest& r) {
        return statusesReply(r, askedIds(r).front() == "1840267" ? "1840217" : "");
    };
    const ApiError e = expectApiError([&] { mixed.client()->getOrdersStatus(ids); });
    BOOST_TEST(e.what() == std::string("api getOrdersStatus: reply names order 1840217 that was "
                                       "not asked for"));
    BOOST_TEST(mixed.script->calls().size() == 2u);
}

BOOST_AUTO_TEST_CASE(new_order_parameters) {
    NewOrderRequest r;
    r.productId = 65;
    r.period = 12;
    r.csr = "CSR";
    r.dcvMethod = "http";
    r.dnsNames = {"api.example.net", "www.example.net"};
    r.approverEmails = {"dns", "admin@example.net"};
    r.contacts = {{"admin_firstname", "Ilze"}, {"tech_email", "ops@example.net"}};
    r.uniqueCode = "k7Qm2Rz9Lw4Xp8Tn";
    OneCall c(kAddOrderExample);
    auto client = c.h.client();
    client->addSSLOrder(r);
    BOOST_TEST(c.last().target == "/orders/add_ssl_order/" + keyQuery());
    BOOST_TEST(
        c.last().body ==
        "product_id=65&period=12&csr=CSR&server_count=-1&webserver_type=-1&dcv_method=http"
        "&dns_names=api.example.net%2Cwww.example.net&approver_emails=dns%2Cadmin%40example."
        "net&admin_firstname=Ilze&tech_email=ops%40example.net&unique_code=k7Qm2Rz9Lw4Xp8Tn");
    client->addSSLRenewOrder(r);
    BOOST_TEST(c.last().target == "/orders/add_ssl_renew_order/" + keyQuery());

    NewOrderRequest bad = r;
    bad.approverEmails.pop_back();
    BOOST_TEST(expectApiError([&] { newOrderParams(bad, "addSSLOrder"); }).exitCode() == 4);
    bad = r;
    bad.contacts["auth_key"] = "x";
    BOOST_TEST(expectApiError([&] { newOrderParams(bad, "addSSLOrder"); }).exitCode() == 4);
}

BOOST_AUTO_TEST_CASE(reissue_parameters) {
    ReissueRequest r;
    r.csr = "CSR";
    r.dcvMethod = "dns";
    OneCall c(kReissueExample);
    const ReissueResult res = c.h.client()->reissueSSLOrder(1840217, r);
    BOOST_TEST(res.validation.dnsType == "CNAME");
    BOOST_TEST(c.last().target == "/orders/ssl/reissue/1840217" + keyQuery());
    BOOST_TEST(c.last().body == "csr=CSR&webserver_type=-1&dcv_method=dns");
}

BOOST_AUTO_TEST_CASE(raw_calls) {
    const CallSpec s = rawSpec("getOrderStatus", {{"order_id", "7"}, {"x", "y"}});
    BOOST_TEST(s.verb == "GET");
    BOOST_TEST(s.path == "/orders/status/7");
    BOOST_TEST(s.orderId == 7);
    BOOST_TEST(s.query.size() == 1u);
    const CallSpec r = rawSpec("revalidate", {{"order_id", "7"}, {"domain", "a.b"}});
    BOOST_TEST(r.verb == "POST");
    BOOST_TEST(r.form.size() == 1u);
    BOOST_TEST(rawSpec("/orders/status/7", {}).verb == "GET");
    BOOST_TEST(rawSpec("/tools/csr/decode/", {{"csr", "x"}}).verb == "POST");
    BOOST_TEST(rawSpec("GET /orders/ssl/all/", {{"limit", "1"}}).query.size() == 1u);
    BOOST_TEST(!rawSpec("POST /orders/x", {}).idempotent);
    BOOST_TEST(expectApiError([] { rawSpec("/../etc/passwd", {}); }).exitCode() == 4);
    BOOST_TEST(expectApiError([] { rawSpec("nope", {}); }).exitCode() == 4);
    BOOST_TEST(expectApiError([] { rawSpec("getOrderStatus", {}); }).exitCode() == 4);
    BOOST_TEST(expectApiError([] {
                   rawSpec("getOrderStatus", {{"order_id", "7/../x"}});
               }).exitCode() == 4);

    OneCall c(kStatusActiveExample);
    const std::string json = c.h.client()->callRaw("getOrderStatus", {{"order_id", "1840217"}});
    BOOST_TEST(json.find("\"status\":\"active\"") != std::string::npos);
    BOOST_TEST(c.last().target == "/orders/status/1840217" + keyQuery());
}

BOOST_AUTO_TEST_SUITE_END()
