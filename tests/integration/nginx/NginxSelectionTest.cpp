// Which block certagent edits, on real nginx with configurations in the shapes people write:
// a block serving names the certificate does not cover is refused; a catch-all TLS block without
// server_name (Mozilla's generator) is the one nginx serves the name from; PROXY protocol
// listeners are probed with a PROXY header; another managed certificate's block is left alone.
#include "NginxFixture.h"
#include "crypto/TlsProbe.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::test;

namespace {

std::string crlf(std::string text) {
    for (size_t pos = 0; (pos = text.find('\n', pos)) != std::string::npos; pos += 2)
        text.replace(pos, 1, "\r\n");
    return text;
}

} // namespace

BOOST_AUTO_TEST_SUITE(NginxSelection)

BOOST_AUTO_TEST_CASE(a_block_also_serving_an_uncovered_name_is_refused_until_it_is_covered) {
    NginxSite site(false);
    const std::string p = std::to_string(site.port);
    const std::string ph = site.dir / "placeholder";
    const bool v6 = ipv6Loopback();
    // CRLF, tabs, a map block, an `if` redirect, quoted paths, several blocks in one file
    const std::string text =
        crlf("map $http_upgrade $connection_upgrade {\n\tdefault upgrade;\n\t''      close;\n}\n"
             "server {\n\tlisten 127.0.0.1:" +
             std::to_string(freePort()) +
             ";\n\tserver_name example.test other.test;\n\tif ($host = example.test) {\n"
             "\t\treturn 301 https://$host$request_uri;\n\t}\n\treturn 404;\n}\n"
             "server {\n\tlisten 127.0.0.1:" +
             p + " ssl;\n" + (v6 ? "\tlisten [::1]:" + p + " ssl;\n" : std::string()) +
             "\tserver_name example.test other.test;\n\tssl_certificate \"" + ph +
             "/fullchain.pem\";\n\tssl_certificate_key \"" + ph +
             "/privkey.pem\";\n\tlocation / { return 200 \"ok\"; }\n}\n");
    writeFile(site.siteFile, text);
    site.nginx.start({site.port});
    site.domains = {"example.test"};
    site.writeVersion(1);
    site.switchLive(1);
    auto refused = site.installer();
    site.expectRefused(*refused, site.target(),
                       "nginx: the server block at " + site.siteFile +
                           ":13 also serves other.test, which the domains of site do not cover; "
                           "add them to its domains, or split the block so that those names get "
                           "their own server block",
                       {"example.test", "other.test"});

    // with both names the block is the certificate's: only its two certificate lines change
    site.domains = {"example.test", "other.test"};
    std::string v2 = site.installVersion(2);
    BOOST_CHECK_EQUAL(site.siteText(), site.repointed(text, "\"" + ph + "/fullchain.pem\"",
                                                      "\"" + ph + "/privkey.pem\""));
    BOOST_CHECK(site.nginxAccepts());
    BOOST_CHECK_EQUAL(site.served("other.test"), v2);
    if (v6)
        BOOST_CHECK_EQUAL(crypto::probeTls("::1", site.port, "other.test").leafSha256, v2);
}

