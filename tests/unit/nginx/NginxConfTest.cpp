// The nginx tokenizer, dump splitting, include expansion and server selection on -T-style text.
#include "plugins/nginx/NginxConf.h"

#include "plugins/nginx/ConfigFiles.h"
#include "plugins/nginx/NginxControl.h"
#include "plugins/nginx/Selection.h"
#include "plugins/nginx/ServerBlocks.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <map>

using namespace certagent;
using namespace certagent::plugins::nginx;

namespace {

std::string dump(const std::vector<std::pair<std::string, std::string>>& files) {
    std::string out = "nginx: [warn] something harmless\n";
    for (const auto& [path, text] : files)
        out += "# configuration file " + path + ":\n" + text + "\n";
    return out;
}

const char* const kMain = "user root;\npid /run/t.pid;\nevents {}\nhttp {\n"
                          "    include conf.d/*.conf;\n    include /etc/t/extra.conf;\n}\n";

const char* const kSites = "# a comment with { braces } and ; semicolons\n"
                           "server {\n"
                           "    listen 127.0.0.1:8443 ssl http2;\n"
                           "    server_name example.com \"www.example.com\";\n"
                           "    ssl_certificate /old/cert.pem; # trailing comment }\n"
                           "    ssl_certificate_key '/old/key.pem';\n"
                           "    location / { return 200 \"a { b ; c } \\\" d\"; }\n"
                           "}\n"
                           "server {\n"
                           "    listen 127.0.0.1:8443 ssl default_server;\n"
                           "    server_name *.example.com;\n"
                           "    set $x \"${host}x\";\n"
                           "}\n"
                           "server {\n"
                           "    listen [::1]:8443 ssl;\n"
                           "    server_name ~^(?<sub>.+)\\.regex\\.test$ mail.*;\n"
                           "}\n";

const char* const kExtra = "server {\n    listen 8080;\n    server_name example.com;\n"
                           "    root /srv/www;\n}\n"
                           "server { listen 127.0.0.1:8443 ssl; server_name .dot.test; }\n";

Config sample() {
    return buildConfig(splitDump(dump({{"/etc/t/nginx.conf", kMain},
                                       {"/etc/t/conf.d/a.conf", kSites},
                                       {"/etc/t/conf.d/.hidden.conf", "garbage {"},
                                       {"/etc/t/extra.conf", kExtra}}),
                                 nullptr));
}

/// Records argv lines and answers from a table (first matching prefix), exit 0 otherwise.
class FakeRunner : public CommandRunner {
  public:
    SubprocessResult run(const std::vector<std::string>& argv, const SubprocessOptions&) override {
        std::string line;
        for (const std::string& a : argv)
            line += (line.empty() ? "" : " ") + a;
        calls.push_back(line);
        SubprocessResult r;
        r.exitCode = 0;
        for (const auto& [prefix, reply] : replies)
            if (line.rfind(prefix, 0) == 0)
                return reply;
        return r;
    }
    std::vector<std::string> calls;
    std::map<std::string, SubprocessResult> replies;
};

SubprocessResult reply(int code, const std::string& output) {
    SubprocessResult r;
    r.exitCode = code;
    r.output = output;
    return r;
}

std::vector<std::string> reloadCalls(const std::string& mode, FakeRunner& runner) {
    core::InstallerContext context{
        "/store", {"/usr/sbin/nginx", "/etc/nginx/nginx.conf", mode}, runner};
    NginxControl(context).reload(4242, "reload");
    return runner.calls;
}

} // namespace

BOOST_AUTO_TEST_SUITE(NginxConf)

