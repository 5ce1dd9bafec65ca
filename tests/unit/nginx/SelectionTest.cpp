// nginx's server selection on listen sockets, the reasons reported for it, name coverage, and the
// placements/inventory built from them — on configuration text, without a server.
#include "plugins/nginx/Selection.h"

#include "plugins/nginx/Coverage.h"
#include "plugins/nginx/Inventory.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::plugins::nginx;

namespace {

Config configOf(const std::string& http) {
    DumpFiles files;
    files.order = {"/etc/n/nginx.conf"};
    files.contents["/etc/n/nginx.conf"] = "events {}\nhttp {\n" + http + "}\n";
    return buildConfig(files);
}

std::string whyOn(const std::vector<ServerBlock>& blocks, const std::string& key,
                  const std::string& host) {
    for (const Selection& s : selectServers(blocks, host, true))
        if (s.listenKey == key)
            return std::to_string(s.block) + " " + s.why();
    return "(no socket " + key + ")";
}

} // namespace

BOOST_AUTO_TEST_SUITE(NginxSelection)

BOOST_AUTO_TEST_CASE(listen_sockets_are_compared_as_nginx_binds_them) {
    Config config = configOf("server { listen 443 ssl; }\n"
                             "server { listen 0.0.0.0:443; listen [::]:443 ssl; }\n"
                             "server { listen *:443 proxy_protocol; listen [0:0::1]:443 ssl; }\n"
                             "server { listen [::1]:443 default_server; listen 127.0.0.1:443; }\n");
    std::vector<ServerBlock> blocks = serverBlocks(config);
    std::vector<ListenGroup> groups = listenGroups(blocks);
    BOOST_REQUIRE_EQUAL(groups.size(), 4u);
    BOOST_CHECK_EQUAL(groups[0].key(), "*:443");
    BOOST_CHECK((groups[0].blocks == std::vector<size_t>{0, 1, 2}));
    BOOST_CHECK(groups[0].socket.ssl && groups[0].socket.proxyProtocol); // merged over listens
    BOOST_CHECK_EQUAL(groups[1].key(), "[::]:443");
    BOOST_CHECK_EQUAL(groups[2].key(), "[::1]:443");
    BOOST_CHECK((groups[2].blocks == std::vector<size_t>{2, 3}));
    BOOST_CHECK(groups[2].explicitDefault);
    BOOST_CHECK_EQUAL(groups[2].defaultBlock, 3u);
    BOOST_CHECK_EQUAL(groups[3].key(), "127.0.0.1:443");
    BOOST_CHECK(!groups[3].socket.ssl);
}

BOOST_AUTO_TEST_CASE(each_rule_says_why_it_picked_the_block) {
    Config config =
        configOf("server { listen 8443 ssl; server_name ~^www\\. ~^(?<n>.+)\\.re\\.test$; }\n"
                 "server { listen 8443 ssl; server_name *.example.com mail.*; }\n"
                 "server { listen 8443 ssl; server_name a.example.com .dot.test; }\n"
                 "server { listen 8443 ssl; server_name *.b.example.com a.example.com; }\n"
                 "server { listen 127.0.0.1:8443 ssl default_server; server_name x.test; }\n");
    std::vector<ServerBlock> blocks = serverBlocks(config);
    BOOST_CHECK_EQUAL(whyOn(blocks, "*:8443", "a.example.com"), "2 exact name");
    BOOST_CHECK_EQUAL(whyOn(blocks, "*:8443", "x.b.example.com"), "3 wildcard *.b.example.com");
    BOOST_CHECK_EQUAL(whyOn(blocks, "*:8443", "x.example.com"), "1 wildcard *.example.com");
    BOOST_CHECK_EQUAL(whyOn(blocks, "*:8443", "mail.test"), "1 wildcard mail.*");
    BOOST_CHECK_EQUAL(whyOn(blocks, "*:8443", "dot.test"), "2 exact name");
    BOOST_CHECK_EQUAL(whyOn(blocks, "*:8443", "a.dot.test"), "2 wildcard .dot.test");
    BOOST_CHECK_EQUAL(whyOn(blocks, "*:8443", "www.re.test"), "0 regex ~^www\\.");
    BOOST_CHECK_EQUAL(whyOn(blocks, "*:8443", "q.re.test"), "0 regex ~^(?<n>.+)\\.re\\.test$");
    BOOST_CHECK_EQUAL(whyOn(blocks, "*:8443", "other.test"), "0 first block of *:8443");
    BOOST_CHECK_EQUAL(whyOn(blocks, "127.0.0.1:8443", "a.example.com"),
                      "4 default server of 127.0.0.1:8443");
}

