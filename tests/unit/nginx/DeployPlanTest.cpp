// Planning a deploy on configuration text: which blocks, which pair, snippet policy, refusals
// (whole messages) and the probes — with the conffile list and key types as seams.
#include "plugins/nginx/DeployPlan.h"

#include "TestCa.h"
#include "TestEnv.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <map>
#include <set>

using namespace certagent;
using namespace certagent::plugins::nginx;

namespace {

const std::string kMain = "/etc/n/nginx.conf";
const std::string kLive = "/var/lib/certagent/live/shop/";

struct Fixture {
    DumpFiles files;
    std::set<std::string> conffiles;
    std::map<std::string, std::string> families; ///< certificate path -> key family
    core::DeployTarget target{"shop",    {"a.test"}, kLive + "fullchain.pem", kLive + "privkey.pem",
                              "ec-p256", {}};
    Config config;
    std::vector<ServerBlock> blocks;

    /// `http` goes into http{} of the main file; `more` are further files (path, text).
    void load(const std::string& http,
              const std::vector<std::pair<std::string, std::string>>& more = {}) {
        files = DumpFiles{};
        files.order.push_back(kMain);
        files.contents[kMain] = "events {}\nhttp {\n" + http + "}\n";
        for (const auto& [path, text] : more) {
            files.order.push_back(path);
            files.contents[path] = text;
        }
        config = buildConfig(files);
        blocks = serverBlocks(config);
    }
    DeployPlan plan() {
        PlanSeams seams{[this](const std::string& p) { return conffiles.count(p) > 0; },
                        [this](const std::string& p) {
                            auto it = families.find(p);
                            if (it == families.end())
                                throw ConfigError("cannot read " + p);
                            return it->second;
                        }};
        return planDeploy(config, blocks, target, seams);
    }
    std::string refusal() {
        try {
            plan();
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "(accepted)";
    }
    /// The text of `file` after the plan's edits.
    std::string after(const DeployPlan& p, const std::string& file) {
        std::vector<Edit> edits;
        for (const Edit& e : p.edits)
            if (e.file == file)
                edits.push_back(e);
        return applyEdits(files.contents.at(file), edits);
    }
};

std::vector<std::string> probes(const DeployPlan& plan) {
    std::vector<std::string> out;
    for (const Endpoint& e : plan.endpoints)
        out.push_back(e.host + ":" + std::to_string(e.port) + " " + e.sni +
                      (e.options.proxyProtocol ? " proxy" : "") +
                      (e.options.keyType.empty() ? "" : " " + e.options.keyType));
    return out;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(NginxDeployPlan, Fixture)

BOOST_AUTO_TEST_CASE(a_block_serving_uncovered_names_is_refused) {
    load("server { listen 127.0.0.1:443 ssl; server_name a.test b.test ~^c\\d+;\n"
         "  ssl_certificate /old/c.pem; ssl_certificate_key /old/c.key; }\n");
    BOOST_CHECK_EQUAL(refusal(),
                      "nginx: the server block at /etc/n/nginx.conf:3 also serves b.test, ~^c\\d+ "
                      "(a regular expression), which the domains of shop do not cover; add them "
                      "to its domains, or split the block so that those names get their own "
                      "server block");
    target.domains = {"a.test", "b.test"};
    BOOST_CHECK_NE(refusal().find("also serves ~^c\\d+ (a regular expression),"),
                   std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_name_of_the_edited_block_is_probed_where_it_lands) {
    load("server { listen 127.0.0.1:443 ssl proxy_protocol; server_name a.test www.a.test"
         " *.w.a.test; }\n"
         "server { listen 127.0.0.1:443 ssl; server_name exact.w.a.test; }\n"
         "server { listen 127.0.0.1:80; server_name a.test; }\n");
    target.domains = {"a.test", "*.a.test", "*.w.a.test"};
    using V = std::vector<std::string>;
    BOOST_CHECK(
        probes(plan()) ==
        (V{"127.0.0.1:443 a.test proxy", "127.0.0.1:443 certagent-probe.a.test proxy",
           "127.0.0.1:443 certagent-probe.w.a.test proxy", "127.0.0.1:443 www.a.test proxy"}));
}

BOOST_AUTO_TEST_CASE(a_name_no_block_lists_goes_to_the_default_server) {
    // Mozilla's generator output: one TLS block without server_name, tabs
    const std::string tls = "server {\n\tlisten 127.0.0.1:443 ssl;\n\tlisten [::1]:443 ssl;\n"
                            "\tssl_certificate /old/c.pem;\n\tssl_certificate_key /old/c.key;\n}\n";
    load("server { listen 80 default_server; return 301 https://$host$request_uri; }\n" + tls);
    DeployPlan p = plan();
    BOOST_CHECK(p.blocks == std::vector<size_t>{1});
    std::string edited = files.contents[kMain];
    edited.replace(edited.find("/old/c.pem"), 10, kLive + "fullchain.pem");
    edited.replace(edited.find("/old/c.key"), 10, kLive + "privkey.pem");
    BOOST_CHECK_EQUAL(after(p, kMain), edited);
    BOOST_CHECK(probes(p) == (std::vector<std::string>{"127.0.0.1:443 a.test", "::1:443 a.test"}));
}

BOOST_AUTO_TEST_CASE(a_default_server_serving_other_names_or_rejecting_is_not_taken) {
    load("server { listen 127.0.0.1:443 ssl default_server; server_name other.test; }\n"
         "server { listen 127.0.0.1:8443 ssl default_server; ssl_reject_handshake on; }\n");
    BOOST_CHECK_EQUAL(refusal(),
                      "nginx: no TLS server block in /etc/n/nginx.conf (and its includes) serves "
                      "a.test (the default server of 127.0.0.1:443 (/etc/n/nginx.conf:3) serves "
                      "other names); add one, e.g.: server { listen 443 ssl; server_name a.test; "
                      "ssl_certificate " +
                          kLive + "fullchain.pem; ssl_certificate_key " + kLive +
                          "privkey.pem; ... }");
}

BOOST_AUTO_TEST_CASE(of_two_pairs_only_the_one_of_the_key_type_is_replaced) {
    load("server { listen 127.0.0.1:443 ssl; server_name a.test;\n"
         "  ssl_certificate /c/rsa.pem; ssl_certificate_key /c/rsa.key;\n"
         "  ssl_certificate ec.pem; ssl_certificate_key /c/ec.key; }\n");
    families = {{"/c/rsa.pem", "rsa"}, {"/etc/n/ec.pem", "ec"}};
    DeployPlan p = plan();
    std::string edited = files.contents[kMain];
    edited.replace(edited.find("ec.pem"), 6, kLive + "fullchain.pem");
    edited.replace(edited.find("/c/ec.key"), 9, kLive + "privkey.pem");
    BOOST_CHECK_EQUAL(after(p, kMain), edited);
    BOOST_CHECK(probes(p) == std::vector<std::string>{"127.0.0.1:443 a.test ec-p256"});
    BOOST_CHECK_EQUAL(p.endpoints.at(0).keyTypeAsFound, "ec-p256"); // two pairs before, too

    target.keyType = "rsa-2048";
    BOOST_CHECK_NE(after(plan(), kMain)
                       .find("ssl_certificate " + kLive +
                             "fullchain.pem; "
                             "ssl_certificate_key " +
                             kLive + "privkey.pem;\n  ssl_certificate ec.pem;"),
                   std::string::npos);
    target.keyType = "";
    BOOST_CHECK_EQUAL(refusal(), "nginx: the server block at /etc/n/nginx.conf:3 has 2 "
                                 "certificates (one per key type) and the key type of shop is "
                                 "unknown; cannot tell which one to replace");
    target.keyType = "ec-p384";
    families.erase("/etc/n/ec.pem");
    BOOST_CHECK_EQUAL(refusal(), "nginx: /etc/n/nginx.conf:5: cannot read /etc/n/ec.pem; the "
                                 "server block at /etc/n/nginx.conf:3 has 2 certificates (one per "
                                 "key type) and certagent replaces only the one of its key type");
    families["/etc/n/ec.pem"] = "rsa";
    BOOST_CHECK_EQUAL(refusal(), "nginx: the server block at /etc/n/nginx.conf:3 has 2 "
                                 "certificates (one per key type), none of them ec like shop "
                                 "(key = ec-p384); replace one by hand or change key");
    target.keyType = "rsa-4096";
    BOOST_CHECK_EQUAL(refusal(), "nginx: the server block at /etc/n/nginx.conf:3 has 2 "
                                 "certificates (one per key type), and those at "
                                 "/etc/n/nginx.conf:4 and /etc/n/nginx.conf:5 are both rsa; keep "
                                 "one per key type");
}

BOOST_AUTO_TEST_CASE(a_pair_of_another_managed_certificate_is_never_repointed) {
    load("server { listen 127.0.0.1:443 ssl; server_name a.test;\n"
         "  ssl_certificate /var/lib/certagent/live/other/fullchain.pem;\n"
         "  ssl_certificate_key /var/lib/certagent/live/other/privkey.pem; }\n");
    target.otherLiveDirs = {"/var/lib/certagent/live/other"};
    BOOST_CHECK_EQUAL(refusal(),
                      "nginx: /etc/n/nginx.conf:4: ssl_certificate points at "
                      "/var/lib/certagent/live/other/fullchain.pem, the live files of certificate "
                      "\"other\"; certificate \"shop\" will not take over its server block at "
                      "/etc/n/nginx.conf:3 (give each certificate its own block, or one "
                      "certificate file for both name sets)");
    target.otherLiveDirs = {"/var/lib/certagent/live/oth"};
    BOOST_CHECK_NO_THROW(plan());
}

BOOST_AUTO_TEST_CASE(a_snippet_is_edited_only_when_every_including_block_is_edited) {
    const std::string snippet = "/etc/n/snippets/tls.conf";
    const std::string text =
        "# shared\nssl_certificate /old/c.pem;\nssl_certificate_key /old/c.key;\n";
    load("server {\n    listen 127.0.0.1:443 ssl;\n    server_name a.test;\n"
         "    include snippets/tls.conf; # the cert\n    root /srv;\n}\n"
         "server { listen 127.0.0.1:443 ssl; server_name www.a.test; include " +
             snippet + "; }\n",
         {{snippet, text}});
    target.domains = {"a.test", "www.a.test"};
    DeployPlan both = plan();
    BOOST_CHECK_EQUAL(both.edits.size(), 2u);
    BOOST_CHECK_EQUAL(after(both, snippet), "# shared\nssl_certificate " + kLive +
                                                "fullchain.pem;\nssl_certificate_key " + kLive +
                                                "privkey.pem;\n");
    BOOST_CHECK(probes(both) ==
                (std::vector<std::string>{"127.0.0.1:443 a.test", "127.0.0.1:443 www.a.test"}));

    // one including block serves a name the certificate does not cover: override in ours
    target.domains = {"a.test"};
    DeployPlan one = plan();
    BOOST_CHECK_EQUAL(after(one, snippet), text);
    BOOST_CHECK_NE(after(one, kMain)
                       .find("    include snippets/tls.conf; # the cert\n"
                             "    ssl_certificate " +
                             kLive + "fullchain.pem;\n    ssl_certificate_key " + kLive +
                             "privkey.pem;\n    root /srv;\n"),
                   std::string::npos);
    BOOST_CHECK(probes(one) == std::vector<std::string>{"127.0.0.1:443 a.test ec-p256"});
    // restored, the block has the snippet's pair alone: a rollback probe offers every type
    BOOST_CHECK_EQUAL(one.endpoints.at(0).keyTypeAsFound, "");

    // a package's conffile is never edited, even when only covered blocks include it
    target.domains = {"a.test", "www.a.test"};
    conffiles.insert(snippet);
    DeployPlan package = plan();
    BOOST_CHECK_EQUAL(after(package, snippet), text);
    BOOST_CHECK_EQUAL(package.edits.size(), 2u); // one override per block
    BOOST_CHECK_NE(after(package, kMain)
                       .find("include " + snippet + "; ssl_certificate " + kLive +
                             "fullchain.pem; ssl_certificate_key " + kLive + "privkey.pem; }"),
                   std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_snippet_read_outside_server_blocks_is_not_edited) {
    const std::string snippet = "/etc/n/tls.conf";
    load("include tls.conf;\nserver { listen 127.0.0.1:443 ssl; server_name a.test;\n"
         "include tls.conf; }\n",
         {{snippet, "ssl_certificate /old/c.pem; ssl_certificate_key /old/c.key;"}});
    DeployPlan p = plan();
    BOOST_CHECK_EQUAL(after(p, snippet), files.contents[snippet]);
    BOOST_CHECK_NE(after(p, kMain).find("\ninclude tls.conf; ssl_certificate " + kLive),
                   std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_pair_split_between_block_and_shared_snippet_is_refused) {
    const std::string snippet = "/etc/n/cert.conf";
    load("server { listen 127.0.0.1:443 ssl; server_name a.test;\n  include cert.conf;\n"
         "  ssl_certificate_key /old/c.key; }\n"
         "server { listen 127.0.0.1:443 ssl; server_name b.test; include cert.conf;"
         " ssl_certificate_key /old/b.key; }\n",
         {{snippet, "ssl_certificate /old/c.pem;\n"}});
    BOOST_CHECK_EQUAL(refusal(), "nginx: the certificate pair of the server block at "
                                 "/etc/n/nginx.conf:3 is split between /etc/n/cert.conf:1 and "
                                 "/etc/n/nginx.conf:5, and /etc/n/cert.conf is shared or a "
                                 "package's file, so certagent overrides it in the block; put "
                                 "ssl_certificate and ssl_certificate_key in one place");
}

BOOST_AUTO_TEST_CASE(key_types_are_read_from_the_certificate_files_nginx_loads) {
    using namespace certagent::test;
    TempDir dir;
    TestCa ca = TestCa::makeRoot("pairs root", KeyKind::Rsa2048);
    CertSpec spec;
    spec.names = {"a.test"};
    writeFile(dir / "ec.pem",
              "some text before\n" + toPem(*ca.issue(*makeKey(), spec)) + ca.certPem());
    writeFile(dir / "rsa.pem", toPem(*ca.issue(*makeKey(KeyKind::Rsa2048), spec)));
    writeFile(dir / "junk.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    BOOST_CHECK_EQUAL(certificateKeyFamily(dir / "ec.pem"), "ec");
    BOOST_CHECK_EQUAL(certificateKeyFamily(dir / "rsa.pem"), "rsa");
    BOOST_CHECK_THROW(certificateKeyFamily(dir / "junk.pem"), ConfigError);
    try {
        certificateKeyFamily(dir / "missing.pem");
        BOOST_FAIL("a missing file was read");
    } catch (const ConfigError& e) {
        BOOST_CHECK_EQUAL(std::string(e.what()).rfind(
                              "cannot read " + dir / "missing.pem" + " to tell its key type (", 0),
                          0u);
    }
    BOOST_CHECK_EQUAL(keyFamilyOf("ec-p384"), "ec");
    BOOST_CHECK_EQUAL(keyFamilyOf("rsa-4096"), "rsa");
    BOOST_CHECK_EQUAL(keyFamilyOf(""), "");
}

BOOST_AUTO_TEST_SUITE_END()
