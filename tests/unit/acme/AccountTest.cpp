// Account calls: preconditions checked before any POST (exit 2), newAccount payload with ToS,
// contact and EAB, onlyReturnExisting lookup, refusals.

#include "acme/Account.h"

#include "FakeAcme.h"

#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::acme;
using namespace certagent::acme::test;

namespace {

const char* const kAccountBody =
    R"({"status":"valid","contact":["mailto:ops@example.test"],"orders":"https://ca.test/acct/1/orders"})";

Poco::JSON::Object::Ptr payloadOf(const certagent::api::HttpRequest& r) {
    Poco::JSON::Parser parser;
    return parser.parse(decodeJws(r).payload).extract<Poco::JSON::Object::Ptr>();
}

Eab testEab() {
    return Eab{"kid-1", decodeEabKey("zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsU",
                                     "eab_hmac_file")};
}

} // namespace

BOOST_AUTO_TEST_SUITE(AcmeAccount)

BOOST_AUTO_TEST_CASE(eab_required_and_none_configured_is_exit_2_before_any_post) {
    FakeCa ca;
    ca.directory = directoryJson(R"({"externalAccountRequired":true})");
    AccountRequest request;
    request.agreeTos = true;
    const AcmeError e = expectAcmeError([&] { registerAccount(*ca.client(false), request); });
    BOOST_TEST(e.exitCode() == 2);
    BOOST_TEST(std::string(e.what()) == "acme newAccount: the CA requires External Account "
                                        "Binding and no EAB key id / HMAC key is configured");
    BOOST_TEST(ca.requests.size() == 1u); // the directory GET only
}

