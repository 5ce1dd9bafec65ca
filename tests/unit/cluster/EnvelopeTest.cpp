#include "cluster/Envelope.h"

#include <boost/test/unit_test.hpp>

#include <functional>

using namespace certagent;
using namespace certagent::cluster;

namespace {

// Fixed test keys (base64 of 32 bytes) so the messages below can name their ids.
const char* kKeyA = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
const char* kKeyB = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const std::string kPath = "/certagent/v1/web-eu/versions/shop/0012";
const std::string kPlain = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG...\n-----END PRIVATE "
                           "KEY-----\n-----BEGIN CERTIFICATE-----\n...";

FleetKey key(const char* text) {
    return FleetKey::fromBase64(text, "test key");
}

FleetKeyRing ring(const char* current, const char* old = nullptr) {
    FleetKeyRing r{key(current), std::nullopt};
    if (old) {
        r.old.emplace(key(old));
    }
    return r;
}

std::string aad(const std::string& path = kPath) {
    return envelopeAad("web-eu", path);
}

/// The refusal `open` throws; checks it is an EnvelopeError with exit 4 and no key material.
EnvelopeError refusal(const std::function<void()>& open) {
    try {
        open();
    } catch (const EnvelopeError& e) {
        BOOST_TEST(e.exitCode() == 4);
        const std::string what = e.what();
        for (const char* k : {kKeyA, kKeyB}) {
            BOOST_TEST(what.find(std::string(k).substr(0, 12)) == std::string::npos);
        }
        BOOST_TEST(what.find(kPlain.substr(0, 20)) == std::string::npos);
        return e;
    }
    throw std::runtime_error("expected an EnvelopeError");
}

} // namespace

BOOST_AUTO_TEST_SUITE(Envelope)

BOOST_AUTO_TEST_CASE(round_trip_with_the_documented_layout) {
    const FleetKeyRing keys = ring(kKeyA);
    const std::string blob = sealEnvelope(keys.current, kPlain, aad());
    BOOST_TEST(blob.size() == 1 + 8 + 12 + kPlain.size() + 16);
    BOOST_TEST(static_cast<int>(static_cast<unsigned char>(blob[0])) == 1);
    BOOST_TEST(blob.substr(1, 8) == keys.current.id());
    BOOST_TEST(blob.find(kPlain.substr(0, 20)) == std::string::npos);
    BOOST_TEST(openEnvelope(keys, blob, aad(), kPath).reveal() == kPlain);
    // A fresh nonce each time: the same plaintext never seals to the same bytes.
    BOOST_TEST(sealEnvelope(keys.current, kPlain, aad()) != blob);
}

BOOST_AUTO_TEST_CASE(empty_plaintext_round_trips) {
    const FleetKeyRing keys = ring(kKeyA);
    const std::string blob = sealEnvelope(keys.current, "", aad());
    BOOST_TEST(blob.size() == kEnvelopeOverhead);
    BOOST_TEST(openEnvelope(keys, blob, aad(), kPath).reveal().empty());
}

BOOST_AUTO_TEST_CASE(aad_is_prefix_cluster_and_key_path) {
    BOOST_TEST(envelopeAad("web-eu", "/certagent/v1/web-eu/order/shop") ==
               "certagent/v1|web-eu|/certagent/v1/web-eu/order/shop");
}

BOOST_AUTO_TEST_CASE(key_id_is_the_sha256_prefix) {
    BOOST_TEST(key(kKeyB).idHex() == "630dcd2966c43366");
    BOOST_TEST(key(kKeyA).idHex() != key(kKeyB).idHex());
}

BOOST_AUTO_TEST_CASE(another_key_path_is_refused) {
    const FleetKeyRing keys = ring(kKeyA);
    const std::string blob = sealEnvelope(keys.current, kPlain, aad());
    const std::string other = "/certagent/v1/web-eu/versions/shop/0013";
    const EnvelopeError e = refusal([&] { openEnvelope(keys, blob, aad(other), other); });
    BOOST_TEST((e.failure() == EnvelopeFailure::Authentication));
    BOOST_TEST(e.what() == "sealed data at " + other +
                               ": authentication failed (wrong fleet key, another key path, or "
                               "altered data)");
    refusal([&] { openEnvelope(keys, blob, envelopeAad("web-us", kPath), kPath); });
}

BOOST_AUTO_TEST_CASE(another_fleet_key_is_refused_by_its_id) {
    const std::string blob = sealEnvelope(key(kKeyA), kPlain, aad());
    const FleetKeyRing keys = ring(kKeyB);
    const EnvelopeError e = refusal([&] { openEnvelope(keys, blob, aad(), kPath); });
    BOOST_TEST((e.failure() == EnvelopeFailure::UnknownKey));
    BOOST_TEST(e.what() == "sealed data at " + kPath + ": sealed with fleet key id " +
                               key(kKeyA).idHex() + ", which is neither fleet_key (id " +
                               key(kKeyB).idHex() + ") and there is no fleet_key_old");
}

