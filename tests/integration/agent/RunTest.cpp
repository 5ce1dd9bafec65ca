#include "AgentEnv.h"
#include "NginxProcess.h"
#include "TestCa.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <map>
#include <sstream>
#include <sys/stat.h>
#include <thread>

using namespace certagent::test;

namespace {

SandboxOptions fetchingThrough(int port, int validityDays = 90) {
    SandboxOptions o;
    o.dcvConnect = "127.0.0.1:" + std::to_string(port);
    o.validityDays = validityDays;
    return o;
}

const std::vector<std::string> kNames = {"shop.example.test", "www.shop.example.test"};

/// path → "size mtime ctime" of every file and directory below `dir` (lstat), for "nothing
/// written".
std::map<std::string, std::string> stampsBelow(const std::string& dir) {
    std::map<std::string, std::string> out;
    auto listing = runCommand({"find", dir, "-printf", "%p %s %T@ %C@\\n"});
    std::istringstream lines(listing.output);
    std::string line;
    while (std::getline(lines, line))
        out[line.substr(0, line.find(' '))] = line;
    return out;
}

unsigned modeOf(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(AgentRun)

BOOST_AUTO_TEST_CASE(new_order_with_http_dcv_through_nginx_then_idle) {
    int port = freePort();
    AgentEnv env(fetchingThrough(port));
    NginxProcess nginx;
    nginx.addHttpSite("shop", kNames, port, env.webroot());
    nginx.start({port});
    env.configure(env.defaultCert());

    auto first = env.agent({"run"});
    BOOST_TEST_REQUIRE(first.exitCode == 0, first.output);
    BOOST_TEST(env.liveLink() == "../archive/shop/0001");
    auto verify = env.opensslVerify();
    BOOST_TEST(verify.exitCode == 0, verify.output);
    BOOST_TEST(verify.output.find(": OK") != std::string::npos, verify.output);
    BOOST_TEST(modeOf(env.store() + "/live/shop/privkey.pem") == 0600u);
    auto st = env.state();
    BOOST_TEST(st["phase"] == "installed");
    BOOST_TEST(st["dcvFiles"] == "0");
    BOOST_TEST(env.dcvFiles().empty());
    BOOST_TEST(!exists(env.store() + "/pending/shop/privkey.pem"));
    BOOST_TEST(modeOf(env.webroot() + "/.well-known/pki-validation") == 0755u);

    std::string cert = env.liveCertText();
    env.sandbox().clearCalls();
    auto second = env.agent({"run"});
    BOOST_TEST(second.exitCode == 0, second.output);
    BOOST_TEST(env.orderCalls().empty());
    BOOST_TEST(env.sandbox().calls().empty(), "an idle run called the API");
    BOOST_TEST(env.liveLink() == "../archive/shop/0001");
    BOOST_TEST(env.liveCertText() == cert);

    // Once the files are older than the racy-stamp window (a run right after a write re-reads
    // them), an idle run of the real binary writes nothing at all: no state, index or lock.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    BOOST_TEST(env.agent({"run"}).exitCode == 0);
    auto before = stampsBelow(env.store());
    auto idle = env.agent({"run"});
    BOOST_TEST(idle.exitCode == 0, idle.output);
    BOOST_TEST((stampsBelow(env.store()) == before), "an idle run wrote to the store");
    BOOST_TEST(readFile(env.store() + "/lock").empty());
}

BOOST_AUTO_TEST_CASE(reissue_within_renew_before_gives_version_two_with_new_key) {
    SandboxOptions o = AgentEnv::autoValidated();
    o.validityDays = 3;
    AgentEnv env(o);
    env.configure(env.defaultCert(), "[renewal]\nbefore = 4d\n");
    auto first = env.agent({"run"});
    BOOST_TEST_REQUIRE(first.exitCode == 0, first.output);
    std::string key1 = readFile(env.store() + "/live/shop/privkey.pem");
    std::string order1 = env.state()["orderId"];

    env.sandbox().clearCalls();
    auto second = env.agent({"run"});
    BOOST_TEST_REQUIRE(second.exitCode == 0, second.output);
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"reissueSSLOrder"});
    BOOST_TEST(env.liveLink() == "../archive/shop/0002");
    BOOST_TEST(readFile(env.store() + "/live/shop/privkey.pem") != key1);
    BOOST_TEST(env.state()["orderId"] == order1);
    BOOST_TEST(env.opensslVerify().exitCode == 0);
}

