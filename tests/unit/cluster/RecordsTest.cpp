#include "cluster/Records.h"

#include "cluster/KeyPaths.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::cluster;

namespace {

const std::string kSha = "5f0c9a1b2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789ab";
const std::string kKey = "/certagent/v1/web-eu/current/shop";

std::string recordError(const std::function<void()>& parse) {
    try {
        parse();
    } catch (const RecordError& e) {
        BOOST_TEST(e.exitCode() == 4);
        return e.what();
    }
    return "parsed";
}

CurrentRecord sampleCurrent() {
    CurrentRecord r;
    r.version = 12;
    r.sha256 = kSha;
    r.serial = "04A1B2";
    r.notBefore = "2026-12-01T00:00:00Z";
    r.notAfter = "2027-01-17T23:59:59Z";
    r.fence = 4711;
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(ClusterRecords)

BOOST_AUTO_TEST_CASE(current_is_stable_json_and_round_trips) {
    const std::string json = toJson(sampleCurrent());
    BOOST_TEST(json == R"({"version":12,"sha256":")" + kSha +
                           R"(","serial":"04A1B2","notBefore":"2026-12-01T00:00:00Z",)"
                           R"("notAfter":"2027-01-17T23:59:59Z","fence":"4711"})");
    const CurrentRecord back = parseCurrent(json, kKey);
    BOOST_TEST(back.version == 12);
    BOOST_TEST(back.sha256 == kSha);
    BOOST_TEST(back.fence == 4711);
    BOOST_TEST(back.notAfter == "2027-01-17T23:59:59Z");
}

BOOST_AUTO_TEST_CASE(current_with_bad_members_is_refused_by_key_and_member) {
    const std::pair<std::string, std::string> cases[] = {
        {R"({"version":"x"})", "version: not an integer"},
        {R"({"version":0})", "version: missing"},
        {R"({"version":12,"sha256":"ABC"})", "sha256: not lower-case hex of 64 digits"},
        {R"({"version":12,"sha256":")" + kSha + R"(","serial":"zz"})",
         "serial: not a hex serial number"},
        {R"({"version":12,"sha256":")" + kSha + R"(","serial":"01","notBefore":"yesterday"})",
         "notBefore: not a YYYY-MM-DDTHH:MM:SSZ time"},
        {R"({"version":12,"sha256":")" + kSha +
             R"(","serial":"01","notBefore":"2026-12-01T00:00:00Z","notAfter":"2027-01-17T23:59:)"
             R"(59Z"})",
         "fence: missing"},
        {"[]", "not a JSON object"},
        {std::string(9000, ' '), "larger than 8192 bytes"},
    };
    for (const auto& [json, problem] : cases) {
        BOOST_TEST(recordError([&] { parseCurrent(json, kKey); }) ==
                   "etcd record " + kKey + ": " + problem);
    }
}

BOOST_AUTO_TEST_CASE(current_after_a_rollback_names_the_highest_and_the_settings) {
    CurrentRecord r = sampleCurrent();
    r.highest = 14;
    r.rollback = true;
    r.configFingerprint = kSha;
    r.configFields = {{"domains", "0123456789abcdef"}, {"key", "fedcba9876543210"}};
    const CurrentRecord back = parseCurrent(toJson(r), kKey);
    BOOST_TEST(back.highest == 14);
    BOOST_TEST(back.rollback);
    BOOST_TEST(back.configFingerprint == kSha);
    BOOST_TEST((back.configFields == r.configFields));
    BOOST_TEST(parseCurrent(toJson(sampleCurrent()), kKey).highest == 12);
    std::string json = toJson(r);
    json.replace(json.find("\"domains\""), 9, "\"Domains\"");
    BOOST_TEST(recordError([&] { parseCurrent(json, kKey); }) ==
               "etcd record " + kKey + ": configFields: not a setting name");
}

BOOST_AUTO_TEST_CASE(unknown_members_from_a_newer_agent_are_ignored) {
    std::string json = toJson(sampleCurrent());
    json.insert(1, R"("addedLater":{"x":[1,2]},)");
    BOOST_TEST(parseCurrent(json, kKey).version == 12);
}

