// ApiClient rules that protect against surprises of the real service (issue 11, "Against the
// real GoGetSSL service"): replies saying `"success": false`, expired keys reported in an error
// envelope, order replies whose details do not fit, webserver_type by brand.

#include "Examples.h"
#include "FakeApi.h"

#include <boost/test/unit_test.hpp>

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

BOOST_AUTO_TEST_SUITE_END()
