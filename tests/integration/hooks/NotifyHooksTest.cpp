// The scripts hooks/webhook, mail, dns-nsupdate and ci-install against stand-in commands.
#include "HookFixture.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

using namespace certagent;
using namespace certagent::test::hooks;
using certagent::test::exists;
using certagent::test::readFile;
using certagent::test::writeFile;

namespace {

const char* const kUrl = "https://hooks.example.test/services/T0/B0/s3cr3tToken";

/// curl stand-in: logs argv, saves the body and a copy of its --config file.
void fakeCurl(Fixture& f, const std::string& exitCode = "0") {
    f.fake("curl",
           "prev=\nfor a in \"$@\"; do [ \"$prev\" = --config ] && cp \"$a\" '" +
               f.tmp / "curl.conf" + "'; prev=$a; done\nexit " + exitCode,
           true);
}

} // namespace

BOOST_AUTO_TEST_SUITE(NotifyHooksTest)

BOOST_AUTO_TEST_CASE(webhook_posts_event_json_without_url_in_argv) {
    Fixture f;
    f.settings(std::string("url = ") + kUrl + "\nauth_header = Authorization: Bearer abc\n");
    fakeCurl(f);
    f.env["CERTAGENT_EVENT"] = "failure";
    f.env["CERTAGENT_ERROR"] = "nginx reload: exit 1";
    std::string json = "{\"event\":\"failure\",\"name\":\"shop\"}";
    BOOST_REQUIRE(f.run("webhook", {}, json).ok());
    BOOST_TEST(readFile(f.tmp / "curl.stdin") == json);
    BOOST_TEST(!contains(f.calls(), "s3cr3t"));
    BOOST_TEST(!contains(f.calls(), "Bearer"));
    std::string conf = readFile(f.tmp / "curl.conf");
    BOOST_TEST(contains(conf, std::string("url = \"") + kUrl + "\"\n"));
    BOOST_TEST(contains(conf, "header = \"Authorization: Bearer abc\"\n"));
    BOOST_TEST(contains(f.calls(), "--fail"));
}

BOOST_AUTO_TEST_CASE(webhook_text_format_is_valid_json) {
    Fixture f;
    f.settings(std::string("url = ") + kUrl + "\nformat = text\n");
    fakeCurl(f);
    f.env["CERTAGENT_EVENT"] = "failure";
    f.env["CERTAGENT_ERROR"] = "bad \"quote\" \\ back\ttab";
    BOOST_REQUIRE(f.run("webhook", {}, "{}").ok());
    std::string body = readFile(f.tmp / "curl.stdin");
    auto json = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    std::string text = json->getValue<std::string>("text");
    BOOST_TEST(contains(text, "failure for shop (shop.example www.shop.example)"));
    BOOST_TEST(contains(text, "bad \"quote\" \\ back tab"));
}

BOOST_AUTO_TEST_CASE(webhook_refuses_readable_settings_and_skips_other_events) {
    Fixture f;
    f.settings(std::string("url = ") + kUrl + "\n", 0644);
    fakeCurl(f);
    f.env["CERTAGENT_EVENT"] = "failure";
    SubprocessResult r = f.run("webhook", {}, "{}");
    BOOST_TEST(!r.ok());
    BOOST_TEST(contains(r.output, "group- or world-accessible"));
    BOOST_TEST(f.calls().empty());

    f.settings(std::string("url = ") + kUrl + "\n", 0600);
    f.env["CERTAGENT_EVENT"] = "deploy"; // default events = failure
    BOOST_TEST(f.run("webhook", {}, "{}").ok());
    BOOST_TEST(f.calls().empty());

    f.settings("url = file:///etc/shadow\n", 0600);
    f.env["CERTAGENT_EVENT"] = "failure";
    BOOST_TEST(!f.run("webhook", {}, "{}").ok());
    BOOST_TEST(f.calls().empty());
}

BOOST_AUTO_TEST_CASE(webhook_fails_when_post_fails) {
    Fixture f;
    f.settings(std::string("url = ") + kUrl + "\n");
    fakeCurl(f, "22");
    f.env["CERTAGENT_EVENT"] = "failure";
    BOOST_TEST(!f.run("webhook", {}, "{}").ok());
}

