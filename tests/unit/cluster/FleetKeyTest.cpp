#include "cluster/FleetKey.h"

#include "TestEnv.h"
#include "cluster/Envelope.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

using namespace certagent;
using namespace certagent::cluster;
using certagent::test::TempDir;
using certagent::test::writeFile;

namespace {

const std::string kKey = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";

/// The ConfigError message of loading `path` (displayed as "fleet_key").
std::string loadError(const std::string& path) {
    try {
        FleetKey::load(path, "fleet_key");
    } catch (const ConfigError& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find(kKey.substr(0, 10)) == std::string::npos);
        return what;
    }
    return "loaded";
}

} // namespace

BOOST_AUTO_TEST_SUITE(FleetKeyFile)

BOOST_AUTO_TEST_CASE(base64_text_of_32_bytes_with_surrounding_whitespace) {
    const FleetKey a = FleetKey::fromBase64(kKey, "k");
    const FleetKey b = FleetKey::fromBase64("  " + kKey + "\r\n", "k");
    BOOST_TEST(a.id() == b.id());
    BOOST_TEST(a.id().size() == 8u);
}

BOOST_AUTO_TEST_CASE(anything_else_is_refused_without_quoting_it) {
    const std::string cases[] = {"",
                                 kKey.substr(0, 43),                             // no padding
                                 kKey.substr(0, 40) + "====",                    // 29 bytes
                                 kKey + kKey,                                    // 64 bytes
                                 "q83vEjRWeJCrze8SNFZ4kKvN7xI0Vni Qq83vEjRWeJA", // inner space
                                 "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJ-=", // base64url
                                 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8AAA=="};
    for (const std::string& text : cases) {
        try {
            FleetKey::fromBase64(text, "fleet_key /etc/certagent/fleet.key");
            BOOST_FAIL("accepted \"" + text + "\"");
        } catch (const ConfigError& e) {
            BOOST_TEST(e.what() ==
                       std::string("fleet_key /etc/certagent/fleet.key: not the base64 text of "
                                   "32 bytes"));
            BOOST_TEST(e.exitCode() == 2);
        }
    }
}

BOOST_AUTO_TEST_CASE(keygen_prints_a_new_loadable_key_each_time) {
    const Secret a = FleetKey::generateText();
    const Secret b = FleetKey::generateText();
    BOOST_TEST(a.reveal().size() == 45u);
    BOOST_TEST(a.reveal().back() == '\n');
    BOOST_TEST(a.reveal() != b.reveal());
    const FleetKey key = FleetKey::fromBase64(a.reveal(), "keygen");
    const FleetKeyRing ring{FleetKey::fromBase64(a.reveal(), "keygen"), std::nullopt};
    const std::string blob = sealEnvelope(key, "x", "aad");
    BOOST_TEST(openEnvelope(ring, blob, "aad", "p").reveal() == "x");
}

BOOST_AUTO_TEST_CASE(a_0600_file_owned_by_us_loads) {
    TempDir dir;
    writeFile(dir / "fleet.key", kKey + "\n", 0600);
    BOOST_TEST(FleetKey::load(dir / "fleet.key", "fleet_key").id() ==
               FleetKey::fromBase64(kKey, "k").id());
    writeFile(dir / "strict.key", kKey, 0400);
    BOOST_TEST(loadError(dir / "strict.key") == "loaded");
}

BOOST_AUTO_TEST_CASE(unsafe_or_unusable_files_are_refused_by_name) {
    TempDir dir;
    writeFile(dir / "open.key", kKey, 0644);
    BOOST_TEST(loadError(dir / "open.key") == "fleet_key: must be mode 0600 or stricter (is 0644)");
    writeFile(dir / "group.key", kKey, 0640);
    BOOST_TEST(loadError(dir / "group.key") ==
               "fleet_key: must be mode 0600 or stricter (is 0640)");
    BOOST_TEST(loadError(dir / "missing.key") == "fleet_key: no such file");
    writeFile(dir / "real.key", kKey, 0600);
    BOOST_REQUIRE(::symlink((dir / "real.key").c_str(), (dir / "link.key").c_str()) == 0);
    BOOST_TEST(loadError(dir / "link.key") ==
               "fleet_key: is a symbolic link, which certagent does not follow here (put the file "
               "itself in its place)");
    BOOST_REQUIRE(::mkfifo((dir / "fifo.key").c_str(), 0600) == 0);
    BOOST_TEST(loadError(dir / "fifo.key") == "fleet_key: not a regular file");
    BOOST_REQUIRE(::mkdir((dir / "adir").c_str(), 0700) == 0);
    BOOST_TEST(loadError(dir / "adir") == "fleet_key: not a regular file");
    writeFile(dir / "short.key", kKey.substr(0, 20), 0600);
    BOOST_TEST(loadError(dir / "short.key") == "fleet_key: not the base64 text of 32 bytes");
    writeFile(dir / "big.key", std::string(5000, 'A'), 0600);
    BOOST_TEST(loadError(dir / "big.key") == "fleet_key: larger than 4 KiB");
}

BOOST_AUTO_TEST_CASE(a_file_owned_by_another_user_is_refused) {
    if (::geteuid() != 0) {
        BOOST_TEST_MESSAGE("needs root to chown; skipped");
        return;
    }
    TempDir dir;
    writeFile(dir / "other.key", kKey, 0600);
    BOOST_REQUIRE(::chown((dir / "other.key").c_str(), 4242, 4242) == 0);
    BOOST_TEST(loadError(dir / "other.key") ==
               "fleet_key: owned by uid 4242, not root or the running user");
}

BOOST_AUTO_TEST_SUITE_END()
