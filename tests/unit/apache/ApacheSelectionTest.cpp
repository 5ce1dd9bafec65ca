// Apache's vhost selection, against what a real apache2 2.4 answered for this very dump (each
// vhost had its own DocumentRoot; requests with each Host header went to each address).
#include "plugins/apache/Selection.h"

#include <boost/test/unit_test.hpp>

using namespace certagent::plugins::apache;

namespace {

const char* kDump = "VirtualHost configuration:\n"
                    "127.0.0.3:18482        is a NameVirtualHost\n"
                    "         default server three.test (/tmp/apx/apache2.conf:37)\n"
                    "         port 18482 namevhost three.test (/tmp/apx/apache2.conf:37)\n"
                    "         port 18482 namevhost three-b.test (/tmp/apx/apache2.conf:41)\n"
                    "                 wild alias *.three.test\n"
                    "127.0.0.2:*            noport.test (/tmp/apx/apache2.conf:29)\n"
                    "127.0.0.2:18481        ipport.test (/tmp/apx/apache2.conf:33)\n"
                    "*:*                    anyport.test (/tmp/apx/apache2.conf:17)\n"
                    "*:18481                is a NameVirtualHost\n"
                    "         default server star.test (/tmp/apx/apache2.conf:21)\n"
                    "         port 18481 namevhost star.test (/tmp/apx/apache2.conf:21)\n"
                    "         port 18481 namevhost star2.test (/tmp/apx/apache2.conf:25)\n";

std::string chosen(const ServerDump& dump, const std::string& ip, int port,
                   const std::string& name) {
    Choice c = choose(dump.chains, ip, port, name);
    return c.vhost ? c.vhost->name + " (" + c.why + ")" : "main server";
}

} // namespace

BOOST_AUTO_TEST_SUITE(ApacheSelection)

BOOST_AUTO_TEST_CASE(chooses_what_apache_served) {
    ServerDump dump = parseDump(kDump);
    BOOST_TEST(chosen(dump, "127.0.0.1", 18481, "x.test") == "star.test (first vhost of *:18481)");
    BOOST_TEST(chosen(dump, "127.0.0.1", 18481, "STAR2.test") == "star2.test (ServerName)");
    // *:* is another chain: a name there is not looked at for a connection to *:18481.
    BOOST_TEST(chosen(dump, "127.0.0.1", 18481, "anyport.test") ==
               "star.test (first vhost of *:18481)");
    BOOST_TEST(chosen(dump, "127.0.0.1", 18482, "x.test") == "anyport.test (only vhost of *:*)");
    // An IP with the exact port before the same IP with any port.
    BOOST_TEST(chosen(dump, "127.0.0.2", 18481, "star.test") ==
               "ipport.test (only vhost of 127.0.0.2:18481)");
    BOOST_TEST(chosen(dump, "127.0.0.2", 18482, "x.test") ==
               "noport.test (only vhost of 127.0.0.2:*)");
    BOOST_TEST(chosen(dump, "127.0.0.3", 18482, "x.test") ==
               "three.test (first vhost of 127.0.0.3:18482)");
    BOOST_TEST(chosen(dump, "127.0.0.3", 18482, "a.Three.test") ==
               "three-b.test (ServerAlias *.three.test)");
    BOOST_TEST(chosen(dump, "127.0.0.3", 18481, "x.test") == "star.test (first vhost of *:18481)");
    BOOST_TEST(chosen(parseDump("127.0.0.1:443 a.test (/a.conf:1)\n"), "127.0.0.1", 80, "a.test") ==
               "main server");
}

BOOST_AUTO_TEST_CASE(wildcards_match_like_ap_strcasecmp_match) {
    BOOST_TEST(wildcardMatch("*.example.com", "www.Example.COM"));
    BOOST_TEST(wildcardMatch("*.example.com", "a.b.example.com")); // * spans dots
    BOOST_TEST(!wildcardMatch("*.example.com", "example.com"));
    BOOST_TEST(wildcardMatch("www?.example.com", "www1.example.com"));
    BOOST_TEST(!wildcardMatch("www?.example.com", "www.example.com"));
    BOOST_TEST(wildcardMatch("*", "anything"));
    BOOST_TEST(wildcardMatch("a*b*c", "aXXbYYc"));
    BOOST_TEST(!wildcardMatch("a*b*c", "aXXbYY"));
    BOOST_TEST(*matchName("shop.test", {"www.shop.test"}, {"*.cdn.test"}, "img.cdn.test") ==
               "ServerAlias *.cdn.test");
    BOOST_TEST(!matchName("", {}, {}, "shop.test").has_value());
    BOOST_TEST(canonicalIp("::0001") == "::1");
    BOOST_TEST(canonicalIp("localhost") == "localhost");
}

BOOST_AUTO_TEST_SUITE_END()
