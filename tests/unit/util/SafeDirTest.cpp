#include "util/SafeDir.h"

#include "TestEnv.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

using namespace certagent;
using certagent::test::expectThrow;
using certagent::test::TempDir;

namespace {

constexpr uid_t kOther = 65534; // nobody

/// <tmp>/site (owned by `siteOwner`) with public/ (same owner) and elsewhere/ beside it.
struct Site {
    TempDir tmp;
    std::string site = tmp / "site";
    std::string pub = site + "/public";
    std::string elsewhere = tmp / "elsewhere";

    explicit Site(uid_t siteOwner) {
        ::mkdir(site.c_str(), 0755);
        ::mkdir(pub.c_str(), 0755);
        ::mkdir(elsewhere.c_str(), 0755);
        BOOST_TEST_REQUIRE(::chown(site.c_str(), siteOwner, siteOwner) == 0);
        BOOST_TEST_REQUIRE(::chown(pub.c_str(), siteOwner, siteOwner) == 0);
    }
    /// public/ replaced by a link to elsewhere/.
    void swap() {
        BOOST_TEST_REQUIRE(::rmdir(pub.c_str()) == 0);
        BOOST_TEST_REQUIRE(::symlink(elsewhere.c_str(), pub.c_str()) == 0);
    }
};

ino_t inodeOf(const std::string& path) {
    struct stat st {};
    BOOST_TEST_REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_ino;
}

} // namespace

BOOST_AUTO_TEST_SUITE(SafeDir)

BOOST_AUTO_TEST_CASE(opens_a_plain_directory_below_its_owner) {
    Site s(kOther);
    OpenedDir d = openDirNoForeignLinks(s.pub + "/./", "web root");
    BOOST_TEST(d.fd.valid());
    BOOST_TEST(d.st.st_ino == inodeOf(s.pub));
}

BOOST_AUTO_TEST_CASE(refuses_a_link_in_a_directory_others_own) {
    Site s(kOther);
    s.swap();
    auto e = expectThrow<RefusedError>([&] { openDirNoForeignLinks(s.pub, "web root"); });
    BOOST_TEST(std::string(e.what()) ==
               "web root: " + s.pub + " is a symlink in " + s.site +
                   ", which others than root can change; not following it");
}

BOOST_AUTO_TEST_CASE(refuses_a_link_in_a_directory_others_can_write) {
    Site s(::geteuid());
    BOOST_TEST_REQUIRE(::chmod(s.site.c_str(), 0777) == 0);
    s.swap();
    BOOST_CHECK_THROW(openDirNoForeignLinks(s.pub, "web root"), RefusedError);
}

BOOST_AUTO_TEST_CASE(follows_a_link_only_root_can_have_made) {
    Site s(::geteuid());
    s.swap();
    OpenedDir d = openDirNoForeignLinks(s.pub, "web root");
    BOOST_TEST(d.st.st_ino == inodeOf(s.elsewhere));
}

BOOST_AUTO_TEST_CASE(refuses_a_foreign_directory_on_the_way) {
    Site s(::geteuid());
    BOOST_TEST_REQUIRE(::chown(s.site.c_str(), kOther, kOther) == 0);
    auto e = expectThrow<RefusedError>([&] { openDirNoForeignLinks(s.pub, "web root"); });
    BOOST_TEST(std::string(e.what()) ==
               "web root: " + s.site + " is owned by uid 65534, neither root nor the owner of " +
                   s.pub + " (uid 0); refusing to write below it");
}

BOOST_AUTO_TEST_CASE(missing_or_relative_is_an_io_error) {
    Site s(::geteuid());
    BOOST_CHECK_THROW(openDirNoForeignLinks(s.pub + "/missing", "web root"), IoError);
    BOOST_CHECK_THROW(openDirNoForeignLinks("relative/dir", "web root"), IoError);
}

BOOST_AUTO_TEST_SUITE_END()
