// The nginx installer end to end through core::deploy() against a real nginx: first install,
// renewal without a config edit, and the rollback faults of hostile-inputs.md "Local faults".
#include "NginxFixture.h"
#include "crypto/TlsProbe.h"
#include "util/Error.h"

#include <Poco/File.h>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <sys/stat.h>
#include <thread>

using namespace certagent;
using namespace certagent::test;
using std::chrono::milliseconds;

namespace {

mode_t modeOf(const std::string& path) {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return st.st_mode & 07777;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(NginxDeploy)

BOOST_AUTO_TEST_CASE(installs_then_renews_without_touching_the_config) {
    NginxSite site;
    ::chmod(site.siteFile.c_str(), 0640);
    BOOST_REQUIRE(::chown(site.siteFile.c_str(), 65534, 65534) == 0);
    const std::string original = site.siteText();
    BOOST_REQUIRE_EQUAL(site.served(), site.placeholderSha);

    std::string v1 = site.writeVersion(1);
    site.switchLive(1);
    auto installer = site.installer();
    installer->discover(site.target());
    core::DeployOutcome first = site.deploy(*installer, v1, site.placeholderSha, 0);
    BOOST_REQUIRE_MESSAGE(first.exitCode == 0, first.error);
    BOOST_CHECK(first.changed);
    BOOST_CHECK_EQUAL(site.served(), v1);
    BOOST_CHECK_EQUAL(site.served("www.example.test"), v1);
    BOOST_CHECK(site.opensslVerifies("example.test"));
    const std::string edited = site.siteText();
    BOOST_CHECK(contains(edited, "ssl_certificate " + site.store + "/live/site/fullchain.pem;"));
    BOOST_CHECK(contains(edited, "ssl_certificate_key " + site.store + "/live/site/privkey.pem;"));
    BOOST_CHECK_EQUAL(modeOf(site.siteFile), 0640u);
    struct stat st {};
    BOOST_CHECK(::stat(site.siteFile.c_str(), &st) == 0 && st.st_uid == 65534 &&
                st.st_gid == 65534);
    // the backup holds the original bytes at the file's path, with a manifest
    std::vector<std::string> stamps;
    Poco::File(site.store + "/backup/nginx").list(stamps);
    BOOST_REQUIRE_EQUAL(stamps.size(), 1u);
    std::string backupDir = site.store + "/backup/nginx/" + stamps[0];
    BOOST_CHECK_EQUAL(readFile(backupDir + site.siteFile), original);
    BOOST_CHECK(contains(readFile(backupDir + "/manifest.json"), site.siteFile));

    // renewal: a new version behind the same live paths; no config edit, new leaf served
    std::string v2 = site.writeVersion(2);
    site.switchLive(2);
    auto renewal = site.installer();
    renewal->discover(site.target());
    core::DeployOutcome second = site.deploy(*renewal, v2, v1, 1);
    BOOST_REQUIRE_MESSAGE(second.exitCode == 0, second.error);
    BOOST_CHECK(!second.changed);
    BOOST_CHECK_EQUAL(site.siteText(), edited);
    BOOST_CHECK_EQUAL(site.served(), v2);
    BOOST_CHECK(site.opensslVerifies("www.example.test"));
}

BOOST_AUTO_TEST_CASE(a_symlinked_site_file_is_edited_at_its_target) {
    NginxSite site(/*start=*/false);
    const std::string real = site.nginx.prefix() + "/sites-available/site.conf";
    writeFile(real, site.siteText());
    ::unlink(site.siteFile.c_str());
    BOOST_REQUIRE(::symlink(real.c_str(), site.siteFile.c_str()) == 0);
    site.nginx.start({site.port});
    std::string v1 = site.writeVersion(1);
    site.switchLive(1);
    auto installer = site.installer();
    installer->discover(site.target());
    core::DeployOutcome out = site.deploy(*installer, v1, site.placeholderSha, 0);
    BOOST_REQUIRE_MESSAGE(out.exitCode == 0, out.error);
    struct stat st {};
    BOOST_CHECK(::lstat(site.siteFile.c_str(), &st) == 0 && S_ISLNK(st.st_mode));
    BOOST_CHECK(contains(readFile(real), site.store + "/live/site/fullchain.pem"));
    BOOST_CHECK_EQUAL(site.served(), v1);
}

BOOST_AUTO_TEST_CASE(a_block_inheriting_its_certificate_gets_its_own_directives) {
    NginxSite site(/*start=*/false);
    // the certificate comes from http{} level; the server block has none of its own
    site.nginx.addServerFile("00-http.conf", "ssl_certificate " +
                                                 site.dir / "placeholder/fullchain.pem" +
                                                 ";\nssl_certificate_key " +
                                                 site.dir / "placeholder/privkey.pem" + ";\n");
    writeFile(site.siteFile, "server {\n    listen 127.0.0.1:" + std::to_string(site.port) +
                                 " ssl;\n    server_name example.test www.example.test;\n}\n");
    site.nginx.start({site.port});
    BOOST_REQUIRE_EQUAL(site.served(), site.placeholderSha);
    std::string v1 = site.writeVersion(1);
    site.switchLive(1);
    auto installer = site.installer();
    installer->discover(site.target());
    core::DeployOutcome out = site.deploy(*installer, v1, site.placeholderSha, 0);
    BOOST_REQUIRE_MESSAGE(out.exitCode == 0, out.error);
    BOOST_CHECK_EQUAL(
        site.siteText(),
        "server {\n    ssl_certificate " + site.store +
            "/live/site/fullchain.pem;\n    ssl_certificate_key " + site.store +
            "/live/site/privkey.pem;\n    listen 127.0.0.1:" + std::to_string(site.port) +
            " ssl;\n    server_name example.test www.example.test;\n}\n");
    BOOST_CHECK_EQUAL(site.served("www.example.test"), v1);
}

BOOST_AUTO_TEST_CASE(mismatched_key_fails_the_config_test_and_rolls_back) {
    NginxSite site;
    const std::string original = site.siteText();
    std::string v1 = site.writeVersion(1, /*wrongKey=*/true);
    site.switchLive(1);
    auto installer = site.installer();
    installer->discover(site.target());
    core::DeployOutcome out = site.deploy(*installer, v1, site.placeholderSha, 0);
    BOOST_CHECK_EQUAL(out.exitCode, 5);
    BOOST_CHECK_MESSAGE(contains(out.error, "nginx test:"), out.error);
    BOOST_CHECK_EQUAL(site.siteText(), original);
    BOOST_CHECK_EQUAL(site.served(), site.placeholderSha);
}

BOOST_AUTO_TEST_CASE(config_broken_after_apply_is_restored) {
    NginxSite site;
    const std::string original = site.siteText();
    std::string v1 = site.writeVersion(1);
    site.switchLive(1);
    site.runner.before("-t", [&] { writeFile(site.siteFile, site.siteText() + "\nbroken {\n"); });
    auto installer = site.installer();
    installer->discover(site.target());
    core::DeployOutcome out = site.deploy(*installer, v1, site.placeholderSha, 0);
    BOOST_CHECK_EQUAL(out.exitCode, 5);
    BOOST_CHECK_MESSAGE(contains(out.error, "nginx test:") && contains(out.error, "site.conf:"),
                        out.error);
    BOOST_CHECK_EQUAL(site.siteText(), original);
    BOOST_CHECK_EQUAL(site.served(), site.placeholderSha);
    BOOST_CHECK(site.nginx.isRunning());
}

BOOST_AUTO_TEST_CASE(probe_catches_another_block_winning_and_rolls_back) {
    NginxSite site;
    const std::string original = site.siteText();
    std::string v1 = site.writeVersion(1);
    site.switchLive(1);
    // between the config test and the reload, an earlier block claims the same names
    site.runner.before("reload", [&] {
        site.nginx.addServerFile(
            "00-intruder.conf", NginxProcess::tlsServerBlock(site.domains, site.port,
                                                             site.dir / "placeholder/fullchain.pem",
                                                             site.dir / "placeholder/privkey.pem"));
    });
    auto installer = site.installer(milliseconds(2000));
    installer->discover(site.target());
    core::DeployOutcome out = site.deploy(*installer, v1, site.placeholderSha, 0);
    BOOST_CHECK_EQUAL(out.exitCode, 5);
    BOOST_CHECK_MESSAGE(contains(out.error, "nginx probe: 127.0.0.1:"), out.error);
    BOOST_CHECK_EQUAL(site.siteText(), original);
    BOOST_CHECK_EQUAL(site.served(), site.placeholderSha);
}

BOOST_AUTO_TEST_CASE(stopped_nginx_is_reported_and_nothing_changes) {
    NginxSite site(/*start=*/false);
    const std::string original = site.siteText();
    site.writeVersion(1);
    site.switchLive(1);
    auto installer = site.installer();
    try {
        installer->discover(site.target());
        BOOST_FAIL("discover accepted a stopped nginx");
    } catch (const InstallError& e) {
        BOOST_CHECK_MESSAGE(contains(e.what(), "nginx is not running (no live master process"),
                            e.what());
    }
    BOOST_CHECK_EQUAL(site.siteText(), original);
    BOOST_CHECK(!exists(site.store + "/backup"));
    BOOST_CHECK(!site.nginx.isRunning());
    for (const std::string& call : site.runner.calls)
        BOOST_CHECK_MESSAGE(!contains(call + " ", " -s ") && !contains(call, "systemctl"), call);
}

BOOST_AUTO_TEST_CASE(a_config_nginx_rejects_stops_discovery_before_anything_changes) {
    NginxSite site;
    site.nginx.addServerFile("zz-broken.conf",
                             "server { listen 127.0.0.1:1 ssl; bogus_directive; }\n");
    const std::string original = site.siteText();
    site.writeVersion(1);
    site.switchLive(1);
    auto installer = site.installer();
    try {
        installer->discover(site.target());
        BOOST_FAIL("discover accepted a configuration nginx rejects");
    } catch (const InstallError& e) {
        BOOST_CHECK_MESSAGE(contains(e.what(), "nginx discover: nginx -T") &&
                                contains(e.what(), "bogus_directive"),
                            e.what());
    }
    BOOST_CHECK_EQUAL(site.siteText(), original);
    BOOST_CHECK(!exists(site.store + "/backup"));
    BOOST_CHECK_EQUAL(site.served(), site.placeholderSha);
}

BOOST_AUTO_TEST_CASE(name_without_tls_block_is_a_config_error_showing_the_block) {
    NginxSite site;
    auto installer = site.installer();
    core::DeployTarget target = site.target();
    target.domains = {"other.test"};
    try {
        installer->discover(target);
        BOOST_FAIL("discover accepted a name nobody serves");
    } catch (const ConfigError& e) {
        std::string what = e.what();
        BOOST_CHECK_MESSAGE(contains(what, "serves other.test") &&
                                contains(what, "server { listen 443 ssl; server_name other.test; "
                                               "ssl_certificate " +
                                                   target.fullchainPath),
                            what);
    }
}

BOOST_AUTO_TEST_CASE(handshakes_never_fail_during_a_deploy) {
    NginxSite site;
    std::string v1 = site.writeVersion(1);
    site.switchLive(1);
    std::atomic<bool> done{false};
    int attempts = 0, failures = 0;
    std::string lastError;
    std::thread client([&] {
        for (; attempts < 5000 && (!done || attempts < 20); ++attempts) {
            crypto::ProbeResult r = crypto::probeTls("127.0.0.1", site.port, "example.test");
            if (!r.connected || r.leafSha256.empty()) {
                ++failures;
                lastError = r.error;
            }
        }
    });
    auto installer = site.installer();
    installer->discover(site.target());
    core::DeployOutcome out = site.deploy(*installer, v1, site.placeholderSha, 0);
    std::string v2 = site.writeVersion(2);
    site.switchLive(2);
    auto renewal = site.installer();
    renewal->discover(site.target());
    core::DeployOutcome again = site.deploy(*renewal, v2, v1, 1);
    done = true;
    client.join();
    BOOST_CHECK_EQUAL(out.exitCode, 0);
    BOOST_CHECK_EQUAL(again.exitCode, 0);
    BOOST_TEST_MESSAGE("handshakes during deploy: " << attempts);
    BOOST_CHECK_GE(attempts, 20);
    BOOST_CHECK_MESSAGE(failures == 0, failures << " failed handshakes, last: " << lastError);
}

BOOST_AUTO_TEST_SUITE_END()