BOOST_AUTO_TEST_CASE(reload_uses_systemd_only_when_it_runs_this_master) {
    using V = std::vector<std::string>;
    const std::string signal = "/usr/sbin/nginx -s reload -c /etc/nginx/nginx.conf";
    {
        FakeRunner r;
        BOOST_CHECK(reloadCalls("systemd", r) == V({"systemctl reload nginx"}));
    }
    {
        FakeRunner r;
        BOOST_CHECK(reloadCalls("signal", r) == V({signal}));
    }
    {
        FakeRunner r;
        r.replies["systemctl show"] = reply(0, "4242\n");
        BOOST_CHECK(reloadCalls("auto", r) == V({"systemctl is-active --quiet nginx",
                                                 "systemctl show --property=MainPID --value nginx",
                                                 "systemctl reload nginx"}));
    }
    {
        FakeRunner r;
        r.replies["systemctl show"] = reply(0, "999\n");
        BOOST_CHECK(reloadCalls("auto", r).back() == signal);
    }
    {
        FakeRunner r;
        r.replies["systemctl is-active"] = reply(3, "");
        BOOST_CHECK(reloadCalls("auto", r) == V({"systemctl is-active --quiet nginx", signal}));
    }
    {
        FakeRunner r;
        r.replies["/usr/sbin/nginx -s"] = reply(1, "nginx: [error] invalid PID number\n");
        try {
            reloadCalls("signal", r);
            BOOST_FAIL("a failed reload passed");
        } catch (const InstallError& e) {
            BOOST_CHECK_EQUAL(
                std::string(e.what()),
                "nginx reload: /usr/sbin/nginx reload failed (exit 1): nginx: [error] "
                "invalid PID number");
        }
    }
    FakeRunner r;
    BOOST_CHECK_THROW(reloadCalls("sometimes", r), ConfigError);
    BOOST_CHECK(r.calls.empty());
}

BOOST_AUTO_TEST_CASE(tokenizer_handles_quotes_escapes_comments_and_variables) {
    auto ds = parseText("a \"x;y{z}\" 'q\\'r' b\\ c ${v}w;\n# } {\nblk x { inner \"}\"; }\n", "f");
    BOOST_REQUIRE_EQUAL(ds.size(), 2u);
    BOOST_REQUIRE_EQUAL(ds[0].args.size(), 4u);
    BOOST_CHECK_EQUAL(ds[0].args[0].value, "x;y{z}");
    BOOST_CHECK_EQUAL(ds[0].args[1].value, "q'r");
    BOOST_CHECK_EQUAL(ds[0].args[2].value, "b\\ c");
    BOOST_CHECK_EQUAL(ds[0].args[3].value, "${v}w");
    BOOST_CHECK(ds[0].args[0].quoted);
    BOOST_CHECK_EQUAL(ds[1].name, "blk");
    BOOST_CHECK_EQUAL(ds[1].line, 3u);
    BOOST_REQUIRE_EQUAL(ds[1].children.size(), 1u);
    BOOST_CHECK_EQUAL(ds[1].children[0].args[0].value, "}");
}

BOOST_AUTO_TEST_CASE(tokenizer_offsets_point_at_raw_tokens) {
    std::string text = "x { ssl_certificate \"/a b\"; }";
    auto ds = parseText(text, "f");
    const Arg& a = ds[0].children[0].args[0];
    BOOST_CHECK_EQUAL(text.substr(a.begin, a.end - a.begin), "\"/a b\"");
    BOOST_CHECK_EQUAL(a.value, "/a b");
    BOOST_CHECK_EQUAL(text[ds[0].openBrace], '{');
    BOOST_CHECK_EQUAL(ds[0].end, text.size());
}

BOOST_AUTO_TEST_CASE(tokenizer_rejects_syntax_errors_with_file_and_line) {
    for (const char* bad : {"a {\n b;\n", "a;\n}\n", "a \"unterminated;\n", "a \"x\"y;", "{ a; }"})
        BOOST_CHECK_THROW(parseText(bad, "bad.conf"), ConfigError);
    try {
        parseText("a;\nb;\n}\n", "bad.conf");
        BOOST_FAIL("no error");
    } catch (const ConfigError& e) {
        BOOST_CHECK_EQUAL(std::string(e.what()), "bad.conf:3: unexpected \"}\"");
    }
}

