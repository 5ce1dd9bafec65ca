#include "util/FileBackup.h"

#include "TestEnv.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

using namespace certagent;
using certagent::test::TempDir;

BOOST_AUTO_TEST_SUITE(FileBackupLinks)

// Issue 11, defect 5: a backup/ (or backup/<plugin>) link planted in the store is not followed
// by the web server config backups; nothing is written where it points.
BOOST_AUTO_TEST_CASE(planted_backup_links_are_not_followed) {
    for (const std::string planted : {"backup", "backup/nginx"}) {
        TempDir tmp;
        const std::string store = tmp / "store";
        const std::string elsewhere = tmp / "elsewhere";
        BOOST_TEST_REQUIRE(::mkdir(store.c_str(), 0700) == 0);
        BOOST_TEST_REQUIRE(::mkdir((store + "/backup").c_str(), 0700) == 0);
        BOOST_TEST_REQUIRE(::mkdir(elsewhere.c_str(), 0755) == 0);
        if (planted == "backup")
            BOOST_TEST_REQUIRE(::rmdir((store + "/backup").c_str()) == 0);
        BOOST_TEST_REQUIRE(::symlink(elsewhere.c_str(), (store + "/" + planted).c_str()) == 0);
        test::writeFile(tmp / "site.conf", "server {}\n");
        FileSnapshot snap = snapshotFile(tmp / "site.conf");

        BOOST_CHECK_THROW(writeBackup(store, "nginx", {snap}), IoError);
        BOOST_TEST(::rmdir(elsewhere.c_str()) == 0, planted << ": something was written there");
    }
}

BOOST_AUTO_TEST_SUITE_END()
