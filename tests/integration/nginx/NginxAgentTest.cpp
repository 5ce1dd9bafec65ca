// The real certagent binary with `installer = nginx` against the sandbox and a private nginx:
// a new certificate replaces the placeholder in the TLS block and is served; the next run is idle.
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

BOOST_AUTO_TEST_SUITE_END()
