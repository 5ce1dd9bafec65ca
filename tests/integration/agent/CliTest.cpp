#include "AgentEnv.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <sys/stat.h>

using namespace certagent::test;

BOOST_AUTO_TEST_SUITE(AgentCli)

BOOST_AUTO_TEST_CASE(config_errors_exit_2_naming_file_and_key) {
    AgentEnv env;
    env.configure("domian = shop.example.test\n");
    auto r = env.agent({"run"});
    BOOST_TEST(r.exitCode == 2, r.output);
    BOOST_TEST(r.output == "certagent: certs.d/shop.conf:1: unknown key \"domian\"\n");

    env.configure(env.defaultCert());
    ::chmod((env.etc() + "/credentials.conf").c_str(), 0644);
    r = env.agent({"run"});
    BOOST_TEST(r.exitCode == 2, r.output);
    BOOST_TEST(r.output ==
               "certagent: credentials.conf: must be mode 0600 or stricter (is 0644)\n");

    env.configure("domains = *.shop.example.test\nproduct_id = 65\nwebroot = /srv\n");
    r = env.agent({"status"});
    BOOST_TEST(r.exitCode == 2, r.output);
    BOOST_TEST(r.output.find("cannot use http validation") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2) {
    AgentEnv env;
    env.configure(env.defaultCert());
    BOOST_TEST(env.agent({"frobnicate"}).exitCode == 2);
    BOOST_TEST(env.agent({"run", "--wait", "5x"}).exitCode == 2);
    BOOST_TEST(env.agent({"run", "--bogus"}).exitCode == 2);
    BOOST_TEST(env.agent({"issue"}).exitCode == 2);
    auto help = runCommand({envPath("CERTAGENT_BIN"), "--help"});
    BOOST_TEST(help.exitCode == 0);
    BOOST_TEST(
        help.output.find("install NAME [--order-id ID | --order-url URL] [--wait DURATION]") !=
        std::string::npos);
    auto version = runCommand({envPath("CERTAGENT_BIN"), "--version"});
    BOOST_TEST(version.output.rfind("certagent ", 0) == 0);
}

BOOST_AUTO_TEST_CASE(csr_then_install_adopts_an_order_placed_elsewhere) {
    AgentEnv env;
    env.configure("domains = shop.example.test\norder_id = 999\ndcv = email\n");
    auto csr = env.agent({"csr", "shop"});
    BOOST_TEST_REQUIRE(csr.exitCode == 0, csr.output);
    BOOST_TEST(csr.output.find("-----BEGIN CERTIFICATE REQUEST-----") != std::string::npos);
    struct stat st {};
    BOOST_TEST(::stat((env.store() + "/pending/shop/privkey.pem").c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    std::string csrPem = readFile(env.store() + "/pending/shop/request.csr");

    // Place the order by hand with that CSR, as a reseller panel would.
    auto auth = env.sandbox().request(
        "/api/auth/", {{"user", env.sandbox().user()}, {"pass", env.sandbox().pass()}});
    auto keyPos = auth.body.find("\"key\":\"");
    BOOST_TEST_REQUIRE(keyPos != std::string::npos, auth.body);
    std::string key = auth.body.substr(keyPos + 7, auth.body.find('"', keyPos + 7) - keyPos - 7);
    auto order = env.sandbox().request("/api/orders/add_ssl_order/?auth_key=" + key,
                                       {{"product_id", "65"},
                                        {"period", "12"},
                                        {"csr", csrPem},
                                        {"server_count", "-1"},
                                        {"webserver_type", "-1"},
                                        {"dcv_method", "email"},
                                        {"approver_email", "admin@shop.example.test"},
                                        {"admin_firstname", "A"},
                                        {"admin_lastname", "B"},
                                        {"admin_phone", "1"},
                                        {"admin_title", "Mr"},
                                        {"admin_email", "a@b.test"},
                                        {"tech_firstname", "A"},
                                        {"tech_lastname", "B"},
                                        {"tech_phone", "1"},
                                        {"tech_title", "Mr"},
                                        {"tech_email", "a@b.test"}});
    auto idPos = order.body.find("\"order_id\":\"");
    BOOST_TEST_REQUIRE(idPos != std::string::npos, order.body);
    std::string id = order.body.substr(idPos + 12, order.body.find('"', idPos + 12) - idPos - 12);

    auto r = env.agent({"install", "shop", "--order-id", id, "--wait", "2m"});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.output);
    BOOST_TEST(env.liveLink() == "../archive/shop/0001");
    BOOST_TEST(env.state()["orderId"] == id);
    BOOST_TEST(env.opensslVerify().exitCode == 0);
}

BOOST_AUTO_TEST_CASE(api_command_redacts_secrets) {
    AgentEnv env;
    env.configure(env.defaultCert());
    BOOST_TEST_REQUIRE(env.agent({"run"}).exitCode == 0);
    auto r = env.agent({"api", "getOrderStatus", "order_id=" + env.state()["orderId"]});
    BOOST_TEST(r.exitCode == 0, r.output);
    BOOST_TEST(r.output.find("\"status\"") != std::string::npos, r.output);
    // The cached auth key (last line of auth.key) never shows in the output.
    std::string cache = readFile(env.store() + "/auth.key");
    std::string key = cache.substr(cache.find_last_of('\n', cache.size() - 2) + 1);
    while (!key.empty() && key.back() == '\n')
        key.pop_back();
    BOOST_TEST(key.size() > 8u);
    BOOST_TEST(r.output.find(key) == std::string::npos, r.output);
    BOOST_TEST(r.output.find(env.sandbox().pass()) == std::string::npos, r.output);
    BOOST_TEST(env.agent({"api", "getOrderStatus", "order_id"}).exitCode == 2);
}

BOOST_AUTO_TEST_CASE(csr_does_not_replace_the_key_of_an_order_in_progress) {
    AgentEnv env(SandboxOptions{}); // no --dcv-connect: the order stays processing
    env.configure(env.defaultCert());
    BOOST_TEST_REQUIRE(env.agent({"run"}).exitCode == 0);
    std::string key = readFile(env.store() + "/pending/shop/privkey.pem");
    auto r = env.agent({"csr", "shop"});
    BOOST_TEST(r.exitCode == 4, r.output);
    BOOST_TEST(readFile(env.store() + "/pending/shop/privkey.pem") == key);
}

BOOST_AUTO_TEST_CASE(api_failures_back_off_across_runs) {
    AgentEnv env;
    env.configure(env.defaultCert());
    env.sandbox().setFault("error_envelope", "", 1);
    auto r1 = env.agent({"run"});
    BOOST_TEST(r1.exitCode == 4, r1.output);
    BOOST_TEST(!env.state()["backoffUntil"].empty());
    env.sandbox().clearCalls();
    auto r2 = env.agent({"run"});
    BOOST_TEST(r2.exitCode == 0, r2.output);
    BOOST_TEST(r2.output.find("backing off") != std::string::npos, r2.output);
    BOOST_TEST(env.sandbox().calls().empty());
}

BOOST_AUTO_TEST_CASE(several_pending_orders_are_polled_in_one_batch_call) {
    AgentEnv env(SandboxOptions{}); // no --dcv-connect: orders stay processing
    env.configure(env.defaultCert());
    writeFile(env.etc() + "/certs.d/blog.conf",
              "domains = blog.example.test\nproduct_id = 65\nwebroot = " + env.webroot() + "\n",
              0644);
    auto r1 = env.agent({"run"});
    BOOST_TEST_REQUIRE(r1.exitCode == 0, r1.output);
    BOOST_TEST(env.state("blog")["phase"] == "validating");
    BOOST_TEST(env.state("shop")["phase"] == "validating");
    env.sandbox().clearCalls();
    auto r2 = env.agent({"run"});
    BOOST_TEST(r2.exitCode == 0, r2.output);
    auto calls = env.sandbox().calls();
    BOOST_TEST(std::count(calls.begin(), calls.end(), "getOrdersStatus") == 1);
    BOOST_TEST(std::count(calls.begin(), calls.end(), "getOrderStatus") == 0);
}

BOOST_AUTO_TEST_CASE(hooks_test_runs_deploy_hooks_and_log_goes_to_a_file) {
    AgentEnv env;
    std::string logFile = env.dir() / "certagent.log";
    env.configure(env.defaultCert(), "[log]\ntarget = file " + logFile + "\nlevel = debug\n");
    BOOST_TEST_REQUIRE(env.agent({"run"}).exitCode == 0);
    std::string seen = env.dir() / "seen";
    writeFile(env.etc() + "/hooks/deploy.d/10-record",
              "#!/bin/sh\necho \"$CERTAGENT_EVENT $CERTAGENT_NAME $RENEWED_LINEAGE\" > " + seen +
                  "\n",
              0755);
    auto r = env.agent({"hooks", "test", "shop"});
    BOOST_TEST(r.exitCode == 0, r.output);
    BOOST_TEST(readFile(seen) == "deploy shop " + env.store() + "/live/shop\n");
    std::string log = readFile(logFile);
    BOOST_TEST(log.find("shop: installed serial") != std::string::npos, log);
    BOOST_TEST(log.find("api getOrderStatus") != std::string::npos, log);
    BOOST_TEST(log.find(env.sandbox().pass()) == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
