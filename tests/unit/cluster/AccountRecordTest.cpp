#include "cluster/AccountRecord.h"

#include "cluster/KeyPaths.h"
#include "cluster/Records.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::cluster;

namespace {

const std::string kDirectory = "https://ca.example.test/dir";
const std::string kKey = "/certagent/v1/web-eu/acme/e7340729d98bd337/account";

AccountRecord sample() {
    AccountRecord r;
    r.account.directoryUrl = kDirectory;
    r.account.accountUrl = "https://ca.example.test/acct/17";
    r.account.ordersUrl = "https://ca.example.test/acct/17/orders";
    r.account.contact = {"mailto:ops@example.com"};
    r.account.eabKid = "kid-1";
    r.account.createdAt = "2026-12-01T10:00:00Z";
    r.account.directoryBody = "{\"newNonce\":\"...\"}"; // not shared
    r.host = "web-01";
    r.sealedKey = std::string("\x01\x00\xff sealed", 10);
    return r;
}

std::string refusal(const std::string& json) {
    try {
        parseAccount(json, kKey, kDirectory);
    } catch (const RecordError& e) {
        BOOST_TEST(e.exitCode() == 4);
        return e.what();
    }
    return "parsed";
}

} // namespace

BOOST_AUTO_TEST_SUITE(ClusterAccountRecord)

BOOST_AUTO_TEST_CASE(the_path_hashes_the_directory_url) {
    BOOST_TEST(KeyPaths("web-eu").acmeAccount(kDirectory) == kKey);
}

BOOST_AUTO_TEST_CASE(an_account_round_trips_without_the_directory_body) {
    const std::string json = toJson(sample());
    BOOST_TEST(json == R"({"directory":"https://ca.example.test/dir",)"
                       R"("accountUrl":"https://ca.example.test/acct/17",)"
                       R"("ordersUrl":"https://ca.example.test/acct/17/orders",)"
                       R"("contact":["mailto:ops@example.com"],"eabKid":"kid-1",)"
                       R"("createdAt":"2026-12-01T10:00:00Z","host":"web-01",)"
                       R"("sealedKey":"AQD/IHNlYWxlZA=="})");
    const AccountRecord back = parseAccount(json, kKey, kDirectory);
    BOOST_TEST(back.account.accountUrl == sample().account.accountUrl);
    BOOST_TEST(back.account.ordersUrl == sample().account.ordersUrl);
    BOOST_TEST(back.account.contact == sample().account.contact);
    BOOST_TEST(back.account.eabKid == "kid-1");
    BOOST_TEST(back.account.createdAt == "2026-12-01T10:00:00Z");
    BOOST_TEST(back.account.directoryBody.empty());
    BOOST_TEST(back.host == "web-01");
    BOOST_TEST(back.sealedKey == sample().sealedKey);
}

BOOST_AUTO_TEST_CASE(a_record_of_another_ca_or_without_a_key_is_refused) {
    const std::string prefix = "etcd record " + kKey + ": ";
    BOOST_TEST(refusal(R"({"directory":"https://other.example/dir","accountUrl":"https://a/1",)"
                       R"("sealedKey":"AQ=="})") ==
               prefix + "directory: another CA's (\"https://other.example/dir\")");
    BOOST_TEST(refusal(R"({"directory":")" + kDirectory +
                       R"(","accountUrl":"http://a/1","sealedKey":"AQ=="})") ==
               prefix + "accountUrl: not an https URL");
    BOOST_TEST(refusal(R"({"directory":")" + kDirectory + R"(","accountUrl":"https://a/1"})") ==
               prefix + "sealedKey: missing");
    BOOST_TEST(refusal(R"({"directory":")" + kDirectory +
                       R"(","accountUrl":"https://a/1","sealedKey":"AQ==","createdAt":"now"})") ==
               prefix + "createdAt: not a YYYY-MM-DDTHH:MM:SSZ time");
    BOOST_TEST(refusal("[]") == prefix + "not a JSON object");
}

BOOST_AUTO_TEST_SUITE_END()