BOOST_AUTO_TEST_CASE(subscription_end_warns_or_places_a_renew_order) {
    SandboxOptions o = AgentEnv::autoValidated();
    o.validityDays = 3;
    AgentEnv env(o);
    std::string cert = env.defaultCert();
    cert.replace(cert.find("period = 12"), 11, "period = 1"); // the order ends within a month
    env.configure(cert, "[renewal]\nbefore = 4d\n");
    BOOST_TEST_REQUIRE(env.agent({"run"}).exitCode == 0);
    std::string order1 = env.state()["orderId"];

    env.sandbox().clearCalls();
    auto warned = env.agent({"run"});
    BOOST_TEST(warned.exitCode == 4, warned.output);
    BOOST_TEST(warned.output.find("subscription ends") != std::string::npos, warned.output);
    BOOST_TEST(env.orderCalls().empty());
    BOOST_TEST(env.liveLink() == "../archive/shop/0001");

    env.configure(cert + "auto_renew_order = yes\n", "[renewal]\nbefore = 4d\n");
    auto renewed = env.agent({"run"});
    BOOST_TEST(renewed.exitCode == 0, renewed.output);
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"addSSLRenewOrder"});
    BOOST_TEST(env.liveLink() == "../archive/shop/0002");
    BOOST_TEST(env.state()["orderId"] != order1);
}

BOOST_AUTO_TEST_CASE(cron_mode_progresses_across_runs) {
    // The sandbox fetches DCV files from a port where nginx is not running yet: the order stays
    // processing until nginx serves the web root.
    int port = freePort();
    AgentEnv env(fetchingThrough(port));
    env.configure(env.defaultCert());

    auto r1 = env.agent({"run"});
    BOOST_TEST_REQUIRE(r1.exitCode == 0, r1.output);
    auto s1 = env.state();
    BOOST_TEST(s1["phase"] == "validating");
    BOOST_TEST(s1["lastStatus"] == "processing");
    BOOST_TEST(s1["dcvFiles"] == "1");
    BOOST_TEST(env.dcvFiles().size() == 1u);
    BOOST_TEST(modeOf(env.webroot() + "/.well-known/pki-validation/" + env.dcvFiles()[0]) == 0644u);
    BOOST_TEST(exists(env.store() + "/pending/shop/privkey.pem"));
    BOOST_TEST(env.liveLink().empty());

    env.sandbox().clearCalls();
    auto r2 = env.agent({"run"});
    BOOST_TEST_REQUIRE(r2.exitCode == 0, r2.output);
    BOOST_TEST(env.state()["phase"] == "validating");
    BOOST_TEST(env.orderCalls().empty());
    BOOST_TEST(env.liveLink().empty());

    NginxProcess nginx;
    nginx.addHttpSite("shop", kNames, port, env.webroot());
    nginx.start({port});
    auto r3 = env.agent({"run"});
    BOOST_TEST_REQUIRE(r3.exitCode == 0, r3.output);
    BOOST_TEST(env.state()["phase"] == "installed");
    BOOST_TEST(env.liveLink() == "../archive/shop/0001");
    BOOST_TEST(env.dcvFiles().empty());
    BOOST_TEST(!exists(env.store() + "/pending/shop/privkey.pem"));
}

BOOST_AUTO_TEST_CASE(wait_mode_polls_until_issued) {
    SandboxOptions o = AgentEnv::autoValidated();
    o.issueDelaySeconds = 3;
    AgentEnv env(o);
    env.configure(env.defaultCert());
    auto r = env.agent({"run", "--wait", "5m"});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.output);
    BOOST_TEST(env.state()["phase"] == "installed");
    BOOST_TEST(env.opensslVerify().exitCode == 0);
    BOOST_TEST(r.output.find("elapsed, next poll in") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(wait_deadline_exits_3) {
    SandboxOptions o = AgentEnv::autoValidated();
    o.issueDelaySeconds = 3600;
    AgentEnv env(o);
    env.configure(env.defaultCert());
    auto r = env.agent({"run", "--wait", "6s"});
    BOOST_TEST(r.exitCode == 3, r.output);
    BOOST_TEST(env.state()["phase"] == "validating");
    BOOST_TEST(env.liveLink().empty());
}

BOOST_AUTO_TEST_CASE(email_validation_names_the_approver) {
    AgentEnv env;
    env.configure("domains = shop.example.test, www.shop.example.test\nproduct_id = 65\n"
                  "dcv = email\napprover_email = hostmaster@shop.example.test\n");
    auto r = env.agent({"run"});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.output);
    BOOST_TEST(r.output.find("approval e-mail to hostmaster@shop.example.test") !=
                   std::string::npos,
               r.output);
    BOOST_TEST(env.state()["phase"] == "installed");
    BOOST_TEST(env.dcvFiles().empty());
}