BOOST_AUTO_TEST_CASE(a_wrong_key_claiming_the_right_id_fails_authentication) {
    std::string blob = sealEnvelope(key(kKeyA), kPlain, aad());
    blob.replace(1, 8, key(kKeyB).id());
    const EnvelopeError e = refusal([&] { openEnvelope(ring(kKeyB), blob, aad(), kPath); });
    BOOST_TEST((e.failure() == EnvelopeFailure::Authentication));
}

BOOST_AUTO_TEST_CASE(the_key_id_is_read_without_opening) {
    const std::string blob = sealEnvelope(key(kKeyA), kPlain, aad());
    BOOST_TEST(envelopeKeyId(blob) == key(kKeyA).id());
    BOOST_TEST(envelopeKeyId(blob.substr(0, kEnvelopeOverhead - 1)).empty());
    std::string otherVersion = blob;
    otherVersion[0] = 2;
    BOOST_TEST(envelopeKeyId(otherVersion).empty());
    BOOST_TEST(envelopeKeyId("").empty());
}

BOOST_AUTO_TEST_CASE(the_old_key_only_opens_during_rotation) {
    const std::string oldBlob = sealEnvelope(key(kKeyA), kPlain, aad());
    const FleetKeyRing rotating = ring(kKeyB, kKeyA);
    BOOST_TEST(openEnvelope(rotating, oldBlob, aad(), kPath).reveal() == kPlain);
    // New blobs are sealed with the current key, which the old one cannot open.
    const std::string newBlob = sealEnvelope(rotating.current, kPlain, aad());
    BOOST_TEST(newBlob.substr(1, 8) == key(kKeyB).id());
    const EnvelopeError e = refusal([&] { openEnvelope(ring(kKeyA), newBlob, aad(), kPath); });
    BOOST_TEST((e.failure() == EnvelopeFailure::UnknownKey));
    const char* third = "c2FtZS1sZW5ndGgta2V5LWZvci10ZXN0aW5nLW9ubHk=";
    const EnvelopeError both =
        refusal([&] { openEnvelope(ring(third, kKeyA), newBlob, aad(), kPath); });
    BOOST_TEST(
        std::string(both.what()).find(" nor fleet_key_old (id " + key(kKeyA).idHex() + ")") !=
        std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_flipped_bit_is_refused) {
    const FleetKeyRing keys = ring(kKeyA);
    const std::string blob = sealEnvelope(keys.current, kPlain, aad());
    for (std::size_t i = 0; i < blob.size(); ++i) {
        for (int bit : {0, 7}) {
            std::string bad = blob;
            bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
            const EnvelopeError e = refusal([&] { openEnvelope(keys, bad, aad(), kPath); });
            const EnvelopeFailure expected = i == 0  ? EnvelopeFailure::UnknownVersion
                                             : i < 9 ? EnvelopeFailure::UnknownKey
                                                     : EnvelopeFailure::Authentication;
            BOOST_TEST((e.failure() == expected), "byte " << i << " bit " << bit);
        }
    }
}

BOOST_AUTO_TEST_CASE(every_truncation_is_refused) {
    const FleetKeyRing keys = ring(kKeyA);
    const std::string blob = sealEnvelope(keys.current, kPlain, aad());
    for (std::size_t n = 0; n < blob.size(); ++n) {
        const EnvelopeError e =
            refusal([&] { openEnvelope(keys, blob.substr(0, n), aad(), kPath); });
        BOOST_TEST((e.failure() == (n < kEnvelopeOverhead ? EnvelopeFailure::Truncated
                                                          : EnvelopeFailure::Authentication)),
                   "length " << n);
    }
    const EnvelopeError e = refusal([&] { openEnvelope(keys, blob.substr(0, 10), aad(), kPath); });
    BOOST_TEST(e.what() ==
               "sealed data at " + kPath + ": truncated (10 bytes, an envelope has at least 37)");
}

BOOST_AUTO_TEST_CASE(an_unknown_version_and_an_oversized_blob_are_refused) {
    const FleetKeyRing keys = ring(kKeyA);
    std::string blob = sealEnvelope(keys.current, kPlain, aad());
    blob[0] = 2;
    BOOST_TEST(refusal([&] { openEnvelope(keys, blob, aad(), kPath); }).what() ==
               "sealed data at " + kPath + ": unknown envelope version 2");
    const std::string huge(kMaxSealedBytes + 1, '\x01');
    BOOST_TEST((refusal([&] { openEnvelope(keys, huge, aad(), kPath); }).failure() ==
                EnvelopeFailure::TooLarge));
    BOOST_CHECK_THROW(sealEnvelope(keys.current, huge, aad()), CryptoError);
}

BOOST_AUTO_TEST_CASE(a_hostile_key_path_is_escaped_in_the_message) {
    const FleetKeyRing keys = ring(kKeyA);
    const EnvelopeError e = refusal([&] { openEnvelope(keys, "x", aad(), "/a\x1b[2Jb"); });
    BOOST_TEST(std::string(e.what()).find("/a\\x1B[2Jb") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
