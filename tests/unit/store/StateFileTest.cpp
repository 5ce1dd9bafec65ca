#include "TestEnv.h"
#include "store/CertState.h"
#include "store/Store.h"
#include "util/Error.h"
#include "util/IsoTime.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

using certagent::test::TempDir;
namespace store = certagent::store;
using certagent::formatIsoUtc;
using certagent::parseIsoUtc;

namespace {

struct Fixture {
    TempDir tmp;
    std::vector<std::string> warnings;
    store::Store s{tmp / "store", 5, [this](const std::string& w) { warnings.push_back(w); }};
    Fixture() { s.ensureLayout(); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(StateFileTest)

BOOST_FIXTURE_TEST_CASE(missing_state_is_silent, Fixture) {
    BOOST_TEST(!s.readState("shop").has_value());
    BOOST_TEST(!s.loadState("shop").has_value());
    BOOST_TEST(warnings.empty());
}

BOOST_FIXTURE_TEST_CASE(state_round_trips, Fixture) {
    store::CertState st;
    st.phase = store::Phase::Validating;
    st.order = store::OrderRef{"gogetssl", "1840217"};
    st.pendingSince = 1795960931;
    st.attempts = 3;
    st.lastError = "getOrderStatus: HTTP 503";
    st.backoffUntil = 1795964531;
    st.dcvFiles = {"/var/www/example/.well-known/pki-validation/ABC.txt"};
    st.dnsRecords = {"_dnsauth.example.com"};
    st.deployedSha256 = "ab12";
    s.saveState("shop", st);
    auto back = s.loadState("shop");
    BOOST_REQUIRE(back.has_value());
    BOOST_TEST(back->phase == store::Phase::Validating);
    BOOST_TEST(back->order.id == "1840217");
    BOOST_TEST(back->order.backend == "gogetssl");
    BOOST_TEST(back->pendingSince.value() == 1795960931);
    BOOST_TEST(back->attempts == 3);
    BOOST_TEST(back->lastError == st.lastError);
    BOOST_TEST(!back->lastErrorAt.has_value());
    BOOST_TEST(back->backoffUntil.value() == 1795964531);
    BOOST_TEST(back->dcvFiles == st.dcvFiles);
    BOOST_TEST(back->dnsRecords == st.dnsRecords);
    BOOST_TEST(back->deployedSha256 == "ab12");
    BOOST_TEST(certagent::test::readFile(tmp / "store/state/shop.json").find("\"pendingSince\"") !=
               std::string::npos);
    BOOST_TEST(warnings.empty());
}

BOOST_FIXTURE_TEST_CASE(corrupt_or_empty_state_is_warned_and_missing, Fixture) {
    const std::string path = tmp / "store/state/shop.json";
    const char* bad[] = {"", "{\"phase\":", "[1,2]", "null", "\x01\x02garbage", "{} trailing"};
    for (const char* text : bad) {
        warnings.clear();
        certagent::test::writeFile(path, text, 0600);
        BOOST_TEST(!s.readState("shop").has_value(), "text: " << text);
        BOOST_TEST(!s.loadState("shop").has_value());
        BOOST_TEST(warnings.size() == 2u);
        BOOST_TEST(certagent::test::exists(path)); // never deleted
        for (const auto& w : warnings) {
            BOOST_TEST(w.find("shop.json") != std::string::npos);
            BOOST_TEST(w.find('\x01') == std::string::npos);
        }
    }
    // A directory where the file should be, or an oversized file: the same.
    BOOST_REQUIRE(::unlink(path.c_str()) == 0);
    BOOST_REQUIRE(::mkdir(path.c_str(), 0700) == 0);
    warnings.clear();
    BOOST_TEST(!s.readState("shop").has_value());
    BOOST_TEST(warnings.size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(wrong_field_types_are_warned_and_missing, Fixture) {
    s.writeState("shop", "{\"phase\": 7, \"orderId\": \"1840217\"}");
    BOOST_TEST(s.readState("shop").has_value()); // valid JSON object
    BOOST_TEST(!s.loadState("shop").has_value());
    BOOST_TEST(warnings.size() == 1u);
    s.writeState("shop", "{\"orderId\": 1e30}");
    BOOST_TEST(!s.loadState("shop").has_value());
    s.writeState("shop", "{\"nextCheck\": \"tomorrow\"}");
    BOOST_TEST(!s.loadState("shop").has_value());
    s.writeState("shop", "{\"phase\": \"idle\", \"future\": {\"x\": 1}}");
    BOOST_TEST(s.loadState("shop").has_value()); // unknown keys are fine
}

BOOST_FIXTURE_TEST_CASE(write_state_refuses_non_objects_and_keeps_old, Fixture) {
    s.writeState("shop", "{\"phase\":\"installed\"}");
    BOOST_CHECK_THROW(s.writeState("shop", "{broken"), certagent::Error);
    BOOST_TEST(s.loadState("shop")->phase == store::Phase::Installed);
    s.removeState("shop");
    BOOST_TEST(!s.readState("shop").has_value());
    s.removeState("shop"); // missing is fine
}

BOOST_FIXTURE_TEST_CASE(pending_key_lifecycle, Fixture) {
    BOOST_TEST(!s.hasPendingKey("shop"));
    BOOST_TEST(!s.readPendingKey("shop").has_value());
    s.writePendingKey("shop", "KEY-1");
    s.writePendingKey("shop", "KEY-2"); // replaced atomically
    BOOST_TEST(s.hasPendingKey("shop"));
    BOOST_TEST(*s.readPendingKey("shop") == "KEY-2");
    struct stat st {};
    BOOST_REQUIRE(::stat(s.pendingKeyPath("shop").c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 07777) == 0600u);
    s.removePendingKey("shop");
    BOOST_TEST(!s.hasPendingKey("shop"));
    BOOST_TEST(!certagent::test::exists(tmp / "store/pending/shop"));
    s.removePendingKey("shop");
}

BOOST_AUTO_TEST_CASE(iso_time_round_trip) {
    BOOST_TEST(formatIsoUtc(0) == "1970-01-01T00:00:00Z");
    BOOST_TEST(parseIsoUtc("2026-11-29T14:02:11Z").value() == 1795960931);
    BOOST_TEST(formatIsoUtc(1795960931) == "2026-11-29T14:02:11Z");
    for (const char* bad : {"", "2026-11-29 14:02:11Z", "2026-13-01T00:00:00Z",
                            "2026-11-29T14:02:11", "2026-11-29T14:02:1xZ"}) {
        BOOST_TEST(!parseIsoUtc(bad).has_value(), bad);
    }
}

BOOST_AUTO_TEST_SUITE_END()
