#include "util/Text.h"

#include "Examples.h"
#include "FakeApi.h"
#include "util/Secret.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::api;
using namespace certagent::api::test;

BOOST_AUTO_TEST_SUITE(ApiText)

// What the log sink applies to every whole message: terminal-active bytes escaped, intended line
// breaks and text already escaped left as they are.
BOOST_AUTO_TEST_CASE(escape_terminal_only) {
    auto t = [](std::string_view text) {
        return escapeForLog(text, text.size(), Escape::TerminalOnly);
    };
    BOOST_TEST(t("a\x1b[2Jb\x07"
                 "c\rd\xc2\x9b") == "a\\x1B[2Jb\\x07c\\rd\\xC2\\x9B");
    BOOST_TEST(t("usage:\n\trun\\") == "usage:\n\trun\\");
    const std::string once = escapeForLog("x\x1b]0;t\x07\\y\n");
    BOOST_TEST(t(once) == once);
}

BOOST_AUTO_TEST_CASE(escape_for_log) {
    BOOST_TEST(escapeForLog("plain text 1.2") == "plain text 1.2");
    BOOST_TEST(escapeForLog("Rīga ✓") == "Rīga ✓");
    BOOST_TEST(escapeForLog(std::string("a\0b", 3)) == "a\\x00b");
    BOOST_TEST(escapeForLog("\x1b[2Jx") == "\\x1B[2Jx");
    BOOST_TEST(escapeForLog("l1\r\nl2\t\\") == "l1\\r\\nl2\\t\\\\");
    BOOST_TEST(escapeForLog("bad \xff\xfe utf8") == "bad \\xFF\\xFE utf8");
    BOOST_TEST(escapeForLog("\xc2\x9b"
                            "31m") == "\\xC2\\x9B31m");
    BOOST_TEST(escapeForLog("\xe2\x82") == "\\xE2\\x82");
    BOOST_TEST(escapeForLog("\x7f") == "\\x7F");
    BOOST_TEST(escapeForLog(std::string(600, 'a')).size() == 515u);
    BOOST_TEST(escapeForLog("abcdef", 3) == "abc...");
}

BOOST_AUTO_TEST_CASE(utf8_validation) {
    BOOST_TEST(isValidUtf8("Rīga"));
    BOOST_TEST(!isValidUtf8(std::string("a\0", 2)));
    BOOST_TEST(!isValidUtf8("\xc0\xaf"));         // overlong '/'
    BOOST_TEST(!isValidUtf8("\xed\xa0\x80"));     // surrogate
    BOOST_TEST(!isValidUtf8("\xf4\x90\x80\x80")); // > U+10FFFF
}

BOOST_AUTO_TEST_CASE(redact_forms_urls_and_json) {
    BOOST_TEST(redact("/orders/status/7?auth_key=abc123&x=1") ==
               "/orders/status/7?auth_key=***&x=1");
    BOOST_TEST(redact("user=a%40b.c&pass=p%26w") == "user=***&pass=***");
    BOOST_TEST(redact("superuser=x&bypass=y") == "superuser=x&bypass=y");
    BOOST_TEST(redact(kAuthExample) == R"({"key":"***","success":true})");
    BOOST_TEST(redact(R"({"user" : "x\"y", "pass":"z", "n":1})") ==
               R"({"user" : "***", "pass":"***", "n":1})");
    BOOST_TEST(redact("GET https://h/api?auth_key=k HTTP/1.1") ==
               "GET https://h/api?auth_key=*** HTTP/1.1");
    BOOST_TEST(redact("nothing here") == "nothing here");
}

BOOST_AUTO_TEST_CASE(secret_is_move_only_and_wiped) {
    static_assert(!std::is_copy_constructible<Secret>::value, "Secret must not be copyable");
    static_assert(!std::is_copy_assignable<Secret>::value, "Secret must not be copyable");
    std::string source = "hunter2-hunter2-hunter2";
    Secret a(std::move(source));
    BOOST_TEST(source.empty());
    BOOST_TEST(a.reveal() == "hunter2-hunter2-hunter2");
    Secret b(std::move(a));
    BOOST_TEST(a.empty());
    BOOST_TEST(b.reveal() == "hunter2-hunter2-hunter2");
    std::string s = "short";
    wipe(s);
    BOOST_TEST(s.empty());
}

/// Runs many failing and succeeding scenarios and scans every exception text and log line for
/// the password, the user and the auth keys.
BOOST_AUTO_TEST_CASE(no_secret_in_any_error_or_log_line) {
    std::vector<std::string> texts;
    const std::vector<std::vector<Step>> scenarios = {
        {ok(R"({"error":true,"message":"bad pass s3cr3t-P4ss!word for reseller@example.net"})")},
        {reply(403, "")},
        {fail("network: refused https://api.example.test/api/auth/?user=reseller@example.net", true,
              false)},
        {authOk(), reply(302, "", {{"Location", std::string("https://x/?auth_key=") + kKey1}})},
        {authOk(), reply(403, ""), authOk(kKey2), reply(401, "")},
        {authOk(), ok(std::string(R"({"error":true,"message":"key )") + kKey1 + " invalid\"}")},
        {authOk(),
         reply(400, std::string(R"({"error":true,"message":"auth_key=)") + kKey1 + "\"}")},
        {authOk(), ok("not json")},
        {authOk(), ok(kStatusProcessingExample)},
    };
    for (const auto& steps : scenarios) {
        Harness h;
        h.settings.retryDeadline = std::chrono::seconds(2);
        h.script->steps.assign(steps.begin(), steps.end());
        try {
            h.client()->getOrderStatus(1840217);
        } catch (const ApiError& e) {
            texts.push_back(e.what());
        }
        texts.insert(texts.end(), h.logs.begin(), h.logs.end());
    }
    BOOST_TEST(texts.size() > 10u);
    for (const auto& t : texts) {
        BOOST_TEST_CONTEXT(t) {
            BOOST_TEST(t.find(kKey1) == std::string::npos);
            BOOST_TEST(t.find(kKey2) == std::string::npos);
            BOOST_TEST(t.find("s3cr3t") == std::string::npos);
            BOOST_TEST(t.find("P4ss") == std::string::npos);
            BOOST_TEST(t.find(kUser) == std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
