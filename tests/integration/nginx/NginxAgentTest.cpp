// The real certagent binary with `installer = nginx` against the sandbox and a private nginx:
// a new certificate replaces the placeholder in the TLS block and is served; the next run is idle;
// a server found serving something else on the daily check is reported and redeployed.
#include "AgentEnv.h"
#include "NginxProcess.h"
#include "TestCa.h"
#include "crypto/TlsProbe.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::test;

BOOST_AUTO_TEST_SUITE(NginxAgent)

BOOST_AUTO_TEST_CASE(run_installs_into_nginx_and_the_next_run_is_idle) {
    AgentEnv env;
    const std::vector<std::string> names{"shop.example.test", "www.shop.example.test"};
    TestCa ca = TestCa::makeRoot("placeholder root");
    crypto::EvpPkeyPtr key = makeKey();
    CertSpec spec;
    spec.names = names;
    writeFile(env.dir() / "placeholder.pem", toPem(*ca.issue(*key, spec)));
    writeFile(env.dir() / "placeholder.key", keyToPem(*key), 0600);
    NginxProcess nginx;
    int port = freePort();
    std::string site = nginx.addServerFile(
        "shop.conf", NginxProcess::tlsServerBlock(names, port, env.dir() / "placeholder.pem",
                                                  env.dir() / "placeholder.key"));
    nginx.start({port});
    env.configure(
        "domains = shop.example.test, www.shop.example.test\nproduct_id = 65\nperiod = 12\n"
        "dcv = http\nwebroot = " +
            env.webroot() + "\ninstaller = nginx\n",
        "[nginx]\nbinary = " + NginxProcess::binary() + "\nconfig = " + nginx.configPath() +
            "\nreload = signal\n");

    auto first = env.agent({"run"});
    BOOST_TEST_REQUIRE(first.exitCode == 0, first.output);
    BOOST_TEST(env.state()["phase"] == "installed");
    std::string live = readFile(env.store() + "/live/shop/cert.pem");
    std::string expected = sha256Fingerprint(*certFromPem(live));
    for (const std::string& name : names)
        BOOST_TEST(crypto::probeTls("127.0.0.1", port, name).leafSha256 == expected);
    std::string edited = readFile(site);
    BOOST_TEST(edited.find(env.store() + "/live/shop/fullchain.pem") != std::string::npos);
    auto verify = runCommand({"/usr/bin/openssl", "s_client", "-connect",
                              "127.0.0.1:" + std::to_string(port), "-servername", names[0],
                              "-verify_return_error", "-CAfile", env.sandbox().issuingRootPath()},
                             {}, 60);
    BOOST_TEST(verify.exitCode == 0, verify.output);

    auto second = env.agent({"run"});
    BOOST_TEST(second.exitCode == 0, second.output);
    BOOST_TEST(readFile(site) == edited);
    BOOST_TEST(crypto::probeTls("127.0.0.1", port, names[0]).leafSha256 == expected);
}

BOOST_AUTO_TEST_CASE(drift_found_on_the_daily_check_is_reported_and_redeployed) {
    AgentEnv env;
    const std::vector<std::string> names{"shop.example.test"};
    TestCa ca = TestCa::makeRoot("placeholder root");
    crypto::EvpPkeyPtr key = makeKey();
    CertSpec spec;
    spec.names = names;
    const std::string placeholderPem = env.dir() / "placeholder.pem";
    const std::string placeholderKey = env.dir() / "placeholder.key";
    writeFile(placeholderPem, toPem(*ca.issue(*key, spec)));
    writeFile(placeholderKey, keyToPem(*key), 0600);
    NginxProcess nginx;
    int port = freePort();
    std::string site = nginx.addServerFile(
        "shop.conf", NginxProcess::tlsServerBlock(names, port, placeholderPem, placeholderKey));
    nginx.start({port});
    const std::string metrics = env.dir() / "certagent.prom";
    env.configure("domains = shop.example.test\nproduct_id = 65\nperiod = 12\ndcv = http\n"
                  "webroot = " +
                      env.webroot() + "\ninstaller = nginx\n",
                  "[nginx]\nbinary = " + NginxProcess::binary() +
                      "\nconfig = " + nginx.configPath() +
                      "\nreload = signal\n[metrics]\ntextfile = " + metrics + "\n");
    auto first = env.agent({"run"});
    BOOST_TEST_REQUIRE(first.exitCode == 0, first.output);
    const std::string installed = readFile(site);
    const std::string live =
        sha256Fingerprint(*certFromPem(readFile(env.store() + "/live/shop/cert.pem")));
    BOOST_TEST(crypto::probeTls("127.0.0.1", port, names[0]).leafSha256 == live);

    // The daily check of a server that serves the live certificate: the metric says so.
    env.ageDailyCheck();
    auto daily = env.agent({"run"});
    BOOST_TEST_REQUIRE(daily.exitCode == 0, daily.output);
    BOOST_TEST(readFile(metrics).find("certagent_cert_served_matches_live{name=\"shop\"} 1") !=
                   std::string::npos,
               readFile(metrics));

    // An admin points the block back at the old files and reloads: nothing tells certagent.
    writeFile(site, NginxProcess::tlsServerBlock(names, port, placeholderPem, placeholderKey));
    nginx.reload();
    BOOST_TEST(servedOnceChanged(port, names[0], live) != live);
    auto idle = env.agent({"run"}); // not the daily slice: no probe, nothing noticed yet
    BOOST_TEST(idle.exitCode == 0, idle.output);
    BOOST_TEST(env.state()["servedOther"].empty());

    env.ageDailyCheck();
    auto found = env.agent({"run"});
    BOOST_TEST(found.exitCode == 0, found.output);
    BOOST_TEST(found.output.find("nginx does not serve the live certificate") != std::string::npos,
               found.output);
    BOOST_TEST(!env.state()["servedOther"].empty());
    BOOST_TEST(readFile(metrics).find("certagent_cert_served_matches_live{name=\"shop\"} 0") !=
                   std::string::npos,
               readFile(metrics));
    auto status = env.agent({"status", "--json"});
    BOOST_TEST(status.output.find("\"served_matches_live\": false") != std::string::npos,
               status.output);
    BOOST_TEST(status.output.find("deploy again") != std::string::npos, status.output);
    BOOST_TEST(crypto::probeTls("127.0.0.1", port, names[0]).leafSha256 != live); // not yet

    // The next run deploys the live version again: test, reload, probe.
    auto redeploy = env.agent({"run"});
    BOOST_TEST(redeploy.exitCode == 0, redeploy.output);
    BOOST_TEST(crypto::probeTls("127.0.0.1", port, names[0]).leafSha256 == live);
    BOOST_TEST(readFile(site) == installed);
    BOOST_TEST(env.state()["servedOther"].empty());
    BOOST_TEST(env.orderCalls().size() == 1u); // no new order: the live version was deployed
}

BOOST_AUTO_TEST_SUITE_END()