BOOST_AUTO_TEST_CASE(dry_run_orders_nothing) {
    AgentEnv env;
    env.configure(env.defaultCert());
    auto r = env.agent({"run", "--dry-run"});
    BOOST_TEST(r.exitCode == 0, r.output);
    BOOST_TEST(env.orderCalls().empty());
    BOOST_TEST(!exists(env.store() + "/pending/shop/privkey.pem"));
    BOOST_TEST(r.output.find("dry run: would place a new order") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(status_json_and_rollback) {
    AgentEnv env;
    env.configure(env.defaultCert());
    BOOST_TEST_REQUIRE(env.agent({"run"}).exitCode == 0);
    BOOST_TEST_REQUIRE(env.agent({"issue", "shop"}).exitCode == 0);
    BOOST_TEST(env.liveLink() == "../archive/shop/0002");
    auto status = env.agent({"status", "--json"});
    BOOST_TEST(status.exitCode == 0, status.output);
    BOOST_TEST(status.output.find("\"version\": 2") != std::string::npos, status.output);
    auto rows = Poco::JSON::Parser().parse(status.output).extract<Poco::JSON::Array::Ptr>();
    BOOST_TEST_REQUIRE(rows->size() == 1u);
    auto row = rows->getObject(0);
    BOOST_TEST(row->getValue<std::string>("name") == "shop");
    BOOST_TEST(row->getArray("domains")->size() == 2u);
    BOOST_TEST(std::to_string(row->getValue<long long>("order_id")) == env.state()["orderId"]);
    BOOST_TEST(row->getValue<std::string>("order_status") == "active");
    BOOST_TEST(row->getValue<std::string>("phase") == "installed");
    BOOST_TEST(row->getValue<std::string>("not_after").size() == 20u); // 2027-...T...Z
    long long days = row->getValue<long long>("days_left");
    BOOST_TEST((days >= 88 && days <= 90), days);
    BOOST_TEST(row->getValue<std::string>("last_error").empty());
    BOOST_TEST(row->getValue<std::string>("next_action").rfind("renew after ", 0) == 0u,
               row->getValue<std::string>("next_action"));
    auto rb = env.agent({"rollback", "shop"});
    BOOST_TEST(rb.exitCode == 0, rb.output);
    BOOST_TEST(env.liveLink() == "../archive/shop/0001");
    auto verify = env.agent({"verify", "shop"});
    BOOST_TEST(verify.exitCode == 0, verify.output);
}

BOOST_AUTO_TEST_CASE(verify_fails_on_a_broken_live_set_and_run_replaces_it) {
    AgentEnv env;
    env.configure(env.defaultCert());
    BOOST_TEST_REQUIRE(env.agent({"run"}).exitCode == 0);
    BOOST_TEST(env.agent({"verify", "shop"}).exitCode == 0);
    // Someone replaces the live key: the pair no longer matches.
    std::string keyPath = env.store() + "/live/shop/privkey.pem";
    ::chmod(keyPath.c_str(), 0600);
    writeFile(keyPath, keyToPem(*makeKey()), 0600);
    auto verify = env.agent({"verify", "shop"});
    BOOST_TEST(verify.exitCode == 4, verify.output);
    BOOST_TEST(verify.output.find("shop: live files FAIL: ") != std::string::npos, verify.output);
    // The next run sees the failing files, orders again and installs a matching set.
    env.sandbox().clearCalls();
    auto run = env.agent({"run"});
    BOOST_TEST(run.exitCode == 0, run.output);
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"reissueSSLOrder"});
    BOOST_TEST(env.liveLink() == "../archive/shop/0002");
    BOOST_TEST(env.agent({"verify", "shop"}).exitCode == 0);
    BOOST_TEST(env.opensslVerify().exitCode == 0);
}

BOOST_AUTO_TEST_SUITE_END()