BOOST_AUTO_TEST_CASE(version_keeps_binary_sealed_bytes_and_facts) {
    VersionRecord r;
    r.meta.orderId = 1840217;
    r.meta.serial = "04a1";
    r.meta.sha256 = kSha;
    r.meta.notBefore = "2026-12-01T00:00:00Z";
    r.meta.notAfter = "2027-01-17T23:59:59Z";
    r.meta.names = {"shop.example.com", "www.shop.example.com"};
    r.meta.keyType = "ec-p256";
    r.sealed = std::string("\x01\x00\xff sealed", 10);
    const VersionRecord back = parseVersion(toJson(r), "/v");
    BOOST_TEST(back.sealed == r.sealed);
    BOOST_TEST(back.meta.orderId == 1840217);
    BOOST_TEST(back.meta.names == r.meta.names);
    BOOST_TEST(back.meta.keyType == "ec-p256");
    BOOST_TEST(back.meta.createdAt.empty());
    BOOST_TEST(recordError([&] {
                   parseVersion(R"({"meta":{"serial":"01","sha256":")" + kSha +
                                    R"(","notBefore":"2026-12-01T00:00:00Z","notAfter":)"
                                    R"("2026-12-01T00:00:00Z"}})",
                                "/v");
               }) == "etcd record /v: sealed: missing");
}

BOOST_AUTO_TEST_CASE(order_round_trips_with_challenges_and_times) {
    OrderRecord r;
    r.phase = "validating";
    r.backend = "gogetssl";
    r.orderRef = "1840217";
    r.csr = "-----BEGIN CERTIFICATE REQUEST-----\n...\n";
    r.sealedKey = std::string(40, '\x07');
    ChallengeRecord c;
    c.kind = "http-file";
    c.domain = "shop.example.com";
    c.dir = "pki-validation";
    c.fileName = "0D3F1A.txt";
    c.content = "hash\ncomodoca.com\nxyz";
    r.challenges = {c};
    r.attempts = 1;
    r.pendingSince = 1764547200;
    r.backoffUntil = 1764550800;
    r.fence = 4711;
    r.holder = "web-02";
    r.configFingerprint = kSha;
    const OrderRecord back = parseOrder(toJson(r), "/o");
    BOOST_TEST(back.phase == "validating");
    BOOST_TEST(back.sealedKey == r.sealedKey);
    BOOST_REQUIRE(back.challenges.size() == 1u);
    BOOST_TEST(back.challenges[0].fileName == "0D3F1A.txt");
    BOOST_TEST(back.challenges[0].content == c.content);
    BOOST_TEST(back.pendingSince.value() == 1764547200);
    BOOST_TEST(back.backoffUntil.value() == 1764550800);
    BOOST_TEST(back.fence == 4711);
    BOOST_TEST(back.holder == "web-02");
    BOOST_TEST(toJson(r).find(R"("pendingSince":"2025-12-01T00:00:00Z")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(order_challenges_that_could_name_another_file_are_refused) {
    const auto withFile = [](const std::string& name) {
        return R"({"phase":"validating","challenges":[{"kind":"http-file","fileName":")" + name +
               R"("}]})";
    };
    BOOST_TEST(recordError([&] { parseOrder(withFile("../../etc/passwd"), "/o"); }) ==
               "etcd record /o: challenges[0].fileName: not a plain file name");
    BOOST_TEST(recordError([&] { parseOrder(withFile(".htaccess"), "/o"); }) ==
               "etcd record /o: challenges[0].fileName: not a plain file name");
    BOOST_TEST(recordError([&] {
                   parseOrder(R"({"phase":"validating","challenges":[{"kind":"ftp"}]})", "/o");
               }) == "etcd record /o: challenges[0].kind: not http-file, dns-record or email");
    BOOST_TEST(recordError([&] { parseOrder(R"({"phase":"Valid ating"})", "/o"); }) ==
               "etcd record /o: phase: not a word of a-z 0-9 -");
    BOOST_TEST(recordError([&] { parseOrder(R"({"phase":"idle","holder":"../x"})", "/o"); }) ==
               "etcd record /o: holder: not a host name");
}

