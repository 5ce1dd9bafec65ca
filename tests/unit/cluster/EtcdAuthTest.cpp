#include "FakeEtcd.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::cluster;
using namespace certagent::cluster::test;

namespace {

const std::string kPut = "{" + header(5) + "}";
const std::string kToken = "gnYvLkaqXbTdMpRs.18";
const std::string kToken2 = "ZzWqPmNaTrYhUvEx.19";
const std::string kPassword = "pw-Quite$ecret\"1";

std::string tokenReply(const std::string& token) {
    return "{" + header(4) + R"(,"token":")" + token + "\"}";
}

/// Every log line and the error text are free of the password and the tokens.
void checkNoSecrets(const Harness& h, const std::string& extra = {}) {
    for (const std::string& line : h.logs) {
        BOOST_TEST(line.find(kPassword) == std::string::npos);
        BOOST_TEST(line.find(kToken) == std::string::npos);
        BOOST_TEST(line.find(kToken2) == std::string::npos);
    }
    BOOST_TEST(extra.find(kPassword) == std::string::npos);
    BOOST_TEST(extra.find(kToken) == std::string::npos);
}

struct AuthHarness : Harness {
    AuthHarness() {
        settings.user = "host-b";
        settings.password = std::make_shared<const Secret>(std::string_view(kPassword));
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(EtcdClientFailover)

BOOST_AUTO_TEST_CASE(a_connection_failure_moves_to_the_next_member_which_stays_current) {
    Harness h;
    h.script->steps = {broken(kE1, "network: Connection refused"), ok(kE2, kPut), ok(kE2, kPut)};
    auto client = h.client();
    BOOST_TEST(client->put("k", "v") == 5);
    BOOST_TEST(client->currentEndpoint() == kE2);
    BOOST_TEST(client->put("k", "v") == 5); // starts at the member that answered
    BOOST_TEST(h.drained());
    BOOST_TEST(h.logs == std::vector<std::string>{
                             "etcd kv/put: https://10.0.0.1:2379: network: Connection refused"});
}

BOOST_AUTO_TEST_CASE(unavailable_and_deadline_answers_move_on_a_definite_answer_does_not) {
    Harness h;
    h.script->steps = {answer(kE1, 503, gatewayError(14, "etcdserver: request timed out")),
                       answer(kE2, 500, gatewayError(2, "context deadline exceeded")),
                       answer(kE3, 403, gatewayError(7, "etcdserver: permission denied"))};
    const EtcdError e = expectEtcdError([&] { h.client()->put("/other/x", "y"); });
    BOOST_TEST(e.what() == std::string("etcd kv/put: permission denied (HTTP 403, code 7: "
                                       "etcdserver: permission denied)"));
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST((e.reason() == EtcdError::Reason::Refused));
    BOOST_TEST(h.drained());
}

BOOST_AUTO_TEST_CASE(quorum_loss_fails_every_member_twice_then_is_retryable) {
    Harness h;
    for (int round = 0; round < 2; ++round) {
        h.script->steps.push_back(answer(kE1, 500, gatewayError(2, "context deadline exceeded")));
        h.script->steps.push_back(broken(kE2, "timeout while waiting for the reply", true, true));
        h.script->steps.push_back(broken(kE3, "network: Connection refused"));
    }
    const EtcdError e = expectEtcdError([&] { h.client()->put("k", "v"); });
    BOOST_TEST(e.exitCode() == 3);
    BOOST_TEST((e.reason() == EtcdError::Reason::Unavailable));
    BOOST_TEST(e.maybeProcessed());
    BOOST_TEST(h.clock.sleeps.size() == 1u); // one pause between the two rounds
    // No line per failed member: the error says it all, once.
    BOOST_TEST(h.logs == std::vector<std::string>{
                             "etcd kv/put: every member failed, one answered 5xx; trying again "
                             "in 1 s"});
    BOOST_TEST(e.what() ==
               std::string("etcd kv/put: no member answered (https://10.0.0.1:2379: HTTP 500, "
                           "code 2: context deadline exceeded; https://10.0.0.2:2379: timeout "
                           "while waiting for the reply; https://10.0.0.3:2379: network: "
                           "Connection refused; https://10.0.0.1:2379: HTTP 500, code 2: context "
                           "deadline exceeded; https://10.0.0.2:2379: timeout while waiting for "
                           "the reply; https://10.0.0.3:2379: network: Connection refused)"));
    BOOST_TEST(h.drained());
}

BOOST_AUTO_TEST_CASE(members_that_cannot_be_reached_at_all_are_not_tried_twice) {
    Harness h;
    h.script->steps = {broken(kE1, "network: Connection refused"),
                       broken(kE2, "network: Connection refused"),
                       broken(kE3, "network: Connection refused")};
    const EtcdError e = expectEtcdError([&] { h.client()->range(RangeRequest::prefix("k")); });
    BOOST_TEST(e.exitCode() == 3);
    BOOST_TEST(!e.maybeProcessed()); // nothing was sent, and a read changes nothing anyway
    BOOST_TEST(h.clock.sleeps.empty());
}

BOOST_AUTO_TEST_CASE(tls_verification_failing_everywhere_is_a_refusal) {
    Harness h;
    for (const char* e : {kE1, kE2, kE3}) {
        h.script->steps.push_back(
            broken(e, "TLS verification of 10.0.0.x failed: certificate verify failed", false));
    }
    const EtcdError e = expectEtcdError([&] { h.client()->range(RangeRequest::prefix("k")); });
    BOOST_TEST(e.exitCode() == 4);
}

BOOST_AUTO_TEST_CASE(a_read_is_repeated_elsewhere_but_says_nothing_about_processing) {
    Harness h;
    h.script->steps = {broken(kE1, "timeout while waiting for the reply", true, true),
                       ok(kE2, "{" + header(8) + "}")};
    BOOST_TEST(h.client()->range(RangeRequest::prefix("k")).revision == 8);
}

BOOST_AUTO_TEST_CASE(a_member_refusing_our_client_certificate_does_not_stop_the_others) {
    Harness h;
    h.script->steps = {broken(kE1, "network: tlsv13 alert certificate required", true, true),
                       ok(kE2, kPut)};
    BOOST_TEST(h.client()->put("k", "v") == 5);
}

BOOST_AUTO_TEST_CASE(every_member_refusing_our_client_certificate_is_a_refusal) {
    Harness h;
    const std::string alert =
        "network: SSL Exception: error:0A000412:SSL routines::sslv3 alert bad certificate";
    h.script->steps = {broken(kE1, alert, true, true), broken(kE2, alert, true, true),
                       broken(kE3, alert, true, true)};
    const EtcdError e = expectEtcdError([&] { h.client()->range(RangeRequest::prefix("k")); });
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(h.clock.sleeps.empty());
}

BOOST_AUTO_TEST_CASE(a_plain_text_error_page_is_shown_capped_and_escaped) {
    Harness h;
    h.script->steps = {answer(kE1, 400, "<html>\x1b[1mBad gateway</html>" + std::string(500, 'x'))};
    const EtcdError e = expectEtcdError([&] { h.client()->put("k", "v"); });
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(std::string(e.what()).find("(HTTP 400: <html>\\x1B[1mBad gateway</html>xxx") !=
               std::string::npos);
    BOOST_TEST(std::string(e.what()).size() < 400u);
}

BOOST_AUTO_TEST_CASE(bad_endpoints_and_settings_are_config_errors) {
    const std::pair<std::vector<std::string>, std::string> cases[] = {
        {{}, "[cluster] etcd: no endpoint given"},
        {{"http://10.0.0.1:2379"},
         "[cluster] etcd: \"http://10.0.0.1:2379\" is not an https://host:port URL"},
        {{"https://10.0.0.1:2379/v3"},
         "[cluster] etcd: \"https://10.0.0.1:2379/v3\" is not an https://host:port URL"},
        {{"https://u:p@10.0.0.1:2379"},
         "[cluster] etcd: \"https://u:p@10.0.0.1:2379\" is not an https://host:port URL"},
        {{"https://\x1b[31m"},
         "[cluster] etcd: \"https://\\x1B[31m\" is not an https://host:port URL"},
    };
    for (const auto& [endpoints, message] : cases) {
        Harness h;
        h.settings.endpoints = endpoints;
        try {
            h.client();
            BOOST_FAIL("expected a ConfigError for " + message);
        } catch (const ConfigError& e) {
            BOOST_TEST(e.what() == message);
        }
    }
    Harness noPassword;
    noPassword.settings.user = "host-b";
    BOOST_CHECK_THROW(noPassword.client(), ConfigError);
    Harness noCa;
    noCa.settings.tls.caFile.clear();
    try {
        noCa.client();
        BOOST_FAIL("a client without ca_file was made");
    } catch (const ConfigError& e) {
        BOOST_TEST(e.what() == std::string("[cluster] ca_file: required (etcd's own CA; the system "
                                           "store is not trusted for etcd)"));
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(EtcdClientAuth)

BOOST_AUTO_TEST_CASE(authenticates_once_then_sends_the_token) {
    AuthHarness h;
    h.script->steps = {ok(kE1, tokenReply(kToken)), ok(kE1, kPut), ok(kE1, kPut)};
    auto client = h.client();
    client->put("k", "v");
    client->put("k", "v");
    BOOST_REQUIRE(h.script->sent.size() == 3u);
    BOOST_TEST(h.script->sent[0].request.target == "/v3/auth/authenticate");
    BOOST_TEST(h.script->sent[0].request.body ==
               R"({"name":"host-b","password":"pw-Quite$ecret\"1"})");
    BOOST_TEST(h.script->sent[0].authorization.empty());
    BOOST_TEST(h.script->sent[1].authorization == kToken);
    BOOST_TEST(h.script->sent[2].authorization == kToken);
    checkNoSecrets(h);
}

BOOST_AUTO_TEST_CASE(an_invalid_token_authenticates_again_and_repeats_the_call) {
    AuthHarness h;
    h.script->steps = {ok(kE1, tokenReply(kToken)),
                       answer(kE1, 401, gatewayError(16, "etcdserver: invalid auth token")),
                       ok(kE1, tokenReply(kToken2)), ok(kE1, kPut)};
    BOOST_TEST(h.client()->put("k", "v") == 5);
    BOOST_TEST(h.script->sent[3].authorization == kToken2);
    BOOST_TEST(h.logs == std::vector<std::string>{
                             "etcd kv/put: https://10.0.0.1:2379: HTTP 401, code 16: etcdserver: "
                             "invalid auth token; authenticating again"});
    checkNoSecrets(h);
}

BOOST_AUTO_TEST_CASE(an_old_auth_revision_also_authenticates_again) {
    AuthHarness h;
    h.script->steps = {
        ok(kE1, tokenReply(kToken)),
        answer(kE1, 400, gatewayError(3, "etcdserver: revision of auth store is old")),
        ok(kE1, tokenReply(kToken2)), ok(kE1, kPut)};
    BOOST_TEST(h.client()->put("k", "v") == 5);
}

BOOST_AUTO_TEST_CASE(a_token_refused_twice_is_a_refusal) {
    AuthHarness h;
    h.script->steps = {ok(kE1, tokenReply(kToken)),
                       answer(kE1, 401, gatewayError(16, "etcdserver: invalid auth token")),
                       ok(kE1, tokenReply(kToken2)),
                       answer(kE1, 401, gatewayError(16, "etcdserver: invalid auth token"))};
    const EtcdError e = expectEtcdError([&] { h.client()->put("k", "v"); });
    BOOST_TEST(e.what() ==
               std::string("etcd kv/put: auth token refused again after authenticating (HTTP 401, "
                           "code 16: etcdserver: invalid auth token)"));
    BOOST_TEST(e.exitCode() == 4);
    checkNoSecrets(h, e.what());
}

BOOST_AUTO_TEST_CASE(a_wrong_password_is_a_refusal_without_the_password) {
    AuthHarness h;
    h.script->steps = {
        answer(kE1, 400,
               gatewayError(3, "etcdserver: authentication failed, invalid user ID or password"))};
    const EtcdError e = expectEtcdError([&] { h.client()->put("k", "v"); });
    BOOST_TEST(e.what() == std::string("etcd auth/authenticate: user or password refused (HTTP "
                                       "400, code 3: etcdserver: authentication failed, invalid "
                                       "user ID or password)"));
    BOOST_TEST(e.exitCode() == 4);
    BOOST_TEST(h.script->sent.size() == 1u);
    checkNoSecrets(h, e.what());
}

BOOST_AUTO_TEST_CASE(auth_disabled_on_the_cluster_goes_on_without_a_token) {
    AuthHarness h;
    h.script->steps = {
        answer(kE1, 412, gatewayError(9, "etcdserver: authentication is not enabled")),
        ok(kE1, kPut), ok(kE1, kPut)};
    auto client = h.client();
    client->put("k", "v");
    client->put("k", "v"); // asks only once
    BOOST_TEST(h.script->sent[1].authorization.empty());
    BOOST_TEST(h.drained());
    BOOST_TEST(h.logs.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_client_certificate_with_a_cn_under_rbac_is_a_config_error) {
    Harness h;
    // etcd's HTTP layer answers this one in plain text, before the gateway sees the request.
    h.script->steps = {answer(kE1, 400,
                              "CommonName of client sending a request against gateway will be "
                              "ignored and not used as expected\n")};
    const EtcdError e = expectEtcdError([&] { h.client()->put("k", "v"); });
    BOOST_TEST(e.exitCode() == 2);
    BOOST_TEST((e.reason() == EtcdError::Reason::Misconfigured));
    BOOST_TEST(e.what() ==
               std::string("etcd kv/put: etcd has authentication enabled and refuses gateway "
                           "requests from a client certificate with a CN: use a certificate "
                           "without CN ([cluster] cert_file) (HTTP 400: CommonName of client "
                           "sending a request against gateway will be ignored and not used as "
                           "expected)"));
}

BOOST_AUTO_TEST_CASE(rbac_without_a_configured_user_is_a_config_error) {
    Harness h;
    h.script->steps = {answer(kE1, 400, gatewayError(3, "etcdserver: user name is empty"))};
    const EtcdError e = expectEtcdError([&] { h.client()->put("k", "v"); });
    BOOST_TEST(e.exitCode() == 2);
    BOOST_TEST(e.what() == std::string("etcd kv/put: etcd has authentication enabled: set "
                                       "[cluster] user and password_file (HTTP 400, code 3: "
                                       "etcdserver: user name is empty)"));
}

BOOST_AUTO_TEST_CASE(hostile_error_text_is_escaped) {
    Harness h;
    h.script->steps = {
        answer(kE1, 400, R"({"error":"x","message":"bad\u001b[2J\nline","code":3})")};
    const EtcdError e = expectEtcdError([&] { h.client()->put("k", "v"); });
    BOOST_TEST(e.what() ==
               std::string("etcd kv/put: refused (HTTP 400, code 3: bad\\x1B[2J\\nline)"));
}

BOOST_AUTO_TEST_SUITE_END()