BOOST_AUTO_TEST_CASE(mail_goes_through_sendmail) {
    Fixture f;
    f.settings("to = ops@example.test\nfrom = agent@example.test\n");
    f.fake("sendmail", "exit 0", true);
    f.env["CERTAGENT_EVENT"] = "failure";
    f.env["CERTAGENT_ERROR"] = "order 1840217 cancelled\nSubject: injected";
    BOOST_REQUIRE(f.run("mail").ok());
    BOOST_TEST(f.calls() == "sendmail -oi -t\n");
    std::string mail = readFile(f.tmp / "sendmail.stdin");
    BOOST_TEST(contains(mail, "To: ops@example.test\nFrom: agent@example.test\nSubject: "
                              "certagent failure: shop on "));
    BOOST_TEST(contains(mail, "Error: order 1840217 cancelled Subject: injected\n"));
    BOOST_TEST(!contains(mail, "\nSubject: injected"));

    f.env["CERTAGENT_EVENT"] = "deploy"; // not in events
    ::unlink((f.tmp / "calls.log").c_str());
    BOOST_TEST(f.run("mail").ok());
    BOOST_TEST(f.calls().empty());
}

BOOST_AUTO_TEST_CASE(mail_without_sendmail_fails_loudly) {
    Fixture f;
    f.settings("to = ops@example.test\n");
    f.env["CERTAGENT_EVENT"] = "failure";
    f.env["PATH"] = f.tmp / "bin:/bin"; // Debian 12: /bin is /usr/bin, no sendmail in either
    if (exists("/bin/sendmail")) {
        BOOST_TEST_MESSAGE("skipped: a sendmail is in /bin");
        return;
    }
    SubprocessResult r = f.run("mail");
    BOOST_TEST(!r.ok());
    BOOST_TEST(contains(r.output, "sendmail not found"));
}

BOOST_AUTO_TEST_CASE(dns_nsupdate_add_and_remove) {
    Fixture f;
    f.settings("server = ns1.example.test\nkey_file = /etc/certagent/dns.key\nttl = 120\n");
    f.fake("nsupdate", "exit 0", true);
    f.env = {{"PATH", f.env["PATH"]},
             {"CERTAGENT_HOOK_CONFIG", f.tmp / "hook.conf"},
             {"CERTAGENT_EVENT", "dns"},
             {"CERTAGENT_NAME", "api"},
             {"CERTAGENT_DNS_ACTION", "add"},
             {"CERTAGENT_DNS_NAME", "_4EB1A0477609807D963D330CC66623ED.api.example.net"},
             {"CERTAGENT_DNS_TARGET", "2ea0c847.8721e581.k7qm2rz9.sectigo.com"}};
    BOOST_REQUIRE(f.run("dns-nsupdate").ok());
    BOOST_TEST(f.calls() == "nsupdate -k /etc/certagent/dns.key\n");
    BOOST_TEST(readFile(f.tmp / "nsupdate.stdin") ==
               "server ns1.example.test \n"
               "update delete _4EB1A0477609807D963D330CC66623ED.api.example.net. CNAME\n"
               "update add _4EB1A0477609807D963D330CC66623ED.api.example.net. 120 CNAME "
               "2ea0c847.8721e581.k7qm2rz9.sectigo.com.\nsend\n");
    f.env["CERTAGENT_DNS_ACTION"] = "remove";
    BOOST_REQUIRE(f.run("dns-nsupdate").ok());
    BOOST_TEST(readFile(f.tmp / "nsupdate.stdin") ==
               "server ns1.example.test \n"
               "update delete _4EB1A0477609807D963D330CC66623ED.api.example.net. CNAME\nsend\n");
}