BOOST_AUTO_TEST_CASE(ack_and_member_round_trip) {
    AckRecord a;
    a.fence = 4711;
    a.placed = {"/.well-known/acme-challenge/tok"};
    a.selfCheck = true;
    BOOST_TEST(toJson(a) ==
               R"({"fence":"4711","placed":["/.well-known/acme-challenge/tok"],"selfCheck":true})");
    const AckRecord ack = parseAck(toJson(a), "/a");
    BOOST_TEST(ack.placed == a.placed);
    BOOST_TEST(ack.selfCheck);
    BOOST_TEST(!parseAck(R"({"fence":"1"})", "/a").selfCheck); // proto-style: false left out

    MemberRecord m;
    m.agent = "0.2.0";
    m.lastRun = 1764547200;
    m.certs["shop"] = MemberCert{kSha, 0, 1764547200};
    m.certs["blog"] = MemberCert{"", 3, std::nullopt};
    const MemberRecord back = parseMember(toJson(m), "/m");
    BOOST_TEST(back.agent == "0.2.0");
    BOOST_TEST(back.lastRun.value() == 1764547200);
    BOOST_REQUIRE(back.certs.size() == 2u);
    BOOST_TEST(back.certs.at("shop").sha256 == kSha);
    BOOST_TEST(back.certs.at("blog").exit == 3);
    BOOST_TEST(!back.certs.at("blog").at.has_value());
    BOOST_TEST(recordError([&] { parseMember(R"({"certs":{"../x":{}}})", "/m"); }) ==
               "etcd record /m: certs: not a certificate name: \"../x\"");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ClusterKeyPaths)

BOOST_AUTO_TEST_CASE(paths_follow_the_design_layout) {
    const KeyPaths p("web-eu");
    BOOST_TEST(p.root() == "/certagent/v1/web-eu/");
    BOOST_TEST(p.current("shop") == "/certagent/v1/web-eu/current/shop");
    BOOST_TEST(p.currentPrefix() == "/certagent/v1/web-eu/current/");
    BOOST_TEST(p.version("shop", 12) == "/certagent/v1/web-eu/versions/shop/0012");
    BOOST_TEST(p.version("shop", 123456) == "/certagent/v1/web-eu/versions/shop/123456");
    BOOST_TEST(p.order("shop") == "/certagent/v1/web-eu/order/shop");
    BOOST_TEST(p.lock("shop") == "/certagent/v1/web-eu/lock/shop");
    BOOST_TEST(p.ack("shop", "web-02") == "/certagent/v1/web-eu/acks/shop/web-02");
    BOOST_TEST(p.member("web-02.example.com") == "/certagent/v1/web-eu/members/web-02.example.com");
    BOOST_TEST(p.aad(p.order("shop")) == "certagent/v1|web-eu|/certagent/v1/web-eu/order/shop");
}

BOOST_AUTO_TEST_CASE(names_that_could_leave_their_segment_are_refused) {
    BOOST_CHECK_THROW(KeyPaths(""), ConfigError);
    BOOST_CHECK_THROW(KeyPaths("a/b"), ConfigError);
    const KeyPaths p("c");
    const std::vector<std::string> bads = {
        "", "..", "a..b", ".hidden", "a/b", "a b", std::string(65, 'a'), std::string("a\0b", 3)};
    for (const std::string& bad : bads) {
        BOOST_CHECK_THROW(p.current(bad), ConfigError);
        BOOST_CHECK_THROW(p.member(bad), ConfigError);
    }
    BOOST_CHECK_THROW(p.version("shop", 0), ConfigError);
    try {
        p.current("a\x1b[2J");
        BOOST_FAIL("accepted");
    } catch (const ConfigError& e) {
        BOOST_TEST(e.what() == std::string("etcd key: invalid certificate name \"a\\x1B[2J\""));
    }
}

BOOST_AUTO_TEST_CASE(child_names_and_versions_are_read_back_strictly) {
    const KeyPaths p("c");
    BOOST_TEST(KeyPaths::childName(p.currentPrefix(), p.current("shop")).value() == "shop");
    BOOST_TEST(!KeyPaths::childName(p.currentPrefix(), p.currentPrefix() + "a/b"));
    BOOST_TEST(!KeyPaths::childName(p.currentPrefix(), "/other/shop"));
    BOOST_TEST(p.versionOf("shop", p.version("shop", 12)).value() == 12);
    BOOST_TEST(!p.versionOf("shop", p.versionsPrefix("shop") + "00012"));
    BOOST_TEST(!p.versionOf("shop", p.versionsPrefix("shop") + "12"));
    BOOST_TEST(!p.versionOf("shop", p.versionsPrefix("shop") + "0x12"));
}

BOOST_AUTO_TEST_SUITE_END()
