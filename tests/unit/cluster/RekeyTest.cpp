// `cluster rekey` over the scripted gateway: which values are sealed again, how each write is
// fenced on the record's own revision (keeping its lease), and what a concurrent writer causes.
#include "FakeEtcd.h"
#include "cluster/Envelope.h"
#include "cluster/FleetRekey.h"
#include "cluster/Json.h"
#include "core/Coordinator.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::cluster;
using namespace certagent::cluster::test;
using Poco::JSON::Object;

namespace {

const std::string kRoot = "/certagent/v1/web-eu/";
const std::string kCheck = kRoot + "keycheck";
const std::string kV1 = kRoot + "versions/shop/0000000001";
const std::string kV2 = kRoot + "versions/shop/0000000002";
const std::string kLock = kRoot + "lock/shop";
const std::string kMember = kRoot + "members/web-1";

FleetKey key() {
    return FleetKey::fromBase64(FleetKey::generateText().reveal(), "test key");
}

/// The put of txn `body`: key, value (decoded), lease ("" = none), and the compared revision.
struct FencedPut {
    std::string key, value, lease, modRevision;
};

FencedPut putOf(const std::string& body) {
    Object::Ptr txn = detail::parseObject(body, 1 << 22);
    Object::Ptr cmp = txn->getArray("compare")->getObject(0);
    Object::Ptr put = txn->getArray("success")->getObject(0)->getObject("requestPut");
    BOOST_TEST(cmp->getValue<std::string>("target") == "MOD");
    return {detail::base64Decode(put->getValue<std::string>("key"), "key"),
            detail::base64Decode(put->getValue<std::string>("value"), "value"),
            put->has("lease") ? put->getValue<std::string>("lease") : "",
            cmp->getValue<std::string>("modRevision")};
}

} // namespace

BOOST_AUTO_TEST_SUITE(ClusterRekey)

BOOST_AUTO_TEST_CASE(old_envelopes_are_sealed_again_each_write_fenced_and_a_raced_one_named) {
    FleetKeyRing ring{key(), key()};
    const KeyPaths paths("web-eu");
    const std::string check = sealEnvelope(*ring.old, "check", paths.aad(kCheck));
    const std::string v1 = R"({"serial":"AB","sealed":")" +
                           detail::base64Encode(sealEnvelope(*ring.old, "set 1", paths.aad(kV1))) +
                           R"(","note":"QUJD"})";
    const std::string v2 =
        R"({"sealed":")" +
        detail::base64Encode(sealEnvelope(ring.current, "set 2", paths.aad(kV2))) + R"("})";
    Harness h;
    h.script->steps = {
        ok(kE1, "{" + header(30) + R"(,"kvs":[)" + kv(kCheck, check, 3, 4, 2) + "," +
                    kv(kLock, "web-1 42", 20, 20, 1, "77") + "," +
                    kv(kMember, R"({"agent":"1"})", 5, 21, 9) + "," + kv(kV1, v1, 10, 11, 2) + "," +
                    kv(kV2, v2, 12, 12, 1) + R"(],"count":"5"})"),
        ok(kE1, "{" + header(31) +
                    R"(,"succeeded":true,"responses":[{"response_put":{"header":)"
                    R"({"revision":"31"}}}]})"), // the key check
        ok(kE1, "{" + header(31) + "}"),         // v1: changed meanwhile
    };
    auto client = h.client();
    const RekeyReport r = rekeyFleet(*client, paths, ring);
    BOOST_TEST(h.drained());
    BOOST_TEST(r.resealed == 2);
    BOOST_TEST(r.current == 1);
    BOOST_TEST(r.records == 1);
    BOOST_TEST(r.changed == std::vector<std::string>{kV1}, boost::test_tools::per_element());

    BOOST_REQUIRE(h.script->sent.size() == 3u);
    const FencedPut c = putOf(h.script->sent[1].request.body);
    BOOST_TEST(c.key == kCheck);
    BOOST_TEST(c.modRevision == "4");
    BOOST_TEST(c.lease.empty());
    BOOST_TEST(c.value.substr(1, kKeyIdBytes) == ring.current.id());
    BOOST_TEST(openEnvelope(ring, c.value, paths.aad(kCheck), kCheck).reveal() == "check");
    const FencedPut p = putOf(h.script->sent[2].request.body);
    BOOST_TEST(p.key == kV1);
    BOOST_TEST(p.modRevision == "11");
    Object::Ptr record = detail::parseObject(p.value, 1 << 20);
    BOOST_TEST(record->getValue<std::string>("serial") == "AB"); // the clear fields stay
    BOOST_TEST(record->getValue<std::string>("note") == "QUJD");
    const std::string sealed = detail::base64Decode(record->getValue<std::string>("sealed"), "s");
    BOOST_TEST(sealed.substr(1, kKeyIdBytes) == ring.current.id());
    BOOST_TEST(openEnvelope(ring, sealed, paths.aad(kV1), kV1).reveal() == "set 1");
}

BOOST_AUTO_TEST_CASE(an_old_envelope_that_does_not_open_at_its_path_is_a_refusal) {
    FleetKeyRing ring{key(), key()};
    const KeyPaths paths("web-eu");
    const std::string moved = sealEnvelope(*ring.old, "check", paths.aad(kV2)); // another path
    Harness h;
    h.script->steps = {ok(kE1, "{" + header(30) + R"(,"kvs":[)" + kv(kCheck, moved, 3, 4, 2) +
                                   R"(],"count":"1"})")};
    auto client = h.client();
    try {
        rekeyFleet(*client, paths, ring);
        BOOST_FAIL("expected a refusal");
    } catch (const core::FleetError& e) {
        BOOST_TEST(e.exitCode() == 4, e.what());
        BOOST_TEST(std::string(e.what()).find(kCheck) != std::string::npos, e.what());
    }
    BOOST_TEST(h.script->sent.size() == 1u); // nothing written
}

BOOST_AUTO_TEST_SUITE_END()
