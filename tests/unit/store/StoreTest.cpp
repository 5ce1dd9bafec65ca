#include "store/Store.h"

#include "StoreTestUtil.h"
#include "TestEnv.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

using certagent::test::TempDir;
namespace store = certagent::store;

namespace {

unsigned modeOf(const std::string& path) {
    struct stat st {};
    BOOST_REQUIRE_MESSAGE(::lstat(path.c_str(), &st) == 0, "lstat " << path);
    return st.st_mode & 07777;
}

std::string linkTarget(const std::string& path) {
    char buf[4096];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    BOOST_REQUIRE_MESSAGE(n > 0, "readlink " << path);
    return std::string(buf, static_cast<size_t>(n));
}

/// Sets the umask for the scope of a test.
class UmaskGuard {
  public:
    explicit UmaskGuard(mode_t mask) : m_old(::umask(mask)) {}
    ~UmaskGuard() { ::umask(m_old); }

  private:
    mode_t m_old;
};

/// Writes `count` versions tagged v1..vN, making each live in turn.
void writeLiveVersions(store::Store& s, const std::string& name, int count) {
    for (int i = 1; i <= count; ++i) {
        const int v = s.writeVersion(name, store::test::fakeVersion("v" + std::to_string(i)));
        s.switchLive(name, v);
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(StoreTest)

BOOST_AUTO_TEST_CASE(layout_and_modes_ignore_umask) {
    for (mode_t mask : {mode_t(0), mode_t(077), mode_t(0222)}) {
        UmaskGuard guard(mask);
        TempDir tmp;
        store::Store s(tmp / "store", 5);
        s.ensureLayout();
        const int v = s.writeVersion("shop", store::test::fakeVersion("v1"));
        BOOST_TEST(v == 1);
        s.switchLive("shop", v);
        s.writePendingKey("shop",
                          "-----BEGIN PRIVATE KEY-----\npending\n-----END PRIVATE KEY-----\n");
        s.writeState("shop", "{\"phase\":\"idle\"}");

        BOOST_TEST(modeOf(tmp / "store/live") == 0755u);
        BOOST_TEST(modeOf(tmp / "store/archive") == 0700u);
        BOOST_TEST(modeOf(tmp / "store/archive/shop") == 0700u);
        BOOST_TEST(modeOf(tmp / "store/archive/shop/0001") == 0700u);
        BOOST_TEST(modeOf(tmp / "store/archive/shop/0001/privkey.pem") == 0600u);
        for (const char* f : {"cert.pem", "chain.pem", "fullchain.pem", "meta.json"}) {
            BOOST_TEST(modeOf(tmp / "store/archive/shop/0001/" + f) == 0644u, f);
        }
        BOOST_TEST(modeOf(tmp / "store/pending") == 0700u);
        BOOST_TEST(modeOf(tmp / "store/pending/shop") == 0700u);
        BOOST_TEST(modeOf(tmp / "store/pending/shop/privkey.pem") == 0600u);
        BOOST_TEST(modeOf(tmp / "store/state") == 0700u);
        BOOST_TEST(modeOf(tmp / "store/state/shop.json") == 0600u);
    }
}

BOOST_AUTO_TEST_CASE(live_link_is_relative_and_complete) {
    TempDir tmp;
    store::Store s(tmp / "store", 5);
    s.ensureLayout();
    BOOST_TEST(!s.liveVersion("shop").has_value());
    const int v1 = s.writeVersion("shop", store::test::fakeVersion("v1"));
    BOOST_TEST(!s.liveVersion("shop").has_value()); // written, not yet live
    s.switchLive("shop", v1);
    BOOST_TEST(linkTarget(tmp / "store/live/shop") == "../archive/shop/0001");
    const int v2 = s.writeVersion("shop", store::test::fakeVersion("v2"));
    BOOST_TEST(v2 == 2);
    s.switchLive("shop", v2);
    BOOST_TEST(linkTarget(tmp / "store/live/shop") == "../archive/shop/0002");
    BOOST_TEST(*s.liveVersion("shop") == 2);
    BOOST_TEST(certagent::test::readFile(s.liveDir("shop") + "/fullchain.pem") ==
               store::test::fakeVersion("v2").fullchainPem);
    BOOST_TEST(store::test::findEntryWithPrefix(tmp / "store/live", ".").empty());
    BOOST_TEST(store::test::findEntryWithPrefix(tmp / "store/archive/shop", ".tmp-").empty());
    std::string tag;
    BOOST_TEST(store::test::checkLiveConsistent(s, "shop", tag) == "");
    BOOST_TEST(tag == "v2");
}

BOOST_AUTO_TEST_CASE(meta_records_facts_and_stamps) {
    TempDir tmp;
    store::Store s(tmp / "store", 5);
    s.ensureLayout();
    s.switchLive("shop", s.writeVersion("shop", store::test::fakeVersion("v1")));
    auto meta = s.liveMeta("shop");
    BOOST_REQUIRE(meta.has_value());
    BOOST_TEST(meta->order.id == "1840217");
    BOOST_TEST(meta->sha256 == "sha-v1");
    BOOST_TEST(meta->notAfter == "2027-06-17T23:59:59Z");
    BOOST_TEST(meta->names.size() == 2u);
    BOOST_TEST(meta->createdAt.size() == 20u);
    BOOST_TEST(meta->files.size() == 4u);
    struct stat st {};
    BOOST_REQUIRE(::stat((s.liveDir("shop") + "/privkey.pem").c_str(), &st) == 0);
    BOOST_TEST(meta->files["privkey.pem"].inode == static_cast<unsigned long long>(st.st_ino));
    BOOST_TEST(meta->files["privkey.pem"].mode == 0600u);
}

BOOST_AUTO_TEST_CASE(live_files_unchanged_detects_edits) {
    TempDir tmp;
    store::Store s(tmp / "store", 5);
    s.ensureLayout();
    BOOST_TEST(!s.liveFilesUnchanged("shop"));
    s.switchLive("shop", s.writeVersion("shop", store::test::fakeVersion("v1")));
    BOOST_TEST(s.liveFilesUnchanged("shop"));
    // Rewriting the same bytes through a new file (new inode) counts as a change.
    const std::string cert = s.liveDir("shop") + "/cert.pem";
    const std::string text = certagent::test::readFile(cert);
    BOOST_REQUIRE(::unlink(cert.c_str()) == 0);
    certagent::test::writeFile(cert, text, 0644);
    BOOST_TEST(!s.liveFilesUnchanged("shop"));
    s.switchLive("shop", s.writeVersion("shop", store::test::fakeVersion("v2")));
    BOOST_TEST(s.liveFilesUnchanged("shop"));
    BOOST_REQUIRE(::chmod((s.liveDir("shop") + "/privkey.pem").c_str(), 0644) == 0);
    BOOST_TEST(!s.liveFilesUnchanged("shop"));
}

BOOST_AUTO_TEST_CASE(rollback_goes_to_highest_complete_lower_version) {
    TempDir tmp;
    store::Store s(tmp / "store", 5);
    s.ensureLayout();
    s.switchLive("shop", s.writeVersion("shop", store::test::fakeVersion("v1")));
    BOOST_TEST(!s.previousVersion("shop").has_value());
    BOOST_CHECK_THROW(s.rollback("shop"), certagent::RefusedError);
    BOOST_TEST(*s.liveVersion("shop") == 1); // untouched
    writeLiveVersions(s, "shop", 2);         // versions 2 (v1) and 3 (v2)
    BOOST_TEST(*s.liveVersion("shop") == 3);
    // An incomplete version 2 is skipped.
    BOOST_REQUIRE(::unlink((s.versionDir("shop", 2) + "/chain.pem").c_str()) == 0);
    BOOST_TEST(*s.previousVersion("shop") == 1);
    BOOST_TEST(s.rollback("shop") == 1);
    BOOST_TEST(*s.liveVersion("shop") == 1);
    std::string tag;
    BOOST_TEST(store::test::checkLiveConsistent(s, "shop", tag) == "");
    BOOST_TEST(tag == "v1");
    // The next version numbers on from the highest directory, never reusing one.
    BOOST_TEST(s.writeVersion("shop", store::test::fakeVersion("v9")) == 4);
    BOOST_CHECK_THROW(s.switchLive("shop", 2), certagent::IoError); // incomplete
    BOOST_TEST(*s.liveVersion("shop") == 1);
}

BOOST_AUTO_TEST_CASE(prune_keeps_newest_and_never_live_or_predecessor) {
    TempDir tmp;
    store::Store s(tmp / "store", 3);
    s.ensureLayout();
    writeLiveVersions(s, "shop", 6);
    BOOST_TEST(s.prune("shop") == std::vector<int>({1, 2, 3}));
    BOOST_TEST(s.versions("shop") == std::vector<int>({4, 5, 6}));

    TempDir tmp2;
    store::Store one(tmp2 / "store", 1);
    one.ensureLayout();
    writeLiveVersions(one, "shop", 5);
    one.switchLive("shop", 3); // e.g. after rollbacks
    BOOST_TEST(one.prune("shop") == std::vector<int>({1, 4}));
    BOOST_TEST(one.versions("shop") == std::vector<int>({2, 3, 5}));
    BOOST_TEST(*one.liveVersion("shop") == 3);
    BOOST_TEST(one.rollback("shop") == 2);
}

BOOST_AUTO_TEST_CASE(leftover_temp_dirs_are_cleaned_on_next_write) {
    TempDir tmp;
    store::Store s(tmp / "store", 5);
    s.ensureLayout();
    s.switchLive("shop", s.writeVersion("shop", store::test::fakeVersion("v1")));
    certagent::test::writeFile(tmp / "store/archive/shop/.tmp-crash1/privkey.pem", "partial", 0600);
    BOOST_TEST(s.writeVersion("shop", store::test::fakeVersion("v2")) == 2);
    BOOST_TEST(!certagent::test::exists(tmp / "store/archive/shop/.tmp-crash1"));
}

BOOST_AUTO_TEST_CASE(names_are_checked_and_listed) {
    TempDir tmp;
    store::Store s(tmp / "store", 5);
    s.ensureLayout();
    for (const char* bad : {"", "..", "../x", "a/b", ".hidden", "a..b", "x\n", "-x"}) {
        BOOST_CHECK_THROW(s.writeVersion(bad, store::test::fakeVersion("v1")),
                          certagent::ConfigError);
        BOOST_CHECK_THROW(s.readState(bad), certagent::ConfigError);
    }
    s.switchLive("shop.example", s.writeVersion("shop.example", store::test::fakeVersion("v1")));
    s.writeState("blog", "{}");
    s.writePendingKey("api_1", "key");
    BOOST_TEST(s.names() == std::vector<std::string>({"api_1", "blog", "shop.example"}));
}

BOOST_AUTO_TEST_CASE(odd_live_entries_are_warned_not_trusted) {
    TempDir tmp;
    std::vector<std::string> warnings;
    store::Store s(tmp / "store", 5, [&](const std::string& w) { warnings.push_back(w); });
    s.ensureLayout();
    BOOST_REQUIRE(::symlink("/etc", (tmp / "store/live/shop").c_str()) == 0);
    BOOST_TEST(!s.liveVersion("shop").has_value());
    BOOST_REQUIRE(warnings.size() == 1u);
    BOOST_TEST(warnings[0].find("unexpected target") != std::string::npos);
    // A real directory in place of the link is never replaced.
    BOOST_REQUIRE(::mkdir((tmp / "store/live/blog").c_str(), 0755) == 0);
    const int v = s.writeVersion("blog", store::test::fakeVersion("v1"));
    BOOST_CHECK_THROW(s.switchLive("blog", v), certagent::IoError);
    BOOST_TEST(store::test::findEntryWithPrefix(tmp / "store/live", ".blog").empty());
}

BOOST_AUTO_TEST_CASE(corrupt_meta_is_warned_and_ignored) {
    TempDir tmp;
    std::vector<std::string> warnings;
    store::Store s(tmp / "store", 5, [&](const std::string& w) { warnings.push_back(w); });
    s.ensureLayout();
    s.switchLive("shop", s.writeVersion("shop", store::test::fakeVersion("v1")));
    certagent::test::writeFile(s.versionDir("shop", 1) + "/meta.json", "{\"orderId\": \"x\x1b[2J\"",
                               0644);
    BOOST_TEST(!s.liveMeta("shop").has_value());
    BOOST_TEST(!s.liveFilesUnchanged("shop"));
    BOOST_REQUIRE(!warnings.empty());
    BOOST_TEST(warnings[0].find('\x1b') == std::string::npos);
}

// Issue 11, defect 5: a store others could write to is refused, not repaired and then trusted.
BOOST_AUTO_TEST_CASE(store_open_to_others_is_refused_not_repaired) {
    for (const std::string sub : {"", "/state", "/backup"}) {
        TempDir tmp;
        const std::string dir = tmp / "store";
        store::Store s(dir, 5);
        s.ensureLayout();
        ::mkdir((dir + "/backup").c_str(), 0700);
        BOOST_TEST_REQUIRE(::chmod((dir + sub).c_str(), 0777) == 0);
        try {
            s.ensureLayout();
            BOOST_ERROR("no error for a world-writable " << dir + sub);
        } catch (const certagent::IoError& e) {
            BOOST_TEST(std::string(e.what()) ==
                       "store directory " + dir + sub +
                           " is writable by group or others, so anything in it may have been "
                           "planted; check what is in it, then: chmod go-w " +
                           dir + sub);
            BOOST_TEST(e.exitCode() == 7);
        }
        BOOST_TEST(modeOf(dir + sub) == 0777u, sub);
    }
}

BOOST_AUTO_TEST_CASE(store_below_a_directory_others_can_change_is_refused) {
    TempDir tmp;
    const std::string parent = tmp / "shared";
    ::mkdir(parent.c_str(), 0755);
    BOOST_TEST_REQUIRE(::chmod(parent.c_str(), 0777) == 0);
    store::Store s(parent + "/store", 5);
    try {
        s.ensureLayout();
        BOOST_ERROR("no error for a store below a world-writable directory");
    } catch (const certagent::IoError& e) {
        BOOST_TEST(std::string(e.what()) == "store directory " + parent + "/store: " + parent +
                                                " is group- or world-writable (fix: chmod go-w " +
                                                parent + ")");
    }
}

BOOST_AUTO_TEST_SUITE_END()