BOOST_AUTO_TEST_CASE(dump_split_uses_disk_bytes_so_header_lines_inside_files_cannot_confuse) {
    std::string tricky = "a;\n# configuration file /etc/evil.conf:\nb;\n";
    std::string text = dump({{"/m.conf", tricky}, {"/n.conf", "c;"}});
    auto reader = [&](const std::string& p) -> std::optional<std::string> {
        if (p == "/m.conf")
            return tricky;
        if (p == "/n.conf")
            return std::string("c;");
        return std::nullopt;
    };
    DumpFiles files = splitDump(text, reader);
    BOOST_REQUIRE_EQUAL(files.order.size(), 2u);
    BOOST_CHECK_EQUAL(files.contents.at("/m.conf"), tricky);
    BOOST_CHECK_EQUAL(files.contents.at("/n.conf"), "c;");
    auto changed = [&](const std::string& p) -> std::optional<std::string> {
        return p == "/m.conf" ? std::optional<std::string>("a;\n") : std::nullopt;
    };
    BOOST_CHECK_THROW(splitDump(text, changed), TemporaryError);
    BOOST_CHECK_THROW(splitDump("nothing here\n", nullptr), ConfigError);
}

BOOST_AUTO_TEST_CASE(includes_expand_globs_in_order_and_skip_hidden_files) {
    Config config = sample();
    std::vector<ServerBlock> blocks = serverBlocks(config);
    BOOST_REQUIRE_EQUAL(blocks.size(), 5u);
    BOOST_CHECK_EQUAL(blocks[0].node->file, "/etc/t/conf.d/a.conf");
    BOOST_CHECK_EQUAL(blocks[0].node->line, 2u);
    BOOST_CHECK_EQUAL(blocks[3].node->file, "/etc/t/extra.conf");
    BOOST_CHECK_EQUAL(blocks[0].names.size(), 2u);
    BOOST_CHECK_EQUAL(blocks[0].certificates.at(0)->args[0].value, "/old/cert.pem");
    BOOST_CHECK_EQUAL(blocks[0].keys.at(0)->args[0].value, "/old/key.pem");
    BOOST_CHECK_EQUAL(blocks[2].listens.at(0).address, "[::1]");
    BOOST_CHECK(blocks[1].listens.at(0).defaultServer);
    BOOST_CHECK(!blocks[3].tls());
}

BOOST_AUTO_TEST_CASE(match_scores_follow_nginx_precedence) {
    BOOST_CHECK_GT(matchScore("a.example.com", "A.Example.com"),
                   matchScore("*.example.com", "a.example.com"));
    BOOST_CHECK_GT(matchScore("*.b.example.com", "a.b.example.com"),
                   matchScore("*.example.com", "a.b.example.com"));
    BOOST_CHECK_GT(matchScore("*.example.com", "a.example.com"),
                   matchScore("a.*", "a.example.com"));
    BOOST_CHECK_GT(matchScore("a.*", "a.example.com"), matchScore("~^a\\.", "a.example.com"));
    BOOST_CHECK_GT(matchScore("~^a\\.", "A.example.com"), 0);
    BOOST_CHECK_GT(matchScore(".example.com", "example.com"), 0);
    BOOST_CHECK_EQUAL(matchScore("*.example.com", "example.com"), 0);
    BOOST_CHECK_EQUAL(matchScore("example.com", "www.example.com"), 0);
    BOOST_CHECK_GT(matchScore("~^(?<sub>.+)\\.regex\\.test$", "x.regex.test"), 0);
}

BOOST_AUTO_TEST_CASE(selection_picks_the_block_nginx_would_use) {
    Config config = sample();
    std::vector<ServerBlock> blocks = serverBlocks(config);
    auto pick = [&](const std::string& host, bool tls) {
        std::vector<std::pair<std::string, size_t>> out;
        for (const Selection& s : selectServers(blocks, host, tls))
            if (s.byName)
                out.push_back({s.listenKey, s.block});
        return out;
    };
    using V = std::vector<std::pair<std::string, size_t>>;
    BOOST_CHECK(pick("example.com", true) == V({{"127.0.0.1:8443", 0}}));
    BOOST_CHECK(pick("www.example.com", true) == V({{"127.0.0.1:8443", 0}}));
    BOOST_CHECK(pick("x.example.com", true) == V({{"127.0.0.1:8443", 1}}));
    BOOST_CHECK(pick("sub.regex.test", true) == V({{"[::1]:8443", 2}}));
    BOOST_CHECK(pick("mail.anything", true) == V({{"[::1]:8443", 2}}));
    BOOST_CHECK(pick("dot.test", true) == V({{"127.0.0.1:8443", 4}}));
    BOOST_CHECK(pick("example.com", false) == V({{"*:8080", 3}}));
    BOOST_CHECK(pick("unknown.test", true).empty());
    auto all = selectServers(blocks, "unknown.test", true);
    BOOST_REQUIRE_EQUAL(all.size(), 2u);
    BOOST_CHECK_EQUAL(all[0].block, 1u); // default_server of 127.0.0.1:8443
    BOOST_CHECK_EQUAL(all[1].block, 2u); // first block of [::1]:8443
}