BOOST_AUTO_TEST_CASE(dns_nsupdate_txt_adds_and_removes_one_value_of_several) {
    Fixture f;
    f.settings("server = ns1.example.test\nzone = example.net\ntype = CNAME\n");
    f.fake("nsupdate", "exit 0", true);
    f.env["CERTAGENT_EVENT"] = "dns";
    f.env["CERTAGENT_DNS_TYPE"] = "TXT"; // the agent's type wins over the settings' fallback
    f.env["CERTAGENT_DNS_NAME"] = "_acme-challenge.example.net";
    const std::string apex = "-Ltc5ThZ0ldUMTa_ZW0HsGkd3h2EDo3PpMX_QOOZGw8";
    const std::string wildcard = "qmU2nMYlhRF2AnZ0-y8Akv7dCA4QW_2qGVO3wzCz1OU";
    for (const std::string& value : {apex, wildcard}) {
        f.env["CERTAGENT_DNS_ACTION"] = "add";
        f.env["CERTAGENT_DNS_TARGET"] = value;
        BOOST_REQUIRE(f.run("dns-nsupdate").ok());
        BOOST_TEST(readFile(f.tmp / "nsupdate.stdin") ==
                   "server ns1.example.test \nzone example.net\n"
                   "update add _acme-challenge.example.net. 300 TXT \"" +
                       value + "\"\nsend\n");
    }
    f.env["CERTAGENT_DNS_ACTION"] = "remove";
    BOOST_REQUIRE(f.run("dns-nsupdate").ok());
    BOOST_TEST(readFile(f.tmp / "nsupdate.stdin") ==
               "server ns1.example.test \nzone example.net\n"
               "update delete _acme-challenge.example.net. TXT \"" +
                   wildcard + "\"\nsend\n");
    for (std::string value :
         std::vector<std::string>{"a\"b", "x y", "a\nupdate add evil. 1 A 1.2.3.4", "$(id)", "",
                                  std::string(256, 'a')}) {
        f.env["CERTAGENT_DNS_TARGET"] = value;
        BOOST_TEST(!f.run("dns-nsupdate").ok(), value);
    }
    f.env["CERTAGENT_DNS_TARGET"] = apex;
    f.env["CERTAGENT_DNS_TYPE"] = "A";
    BOOST_TEST(!f.run("dns-nsupdate").ok());
    BOOST_TEST(f.calls() == "nsupdate \nnsupdate \nnsupdate \n"); // no -k: no key_file
}

BOOST_AUTO_TEST_CASE(dns_nsupdate_refuses_hostile_records) {
    Fixture f;
    f.settings("server = ns1.example.test\n");
    f.fake("nsupdate", "exit 0", true);
    f.env["CERTAGENT_EVENT"] = "dns";
    f.env["CERTAGENT_DNS_ACTION"] = "add";
    f.env["CERTAGENT_DNS_NAME"] = "_x.example.net";
    for (std::string target :
         {"a.example\nupdate add evil. 1 A 1.2.3.4", "x;rm -rf /", "$(id)", "-k/etc/passwd", ""}) {
        f.env["CERTAGENT_DNS_TARGET"] = target;
        BOOST_TEST(!f.run("dns-nsupdate").ok());
    }
    f.env["CERTAGENT_DNS_NAME"] = "bad name.example";
    f.env["CERTAGENT_DNS_TARGET"] = "ok.example";
    BOOST_TEST(!f.run("dns-nsupdate").ok());
    BOOST_TEST(f.calls().empty());
}

BOOST_AUTO_TEST_CASE(ci_install_passes_arguments_and_exit_code) {
    Fixture f;
    f.fake("certagent", "exit 5");
    f.env["CERTAGENT"] = f.tmp / "bin/certagent";
    SubprocessResult r = f.run("ci-install", {"shop", "1840217"});
    BOOST_TEST(r.exitCode == 5);
    BOOST_TEST(contains(r.output, "rolled back"));
    BOOST_TEST(f.calls() == "certagent install shop --order-id 1840217 --wait 30m\n");

    f.fake("certagent", "exit 0");
    r = f.run("ci-install", {"shop"});
    BOOST_TEST(r.exitCode == 0);
    BOOST_TEST(contains(f.calls(), "certagent install shop --wait 30m\n"));

    const std::string url = "https://acme.example/order/7/1Uw_x-Y";
    r = f.run("ci-install", {"shop", url, "5m"});
    BOOST_TEST(r.exitCode == 0);
    BOOST_TEST(contains(f.calls(), "certagent install shop --order-url " + url + " --wait 5m\n"));

    BOOST_TEST(f.run("ci-install", {"../x"}).exitCode == 2);
    BOOST_TEST(f.run("ci-install", {"shop", "12; reboot"}).exitCode == 2);
    BOOST_TEST(f.run("ci-install", {"shop", "https://a.example/x y"}).exitCode == 2);
    BOOST_TEST(f.run("ci-install", {"shop", "http://a.example/order/1"}).exitCode == 2);
}

BOOST_AUTO_TEST_SUITE_END()