BOOST_AUTO_TEST_CASE(a_catch_all_tls_block_without_server_name_serves_and_is_edited) {
    NginxSite site(false);
    const std::string p = std::to_string(site.port);
    const std::string ph = site.dir / "placeholder";
    const int httpPort = freePort();
    // the shape of Mozilla's SSL configuration generator output (intermediate, nginx 1.22)
    const std::string text =
        "# generated 2024-05-01, Mozilla Guideline v5.7, nginx 1.22.1, OpenSSL 3.0.11, "
        "intermediate configuration\nserver {\n    listen 127.0.0.1:" +
        std::to_string(httpPort) +
        " default_server;\n\n    location / {\n        return 301 https://$host$request_uri;\n"
        "    }\n}\n\nserver {\n    listen 127.0.0.1:" +
        p + " ssl http2;\n\n    ssl_certificate " + ph +
        "/fullchain.pem;\n    ssl_certificate_key " + ph +
        "/privkey.pem;\n    ssl_session_timeout 1d;\n"
        "    ssl_session_cache shared:MozSSL:10m;  # about 40000 sessions\n"
        "    ssl_session_tickets off;\n\n    ssl_protocols TLSv1.2 TLSv1.3;\n"
        "    ssl_prefer_server_ciphers off;\n\n"
        "    add_header Strict-Transport-Security \"max-age=63072000\" always;\n}\n";
    writeFile(site.siteFile, text);
    site.nginx.start({site.port, httpPort});
    std::string v1 = site.writeVersion(1);
    site.switchLive(1);
    auto installer = site.installer();

    const std::string block = site.siteFile + ":10";
    const std::string key = "127.0.0.1:" + p;
    std::vector<core::ServedName> now = installer->inventory();
    BOOST_REQUIRE_EQUAL(now.size(), 1u);
    BOOST_CHECK_EQUAL(now[0].name, "");
    BOOST_CHECK_EQUAL(now[0].address, key);
    BOOST_CHECK_EQUAL(now[0].block, block);
    BOOST_CHECK_EQUAL(now[0].why, "first block of " + key);
    BOOST_CHECK_EQUAL(now[0].certFile, ph + "/fullchain.pem");
    BOOST_CHECK_EQUAL(now[0].keyFile, ph + "/privkey.pem");

    installer->discover(site.target());
    std::vector<core::ServedName> placed = installer->placements();
    BOOST_REQUIRE_EQUAL(placed.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
        BOOST_CHECK_EQUAL(placed[i].name, site.domains[i]);
        BOOST_CHECK_EQUAL(placed[i].address, key);
        BOOST_CHECK_EQUAL(placed[i].block, block);
        BOOST_CHECK_EQUAL(placed[i].why, "first block of " + key);
    }
    core::DeployOutcome out = site.deploy(*installer, v1, site.placeholderSha, 0);
    BOOST_REQUIRE_MESSAGE(out.exitCode == 0, out.error);
    BOOST_CHECK_EQUAL(site.siteText(),
                      site.repointed(text, ph + "/fullchain.pem", ph + "/privkey.pem"));
    BOOST_CHECK(site.nginxAccepts());
    BOOST_CHECK_EQUAL(site.served("www.example.test"), v1);
}

BOOST_AUTO_TEST_CASE(a_proxy_protocol_listener_is_probed_with_a_proxy_header) {
    NginxSite site(false);
    const std::string p = std::to_string(site.port);
    const std::string ph = site.dir / "placeholder";
    const std::string text = "server {\n    listen 127.0.0.1:" + p +
                             " ssl proxy_protocol;\n    server_name example.test "
                             "www.example.test;\n    ssl_certificate " +
                             ph + "/fullchain.pem;\n    ssl_certificate_key " + ph +
                             "/privkey.pem;\n    location / { return 200 \"$proxy_protocol_addr\"; "
                             "}\n}\n";
    writeFile(site.siteFile, text);
    site.nginx.start({site.port});
    BOOST_REQUIRE_EQUAL(site.servedTo("example.test", "", true), site.placeholderSha);
    auto installer = site.installer(std::chrono::milliseconds(3000));
    std::string v1 = site.installVersion(1, installer.get());
    BOOST_CHECK(site.nginxAccepts());
    BOOST_CHECK_EQUAL(site.servedTo("www.example.test", "", true), v1);
}

BOOST_AUTO_TEST_CASE(a_block_of_another_managed_certificate_is_not_taken_over) {
    NginxSite site(false);
    const std::string other = site.store + "/live/other";
    site.issueTo(other);
    writeFile(site.siteFile,
              NginxProcess::tlsServerBlock(site.domains, site.port, other + "/fullchain.pem",
                                           other + "/privkey.pem"));
    site.nginx.start({site.port});
    site.writeVersion(1);
    site.switchLive(1);
    core::DeployTarget target = site.target();
    target.otherLiveDirs = {other, site.store + "/live/third"};
    auto installer = site.installer();
    site.expectRefused(*installer, target,
                       "nginx: " + site.siteFile + ":4: ssl_certificate points at " + other +
                           "/fullchain.pem, the live files of certificate \"other\"; certificate "
                           "\"site\" will not take over its server block at " +
                           site.siteFile +
                           ":1 (give each certificate its own block, or one certificate file for "
                           "both name sets)",
                       {"example.test", "www.example.test"});
}

BOOST_AUTO_TEST_SUITE_END()
