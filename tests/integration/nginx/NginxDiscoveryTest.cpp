// Discovery on a real `nginx -T`: several files, globbed includes, wildcard and regex names,
// default_server, IPv6, comments and quoted braces — and the block our selection picks must be
// the one real nginx serves for each SNI name.
#include "NginxFixture.h"
#include "crypto/TlsProbe.h"
#include "plugins/nginx/NginxControl.h"
#include "plugins/nginx/Selection.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::test;
using namespace certagent::plugins::nginx;

namespace {

struct Leaf {
    std::string dir;
    std::string sha;
    std::string directives() const {
        return "    ssl_certificate " + dir + "/fullchain.pem;\n    ssl_certificate_key " + dir +
               "/privkey.pem;\n";
    }
};

struct VariedConfig {
    NginxSite site{false};
    bool v6 = ipv6Loopback();
    int tlsPort = site.port;
    int httpPort = freePort();
    Leaf a, b, c, d;

    VariedConfig() {
        a = leaf("a", {"exact.test"});
        b = leaf("b", {"default.test"});
        c = leaf("c", {"www.wild.test"});
        d = leaf("d", {"re42.test"});
        std::string p = std::to_string(tlsPort);
        ::unlink(site.siteFile.c_str());
        writeFile(site.nginx.prefix() + "/snippets/headers.inc",
                  "add_header X-Test \"a;b{c}\"; # } not a brace\n");
        site.nginx.addServerFile(
            "10-main.conf",
            "# comment with { and ; and \"quotes\"\nserver {\n    listen 127.0.0.1:" + p +
                " ssl;\n" + (v6 ? "    listen [::1]:" + p + " ssl;\n" : std::string()) +
                "    server_name exact.test \"*.wild.test\";\n" + a.directives() + "    include " +
                site.nginx.prefix() +
                "/snippets/*.inc;\n    location / { return 200 \"braces { } and ; inside\"; }\n}\n"
                "server {\n    listen 127.0.0.1:" +
                p + " ssl default_server;\n    server_name _;\n" + b.directives() + "}\n");
        site.nginx.addServerFile(
            "20-more.conf",
            "server { listen 127.0.0.1:" + p + " ssl; server_name www.wild.test 'mail.*';\n" +
                c.directives() + "}\nserver {\n    listen 127.0.0.1:" + std::to_string(httpPort) +
                ";\n    server_name exact.test;\n    root " + site.dir.path() +
                "/www;\n    location /.well-known/ { root " + site.dir.path() +
                "/dcv; }\n}\nserver {\n    listen 127.0.0.1:" + p +
                " ssl;\n    server_name ~^re(?<n>\\d+)\\.test$;\n" + d.directives() + "}\n");
        site.nginx.start({tlsPort, httpPort});
    }

    Leaf leaf(const std::string& name, std::vector<std::string> names) {
        site.domains = std::move(names);
        Leaf l;
        l.dir = site.dir / ("leaf-" + name);
        l.sha = site.writeVersion(0);
        l.dir = site.store + "/archive/site/0000";
        std::string moved = site.dir / ("leaf-" + name);
        BOOST_REQUIRE(::rename(l.dir.c_str(), moved.c_str()) == 0);
        l.dir = moved;
        return l;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(NginxDiscovery)

BOOST_AUTO_TEST_CASE(selection_agrees_with_what_real_nginx_serves) {
    VariedConfig cfg;
    NginxControl control(cfg.site.context());
    Config config = control.loadConfig("discover");
    BOOST_CHECK_EQUAL(config.files.order.size(), 4u); // nginx.conf, 10-main, headers.inc, 20-more
    std::vector<ServerBlock> blocks = serverBlocks(config);
    BOOST_REQUIRE_EQUAL(blocks.size(), 5u);
    BOOST_CHECK_EQUAL(control.pidPath(config), cfg.site.nginx.pidPath());
    BOOST_CHECK_GT(NginxControl::masterPid(control.pidPath(config)), 0);

    const std::vector<std::string> shaOfBlock = {cfg.a.sha, cfg.b.sha, cfg.c.sha, "", cfg.d.sha};
    const std::string v4 = "127.0.0.1:" + std::to_string(cfg.tlsPort);
    for (const std::string host : {"exact.test", "x.wild.test", "a.b.wild.test", "www.wild.test",
                                   "re42.test", "mail.example", "nothing.test"}) {
        std::vector<Selection> picks = selectServers(blocks, host, true);
        auto it = std::find_if(picks.begin(), picks.end(),
                               [&](const Selection& s) { return s.listenKey == v4; });
        BOOST_REQUIRE(it != picks.end());
        BOOST_CHECK_EQUAL(it->byName, host != std::string("nothing.test"));
        std::string served = crypto::probeTls("127.0.0.1", cfg.tlsPort, host).leafSha256;
        BOOST_CHECK_MESSAGE(served == shaOfBlock.at(it->block),
                            host << ": nginx serves another block than block " << it->block);
        if (cfg.v6) {
            auto six = std::find_if(picks.begin(), picks.end(), [&](const Selection& s) {
                return s.listenKey == "[::1]:" + std::to_string(cfg.tlsPort);
            });
            BOOST_REQUIRE(six != picks.end());
            BOOST_CHECK_EQUAL(six->block, 0u);
            BOOST_CHECK_EQUAL(crypto::probeTls("::1", cfg.tlsPort, host).leafSha256, cfg.a.sha);
        }
    }
}

BOOST_AUTO_TEST_CASE(webroot_auto_is_the_location_root_of_the_plain_http_block) {
    VariedConfig cfg;
    auto installer = cfg.site.installer();
    BOOST_CHECK_EQUAL(installer->webrootFor("exact.test").value_or("(none)"),
                      cfg.site.dir.path() + "/dcv");
    BOOST_CHECK(!installer->webrootFor("unknown.test"));
}

BOOST_AUTO_TEST_CASE(deploy_edits_only_the_blocks_serving_the_names_including_ipv6) {
    VariedConfig cfg;
    const std::string more = readFile(cfg.site.nginx.prefix() + "/conf.d/20-more.conf");
    cfg.site.domains = {"exact.test", "*.wild.test"};
    std::string v1 = cfg.site.writeVersion(1);
    cfg.site.switchLive(1);
    auto installer = cfg.site.installer();
    installer->discover(cfg.site.target());
    core::DeployOutcome out = cfg.site.deploy(*installer, v1, cfg.a.sha, 0);
    BOOST_REQUIRE_MESSAGE(out.exitCode == 0, out.error);
    BOOST_CHECK_EQUAL(crypto::probeTls("127.0.0.1", cfg.tlsPort, "exact.test").leafSha256, v1);
    BOOST_CHECK_EQUAL(crypto::probeTls("127.0.0.1", cfg.tlsPort, "www.wild.test").leafSha256,
                      cfg.c.sha);
    BOOST_CHECK_EQUAL(crypto::probeTls("127.0.0.1", cfg.tlsPort, "nothing.test").leafSha256,
                      cfg.b.sha);
    if (cfg.v6)
        BOOST_CHECK_EQUAL(crypto::probeTls("::1", cfg.tlsPort, "x.wild.test").leafSha256, v1);
    BOOST_CHECK_EQUAL(readFile(cfg.site.nginx.prefix() + "/conf.d/20-more.conf"), more);
    std::string main = readFile(cfg.site.nginx.prefix() + "/conf.d/10-main.conf");
    BOOST_CHECK(main.find("braces { } and ; inside") != std::string::npos);
    BOOST_CHECK(main.find(cfg.b.dir + "/fullchain.pem") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