BOOST_AUTO_TEST_CASE(terms_of_service_not_agreed_is_exit_2_before_any_post) {
    FakeCa ca;
    ca.directory = directoryJson(R"({"termsOfService":"https://ca.test/tos\u001b.pdf"})");
    const AcmeError e = expectAcmeError([&] { registerAccount(*ca.client(false), {}); });
    BOOST_TEST(e.exitCode() == 2);
    BOOST_TEST(std::string(e.what()) == "acme newAccount: the CA's terms of service "
                                        "(https://ca.test/tos\\x1B.pdf) must be agreed to first "
                                        "(agree_tos)");
    BOOST_TEST(ca.requests.size() == 1u);
}

BOOST_AUTO_TEST_CASE(new_account_sends_tos_contact_and_eab_signed_with_the_jwk) {
    FakeCa ca;
    ca.directory =
        directoryJson(R"({"termsOfService":"https://ca.test/tos","externalAccountRequired":true})");
    ca.steps = {answer(201, kAccountBody, {{"Location", kAccountUrl}})};
    auto client = ca.client(false);
    const Eab eab = testEab();
    AccountRequest request;
    request.agreeTos = true;
    request.contact = {"ops@example.test"};
    request.eab = &eab;
    const AccountFacts facts = registerAccount(*client, request);
    BOOST_TEST(facts.created);
    BOOST_TEST(facts.url == kAccountUrl);
    BOOST_TEST(facts.status == "valid");
    BOOST_TEST(facts.orders == "https://ca.test/acct/1/orders");
    BOOST_TEST(facts.contact == std::vector<std::string>{"mailto:ops@example.test"},
               boost::test_tools::per_element());
    BOOST_TEST(client->accountUrl() == kAccountUrl);
    const auto req = ca.calls().at(0);
    BOOST_TEST(req.target == "/new-acct");
    const auto jws = decodeJws(req);
    BOOST_TEST(jws.header->has("jwk"));
    BOOST_TEST(!jws.header->has("kid"));
    const auto payload = payloadOf(req);
    BOOST_TEST(payload->getValue<bool>("termsOfServiceAgreed"));
    BOOST_TEST(payload->getArray("contact")->getElement<std::string>(0) ==
               "mailto:ops@example.test");
    const auto binding = payload->getObject("externalAccountBinding");
    BOOST_REQUIRE(binding);
    Poco::JSON::Parser parser;
    const auto eabHeader =
        parser.parse(b64urlDecode(binding->getValue<std::string>("protected")).value())
            .extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(eabHeader->getValue<std::string>("kid") == "kid-1");
    // The HMAC key never travels.
    BOOST_TEST(req.body.find("zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsU") ==
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_existing_account_answers_200) {
    FakeCa ca;
    ca.steps = {answer(200, kAccountBody, {{"Location", kAccountUrl}})};
    const AccountFacts facts = registerAccount(*ca.client(false), {});
    BOOST_TEST(!facts.created);
    const auto payload = payloadOf(ca.calls().at(0));
    BOOST_TEST(!payload->has("termsOfServiceAgreed"));
    BOOST_TEST(!payload->has("externalAccountBinding"));
}

BOOST_AUTO_TEST_CASE(ca_demanding_eab_that_is_not_configured_is_exit_2) {
    FakeCa ca;
    ca.steps = {problem(403, "externalAccountRequired", "bind first")};
    const AcmeError e = expectAcmeError([&] { registerAccount(*ca.client(false), {}); });
    BOOST_TEST(e.exitCode() == 2);
}

BOOST_AUTO_TEST_CASE(eab_refused_by_the_ca_is_exit_4) {
    FakeCa ca;
    ca.steps = {problem(403, "unauthorized", "bad binding")};
    const Eab eab = testEab();
    AccountRequest request;
    request.eab = &eab;
    const AcmeError e = expectAcmeError([&] { registerAccount(*ca.client(false), request); });
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(std::string(e.what()) == "acme newAccount: HTTP 403 unauthorized: bad binding");
}

BOOST_AUTO_TEST_CASE(deactivated_account_is_refused) {
    FakeCa ca;
    ca.steps = {answer(200, R"({"status":"deactivated"})", {{"Location", kAccountUrl}})};
    const AcmeError e = expectAcmeError([&] { registerAccount(*ca.client(false), {}); });
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(std::string(e.what()) == "acme newAccount: the account is deactivated");
}

BOOST_AUTO_TEST_CASE(new_account_cut_after_sending_is_maybe_processed) {
    FakeCa ca;
    ca.steps = {broken("timeout while waiting for the reply", true, true)};
    const AcmeError e = expectAcmeError([&] { registerAccount(*ca.client(false), {}); });
    BOOST_TEST(e.maybeProcessed());
    BOOST_TEST(e.exitCode() == 3);
    BOOST_TEST(ca.calls().size() == 1u);
}

BOOST_AUTO_TEST_CASE(only_return_existing_finds_or_reports_none) {
    FakeCa ca;
    ca.steps = {problem(400, "accountDoesNotExist", "no account for this key"),
                answer(200, kAccountBody, {{"Location", kAccountUrl}})};
    auto client = ca.client(false);
    BOOST_TEST(!findAccount(*client));
    BOOST_TEST(client->accountUrl().empty());
    const auto found = findAccount(*client);
    BOOST_REQUIRE(found);
    BOOST_TEST(found->url == kAccountUrl);
    BOOST_TEST(client->accountUrl() == kAccountUrl);
    const auto payload = payloadOf(ca.calls().at(1));
    BOOST_TEST(payload->getValue<bool>("onlyReturnExisting"));
    BOOST_TEST(payload->size() == 1u);
}

BOOST_AUTO_TEST_CASE(fetch_account_is_a_post_as_get_of_the_kid) {
    FakeCa ca;
    ca.steps = {answer(200, kAccountBody)};
    auto client = ca.client();
    BOOST_TEST(fetchAccount(*client).orders == "https://ca.test/acct/1/orders");
    BOOST_TEST(ca.calls().at(0).target == "/acct/1");
    BOOST_TEST(decodeJws(ca.calls().at(0)).payloadB64.empty());
}

BOOST_AUTO_TEST_CASE(contact_urls) {
    BOOST_TEST(contactUrl("ops@example.test") == "mailto:ops@example.test");
    BOOST_TEST(contactUrl("mailto:ops@example.test") == "mailto:ops@example.test");
    for (const char* bad :
         {"", "mailto:", "a@b.test,c@d.test", "a@b.test?subject=x", "a b@c.test", "a@b.test\n"}) {
        BOOST_CHECK_THROW(contactUrl(bad), ConfigError);
    }
}

BOOST_AUTO_TEST_SUITE_END()