BOOST_AUTO_TEST_CASE(samples_stand_for_what_a_server_name_matches) {
    using V = std::vector<std::string>;
    BOOST_CHECK(sampleHosts("a.test") == V{"a.test"});
    BOOST_CHECK(sampleHosts("*.a.test") == V{"certagent-probe.a.test"});
    BOOST_CHECK(sampleHosts(".a.test") == (V{"a.test", "certagent-probe.a.test"}));
    BOOST_CHECK(sampleHosts("mail.*") == V{"mail.certagent-probe"});
    BOOST_CHECK(sampleHosts("~^a").empty());
    BOOST_CHECK(sampleHosts("").empty());
    BOOST_CHECK_EQUAL(hostForDomain("*.Shop.test"), "certagent-probe.shop.test");
    BOOST_CHECK_EQUAL(hostForDomain("Shop.test"), "shop.test");
}

BOOST_AUTO_TEST_CASE(coverage_names_what_the_certificate_would_not_cover) {
    using V = std::vector<std::string>;
    const V domains{"a.example", "*.b.example", "B.example"};
    BOOST_CHECK(
        uncoveredNames({"a.example", "", "_", "x.b.example", "b.example"}, domains).empty());
    BOOST_CHECK(uncoveredNames({"*.b.example", ".b.example"}, domains).empty());
    BOOST_CHECK(uncoveredNames(
                    {"c.example", "x.y.b.example", "*.a.example", ".a.example", "mail.*", "~^a"},
                    domains) == (V{"c.example", "x.y.b.example", "*.a.example", ".a.example",
                                   "mail.* (a trailing wildcard)", "~^a (a regular expression)"}));
}

BOOST_AUTO_TEST_CASE(placements_and_inventory_name_block_reason_and_files) {
    Config config =
        configOf("ssl_certificate certs/http.pem; ssl_certificate_key certs/http.key;\n"
                 "server { listen 127.0.0.1:443 ssl; server_name a.test *.w.test a.test ~^r; }\n"
                 "server { listen 127.0.0.1:443 ssl default_server; server_name _;\n"
                 "  ssl_certificate /c/d.pem; ssl_certificate_key /c/d.key;\n"
                 "  ssl_certificate /c/d-rsa.pem; ssl_certificate_key /c/d-rsa.key; }\n"
                 "server { listen [::]:443 ssl; server_name a.test; ssl_certificate /c/b.pem;"
                 " ssl_certificate_key /c/b.key; }\n"
                 "server { listen 80; server_name plain.test; }\n");
    std::vector<ServerBlock> blocks = serverBlocks(config);
    auto line = [](const core::ServedName& s) {
        return s.name + " @" + s.address + " " + s.block + " (" + s.why + ") " + s.certFile + " " +
               s.keyFile;
    };
    std::vector<std::string> placed;
    for (const core::ServedName& s : placementsOf(config, blocks, {"a.test", "*.w.test"}))
        placed.push_back(line(s));
    const std::string f = "/etc/n/nginx.conf:";
    const std::string http = " /etc/n/certs/http.pem /etc/n/certs/http.key";
    const std::vector<std::string> expectPlaced{
        "a.test @127.0.0.1:443 " + f + "4 (exact name)" + http,
        "a.test @[::]:443 " + f + "8 (exact name) /c/b.pem /c/b.key",
        "*.w.test @127.0.0.1:443 " + f + "4 (wildcard *.w.test)" + http,
        "*.w.test @[::]:443 " + f + "8 (first block of [::]:443) /c/b.pem /c/b.key"};
    BOOST_CHECK_EQUAL_COLLECTIONS(placed.begin(), placed.end(), expectPlaced.begin(),
                                  expectPlaced.end());

    std::vector<std::string> all;
    for (const core::ServedName& s : inventoryOf(config, blocks))
        all.push_back(line(s));
    const std::vector<std::string> expectAll{
        "a.test @127.0.0.1:443 " + f + "4 (exact name)" + http,
        "*.w.test @127.0.0.1:443 " + f + "4 (wildcard *.w.test)" + http,
        "~^r @127.0.0.1:443 " + f + "4 (regex ~^r)" + http,
        " @127.0.0.1:443 " + f + "5 (default server of 127.0.0.1:443) /c/d.pem /c/d.key",
        "a.test @[::]:443 " + f + "8 (exact name) /c/b.pem /c/b.key",
        " @[::]:443 " + f + "8 (first block of [::]:443) /c/b.pem /c/b.key"};
    BOOST_CHECK_EQUAL_COLLECTIONS(all.begin(), all.end(), expectAll.begin(), expectAll.end());
}

BOOST_AUTO_TEST_SUITE_END()