BOOST_AUTO_TEST_CASE(edits_replace_only_arguments_or_insert_after_the_server_line) {
    Config config = sample();
    std::vector<ServerBlock> blocks = serverBlocks(config);
    auto edits =
        repointPair(ownPairs(blocks[0]).at(0), "/s/live/n/fullchain.pem", "/s/live/n/priv key.pem");
    const std::string& before = config.files.contents.at("/etc/t/conf.d/a.conf");
    std::string after = applyEdits(before, edits);
    BOOST_CHECK(after.find("    ssl_certificate /s/live/n/fullchain.pem; # trailing comment }\n") !=
                std::string::npos);
    BOOST_CHECK(after.find("    ssl_certificate_key \"/s/live/n/priv key.pem\";\n") !=
                std::string::npos);
    BOOST_CHECK_EQUAL(after.size() - before.size(),
                      std::string("/s/live/n/fullchain.pem").size() - 13 +
                          std::string("\"/s/live/n/priv key.pem\"").size() - 14);
    // block 1 has no directives: both inserted after "server {" with the block's indentation
    auto inserted = applyEdits(before, {insertPairInBlock(blocks[1], config.files, "/c", "/k")});
    BOOST_CHECK(inserted.find("server {\n    ssl_certificate /c;\n    ssl_certificate_key /k;\n"
                              "    listen 127.0.0.1:8443 ssl default_server;") !=
                std::string::npos);
    // one-line block: inserted after the brace on the same line
    auto oneLine = applyEdits(config.files.contents.at("/etc/t/extra.conf"),
                              {insertPairInBlock(blocks[4], config.files, "/c", "/k")});
    BOOST_CHECK_MESSAGE(
        oneLine.find("server { ssl_certificate /c; ssl_certificate_key /k; listen") !=
            std::string::npos,
        oneLine);
    // already pointing there: nothing to do
    BOOST_CHECK(repointPair(ownPairs(blocks[0]).at(0), "/old/cert.pem", "/old/key.pem").empty());
}

BOOST_AUTO_TEST_CASE(insertion_keeps_crlf_line_endings) {
    DumpFiles files;
    files.order = {"/m.conf"};
    files.contents["/m.conf"] = "http {\r\n  server { # tls\r\n    listen 443 ssl;\r\n  }\r\n}\r\n";
    Config config = buildConfig(files);
    std::vector<ServerBlock> blocks = serverBlocks(config);
    BOOST_REQUIRE_EQUAL(blocks.size(), 1u);
    BOOST_CHECK_EQUAL(applyEdits(files.contents["/m.conf"],
                                 {insertPairInBlock(blocks[0], config.files, "/c", "/k")}),
                      "http {\r\n  server { # tls\r\n    ssl_certificate /c;\r\n"
                      "    ssl_certificate_key /k;\r\n    listen 443 ssl;\r\n  }\r\n}\r\n");
}

BOOST_AUTO_TEST_CASE(values_are_quoted_or_refused) {
    BOOST_CHECK_EQUAL(quoteValue("/a/b.pem"), "/a/b.pem");
    BOOST_CHECK_EQUAL(quoteValue("/a b/\"c\".pem"), "\"/a b/\\\"c\\\".pem\"");
    BOOST_CHECK_THROW(quoteValue("/a/$x.pem"), ConfigError);
    BOOST_CHECK_THROW(quoteValue("/a\n.pem"), ConfigError);
}

BOOST_AUTO_TEST_SUITE_END()
