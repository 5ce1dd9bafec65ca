// The real binary against pebble in the CA's harder settings: dns-01 for an apex and its wildcard
// (two TXT values at one name) through a dns.d hook, External Account Binding, half the nonces
// rejected, alternate chains to different roots.

#include "AcmeEnv.h"
#include "TestCa.h"

#include <boost/test/unit_test.hpp>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <sys/stat.h>
#include <unistd.h>

using namespace certagent;
using namespace certagent::test;

namespace {

const char* const kEabKid = "kid-1";
const char* const kEabKey = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";

/// A dns.d hook keeping the TXT values of each name in a file and mirroring them into
/// challtestsrv (clear, then add each); it logs "ACTION TYPE NAME COUNT" after each call.
void writeDnsHook(AcmeEnv& env) {
    std::string hooks = env.etc() + "/hooks";
    ::mkdir(hooks.c_str(), 0755);
    ::mkdir((hooks + "/dns.d").c_str(), 0755);
    std::string records = env.dir() / "txt";
    ::mkdir(records.c_str(), 0755);
    std::string api = env.pebble().challSrvUrl();
    std::string script =
        "#!/bin/sh\nset -eu\n[ \"$CERTAGENT_EVENT\" = dns ] || exit 0\n"
        "name=$CERTAGENT_DNS_NAME\nvalue=$CERTAGENT_DNS_TARGET\n"
        "file='" +
        records +
        "'/$name\ntouch \"$file\"\n"
        "case $CERTAGENT_DNS_ACTION in\n"
        "add) echo \"$value\" >> \"$file\" ;;\n"
        "remove) grep -vxF -e \"$value\" \"$file\" > \"$file.new\" || true; mv \"$file.new\" "
        "\"$file\" ;;\n"
        "esac\n"
        "curl -sf -d \"{\\\"host\\\":\\\"$name.\\\"}\" " +
        api +
        "/clear-txt\n"
        "while read -r v; do curl -sf -d "
        "\"{\\\"host\\\":\\\"$name.\\\",\\\"value\\\":\\\"$v\\\"}\" " +
        api +
        "/set-txt; done < \"$file\"\n"
        "echo \"$CERTAGENT_DNS_ACTION $CERTAGENT_DNS_TYPE $name $(wc -l < \"$file\")\" >> '" +
        (env.dir() / "dns.log") + "'\n";
    writeFile(hooks + "/dns.d/10-challtestsrv", script, 0755);
}

std::string rootCommonName(const std::string& path) {
    auto cert = certFromPem(readFile(path));
    char cn[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
    return cn;
}

/// `openssl verify` of the live set against `root`.
bool verifiesAgainst(AcmeEnv& env, const std::string& root) {
    std::string live = env.store() + "/live/shop";
    return runCommand({"/usr/bin/openssl", "verify", "-CAfile", root, "-untrusted",
                       live + "/chain.pem", live + "/cert.pem"})
               .exitCode == 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(AcmeCases)

BOOST_AUTO_TEST_CASE(dns01_apex_and_wildcard_have_both_values_at_once_and_removed_after) {
    AcmeEnv env;
    env.configure();
    writeDnsHook(env);
    env.cert("shop", "domains = shop.example.test, *.shop.example.test\ndcv = dns\n");

    auto run = env.agent({"--log-level", "debug", "run", "--wait", "2m"});
    BOOST_TEST_REQUIRE(run.exitCode == 0, run.output + env.pebble().log());
    std::string name = "_acme-challenge.shop.example.test";
    BOOST_TEST(readFile(env.dir() / "dns.log") == "add TXT " + name + " 1\nadd TXT " + name +
                                                      " 2\nremove TXT " + name + " 1\nremove TXT " +
                                                      name + " 0\n",
               run.output);
    // Both values were in place before the CA was told to look.
    auto lastAdd = run.output.rfind("dns record added through hooks");
    auto firstAnswer = run.output.find("acme challenge:");
    BOOST_TEST(
        (lastAdd != std::string::npos && firstAnswer != std::string::npos && lastAdd < firstAnswer),
        run.output);
    BOOST_TEST(env.state()["dnsRecords"] == "0");
    BOOST_TEST(readFile(env.dir() / ("txt/" + name)).empty());
    BOOST_TEST(env.state()["phase"] == "installed");
}

BOOST_AUTO_TEST_CASE(eab_is_required_before_any_post_and_its_key_is_never_shown) {
    AcmeEnvOptions options;
    options.pebble.eabRequired = true;
    options.pebble.eabKeys = {{kEabKid, kEabKey}};
    AcmeEnv env(options);
    env.configure();
    env.cert("shop", env.httpCert({"shop.example.test"}));

    auto refused = env.agent({"run"});
    BOOST_TEST(refused.exitCode == 2, refused.output);
    BOOST_TEST(contains(refused.output, "requires External Account Binding"), refused.output);
    BOOST_TEST(env.pebble().requestCount("POST ") == 0u);
    BOOST_TEST(env.accountFiles().empty());

    std::string keyFile = env.etc() + "/eab.key";
    writeFile(keyFile, std::string(kEabKey) + "\n", 0640);
    env.configure("[acme-eab]\ndirectory = " + env.pebble().directoryUrl() + "\nca_file = " +
                  env.pebble().listenerCaPath() + "\nagree_tos = yes\neab_kid = " + kEabKid +
                  "\neab_hmac_file = " + keyFile + "\n");
    env.cert("shop", env.httpCert({"shop.example.test"}, "backend = acme-eab\n"));
    auto loose = env.agent({"run"});
    BOOST_TEST(loose.exitCode == 2, loose.output);
    BOOST_TEST(contains(loose.output, "eab.key: must be mode 0600 or stricter (is 0640)"),
               loose.output);

    ::chmod(keyFile.c_str(), 0600);
    auto issued = env.agent({"--log-level", "debug", "run", "--wait", "2m"});
    BOOST_TEST_REQUIRE(issued.exitCode == 0, issued.output);
    auto account = env.agent({"acme", "account", "--ca", "eab"});
    BOOST_TEST(account.exitCode == 0, account.output);
    BOOST_TEST(contains(account.output, "external account binding kid-1"), account.output);
    std::string everything = refused.output + loose.output + issued.output + account.output +
                             readFile(env.store() + "/state/shop.json");
    for (const std::string& line : env.accountFiles())
        if (contains(line, "account.json"))
            everything += readFile(line.substr(0, line.rfind(' ')));
    BOOST_TEST(!contains(everything, kEabKey));
    BOOST_TEST(!contains(everything, std::string(kEabKey).substr(0, 16)));
}

BOOST_AUTO_TEST_CASE(half_the_nonces_rejected_still_issues_ten_of_ten) {
    AcmeEnvOptions options;
    options.pebble.env = {"PEBBLE_WFE_NONCEREJECT=50"};
    AcmeEnv env(options);
    env.configure();
    for (int i = 0; i < 10; ++i)
        env.cert("n" + std::to_string(i),
                 env.httpCert({"n" + std::to_string(i) + ".example.test"}));

    auto run = env.agent({"--log-level", "debug", "run", "--wait", "2m"});
    BOOST_TEST(run.exitCode == 0, run.output);
    for (int i = 0; i < 10; ++i)
        BOOST_TEST(env.state("n" + std::to_string(i))["phase"] == "installed", i);
    BOOST_TEST(contains(run.output, "badNonce"), run.output);
}

BOOST_AUTO_TEST_CASE(alternate_chains_follow_the_trusted_root_and_preferred_chain) {
    AcmeEnvOptions options;
    options.pebble.env = {"PEBBLE_ALTERNATE_ROOTS=1", "PEBBLE_CHAIN_LENGTH=2"};
    AcmeEnv env(options);
    std::string root0 = env.pebble().rootPath(0);
    std::string root1 = env.pebble().rootPath(1);
    env.cert("shop", env.httpCert({"shop.example.test"}));

    env.configure("[trust]\nca_file = " + root1 + "\n");
    auto alternate = env.agent({"issue", "shop", "--wait", "2m"});
    BOOST_TEST_REQUIRE(alternate.exitCode == 0, alternate.output);
    BOOST_TEST(verifiesAgainst(env, root1));
    BOOST_TEST(!verifiesAgainst(env, root0));

    env.configure("[trust]\nca_file = " + root0 + "\n");
    auto standard = env.agent({"issue", "shop", "--wait", "2m"});
    BOOST_TEST_REQUIRE(standard.exitCode == 0, standard.output);
    BOOST_TEST(verifiesAgainst(env, root0));
    BOOST_TEST(!verifiesAgainst(env, root1));

    // Both roots trusted: the default chain, unless preferred_chain names the other root.
    std::string both = env.dir() / "both-roots.pem";
    writeFile(both, readFile(root0) + readFile(root1));
    env.configure("[trust]\nca_file = " + both + "\n");
    std::string config = readFile(env.etc() + "/certagent.conf");
    writeFile(env.etc() + "/certagent.conf",
              config.replace(config.find("agree_tos = yes\n"), 16,
                             "agree_tos = yes\npreferred_chain = " + rootCommonName(root1) + "\n"));
    auto preferred = env.agent({"issue", "shop", "--wait", "2m"});
    BOOST_TEST_REQUIRE(preferred.exitCode == 0, preferred.output);
    BOOST_TEST(verifiesAgainst(env, root1));
    BOOST_TEST(!verifiesAgainst(env, root0));
}

BOOST_AUTO_TEST_CASE(acme_register_creates_once_then_finds_the_account_by_its_key) {
    AcmeEnv env;
    env.configure();
    auto none = env.agent({"acme", "account"});
    BOOST_TEST(none.exitCode == 0, none.output);
    BOOST_TEST(contains(none.output, "no account at " + env.pebble().directoryUrl() + " yet"),
               none.output);
    auto unknown = env.agent({"acme", "register", "--ca", "nosuch"});
    BOOST_TEST(unknown.exitCode == 2, unknown.output);
    BOOST_TEST(contains(unknown.output, "acme: no [acme-nosuch] section in "), unknown.output);

    auto created = env.agent({"acme", "register"});
    BOOST_TEST_REQUIRE(created.exitCode == 0, created.output);
    BOOST_TEST(created.output.rfind("created account https://127.0.0.1:", 0) == 0, created.output);
    std::string url = created.output.substr(8, created.output.find(": valid") - 8);
    for (const std::string& line : env.accountFiles())
        BOOST_TEST((contains(line, " 0600") || contains(line, " 0700")), line);

    auto again = env.agent({"acme", "register"});
    BOOST_TEST(again.exitCode == 0, again.output);
    BOOST_TEST(again.output.rfind("found " + url + ": valid\n", 0) == 0, again.output);
    BOOST_TEST(env.pebble().requestCount("POST /sign-me-up") == 2u); // the second one only looks

    // The record lost, the key kept: the first order finds the same account by its key.
    for (const std::string& line : env.accountFiles())
        if (contains(line, "account.json"))
            ::unlink(line.substr(0, line.rfind(' ')).c_str());
    env.cert("shop", env.httpCert({"shop.example.test"}));
    auto run = env.agent({"run", "--wait", "2m"});
    BOOST_TEST_REQUIRE(run.exitCode == 0, run.output);
    auto account = env.agent({"acme", "account"});
    BOOST_TEST(contains(account.output, url + ": valid"), account.output);
    BOOST_TEST(env.pebble().requestCount("POST /sign-me-up") == 3u);
}

BOOST_AUTO_TEST_CASE(install_order_url_adopts_an_order_of_the_ca_and_refuses_others) {
    AcmeEnv env;
    env.configure();
    env.cert("shop", env.httpCert({"shop.example.test"}));
    const std::size_t before = env.pebble().requestCount(); // the fixture's look at /dir
    auto offOrigin = env.agent({"install", "shop", "--order-url", "https://ca.invalid/order/1"});
    BOOST_TEST(offOrigin.exitCode == 2, offOrigin.output);
    BOOST_TEST(contains(offOrigin.output,
                        "install: --order-url https://ca.invalid/order/1 is not on "
                        "the CA's origin https://127.0.0.1:"),
               offOrigin.output);
    BOOST_TEST(env.pebble().requestCount() == before); // refused before anything was sent
    BOOST_TEST(env.state().empty());
    auto plain = env.agent({"install", "shop", "--order-url", "http://127.0.0.1/order/1"});
    BOOST_TEST(plain.exitCode == 2, plain.output);
    BOOST_TEST(contains(plain.output, "install: --order-url: expected an https:// URL of the CA"),
               plain.output);
    auto numeric = env.agent({"install", "shop", "--order-id", "7"});
    BOOST_TEST(numeric.exitCode == 2, numeric.output);
    BOOST_TEST(contains(numeric.output, "install: --order-id is for backend = gogetssl; shop uses "
                                        "acme (use --order-url URL)"),
               numeric.output);

    // An order placed and left (a pipeline's first step), then adopted by URL and deployed.
    auto placed = env.agent({"issue", "shop"});
    BOOST_TEST_REQUIRE(placed.exitCode == 0, placed.output);
    std::string url = env.state()["orderRef"];
    BOOST_TEST_REQUIRE(url.rfind("https://127.0.0.1:", 0) == 0u, url);
    auto adopted = env.agent({"install", "shop", "--order-url", url, "--wait", "2m"});
    BOOST_TEST(adopted.exitCode == 0, adopted.output);
    BOOST_TEST(env.state()["phase"] == "installed");
    BOOST_TEST(!env.liveCert().empty());
    BOOST_TEST(env.pebble().requestCount("POST /order-plz") == 1u); // no second order
}

BOOST_AUTO_TEST_SUITE_END()
