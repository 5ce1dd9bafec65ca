// What a local user could plant or loosen around the configuration (hostile-inputs: "Local users
// and admins"): directories others can write to, symlinks in certs.d, names that escape the store.
#include "ConfigFixture.h"
#include "TestEnv.h"
#include "config/Config.h"
#include "store/Store.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

using namespace certagent;
using namespace certagent::config;
using certagent::test::ConfigFixture;
using certagent::test::kCert;
using certagent::test::writeFile;

namespace {

const std::string kStickyNote =
    " (sticky is enough only for a directory above, like /tmp: anyone could add an entry here)";

int configExitCode(const ConfigFixture& f) {
    try {
        loadConfig(f.main());
    } catch (const Error& e) {
        return e.exitCode();
    }
    return 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(ConfigSafety)

BOOST_FIXTURE_TEST_CASE(world_writable_certs_d_is_refused, ConfigFixture) {
    std::string certs = etc + "/certs.d";
    ::chmod(certs.c_str(), 0777);
    BOOST_TEST(error() == "certs.d: " + certs + " is group- or world-writable (fix: chmod go-w " +
                              certs + ")");
    BOOST_TEST(configExitCode(*this) == 2);
}

BOOST_FIXTURE_TEST_CASE(sticky_world_writable_certs_d_itself_is_refused, ConfigFixture) {
    // Sticky keeps others from removing our files, not from adding their own zz.conf.
    std::string certs = etc + "/certs.d";
    ::chmod(certs.c_str(), 01777);
    BOOST_TEST(error() == "certs.d: " + certs + " is group- or world-writable" + kStickyNote +
                              " (fix: chmod go-w " + certs + ")");
}

BOOST_FIXTURE_TEST_CASE(group_writable_config_dir_is_refused, ConfigFixture) {
    ::chmod(etc.c_str(), 0775);
    BOOST_TEST(error() == "config directory: " + etc +
                              " is group- or world-writable (fix: chmod go-w " + etc + ")");
}

BOOST_AUTO_TEST_CASE(world_writable_ancestor_is_refused_unless_root_sticky) {
    ConfigFixture f("open/etc");
    std::string open = f.dir / "open";
    ::chmod(open.c_str(), 0777);
    BOOST_TEST(f.error() == "config directory: " + open +
                                " is group- or world-writable (fix: chmod go-w " + open + ")");
    // Like /tmp: root's and sticky is fine for a directory above the config.
    ::chmod(open.c_str(), 01777);
    if (::geteuid() == 0)
        BOOST_TEST(f.error() == "(no error)");
}

BOOST_AUTO_TEST_CASE(credentials_directory_is_checked) {
    ConfigFixture f;
    std::string secret = f.dir / "secret";
    writeFile(secret + "/credentials.conf", "user = me@example.com\npass = hunter2\n", 0600);
    std::string main = test::kMain;
    const std::string line = "credentials = credentials.conf";
    main.replace(main.find(line), line.size(), "credentials = " + secret + "/credentials.conf");
    writeFile(f.main(), main, 0644);
    BOOST_TEST(f.error() == "(no error)");
    ::chmod(secret.c_str(), 0770);
    BOOST_TEST(f.error() == "credentials directory: " + secret +
                                " is group- or world-writable (fix: chmod go-w " + secret + ")");
    // status and csr read no credentials, so they do not care where they live.
    BOOST_CHECK_NO_THROW(loadConfig(f.main(), false));
}

BOOST_FIXTURE_TEST_CASE(symlink_in_certs_d_is_not_followed, ConfigFixture) {
    // Even to a root-owned, valid certificate file: certs.d entries must be the files themselves.
    std::string target = dir / "elsewhere/zz.conf";
    writeFile(target, "domains = zz.example.com\norder_id = 5\ndcv = email\n", 0644);
    BOOST_REQUIRE(::symlink(target.c_str(), (etc + "/certs.d/zz.conf").c_str()) == 0);
    BOOST_TEST(error() == "certs.d/zz.conf: is a symbolic link, which certagent does not follow "
                          "here (put the file itself in its place)");
    BOOST_TEST(configExitCode(*this) == 2);
}

BOOST_FIXTURE_TEST_CASE(foreign_owned_certs_d_is_refused, ConfigFixture) {
    if (::geteuid() != 0) {
        BOOST_TEST_MESSAGE("skipped: chown needs root");
        return;
    }
    std::string certs = etc + "/certs.d";
    BOOST_REQUIRE(::chown(certs.c_str(), 65534, 65534) == 0);
    BOOST_TEST(error() == "certs.d: " + certs +
                              " is owned by uid 65534 (not root or us) (fix: chown root " + certs +
                              ")");
}

BOOST_FIXTURE_TEST_CASE(dot_dot_name_is_refused_at_load, ConfigFixture) {
    // The store refuses it too, so it must never get past the load (it used to fail mid-run).
    cert("a..b", "domains = other.example.com\norder_id = 5\ndcv = email\n");
    BOOST_TEST(error() ==
               "certs.d/a..b.conf: bad certificate name \"a..b\" (\"..\" is not allowed)");
    BOOST_TEST(configExitCode(*this) == 2);
    BOOST_CHECK_THROW(store::Store::checkName("a..b"), ConfigError);
}

BOOST_AUTO_TEST_CASE(config_and_store_share_one_name_rule) {
    const std::vector<std::string> good = {"shop", "shop.example_1-2", std::string(64, 'a')};
    for (const auto& name : good) {
        BOOST_TEST(isValidCertName(name), name);
        BOOST_CHECK_NO_THROW(store::Store::checkName(name));
    }
    const std::vector<std::string> bad = {std::string(65, 'a'), "a..b", ".x", "-x", "a/b", ""};
    for (const auto& name : bad) {
        BOOST_TEST(!isValidCertName(name), name);
        BOOST_CHECK_THROW(store::Store::checkName(name), ConfigError);
    }
}

BOOST_FIXTURE_TEST_CASE(overlapping_names_across_files_are_refused, ConfigFixture) {
    cert("blog", "domains = blog.example.com, WWW.example.com, example.com\norder_id = 5\n"
                 "dcv = email\n");
    BOOST_TEST(error() == "certs.d/shop.conf: shares example.com, www.example.com with "
                          "certs.d/blog.conf (each name may belong to one certificate file only)");
    BOOST_TEST(configExitCode(*this) == 2);
    // A wildcard and a name below it are different names: each file keeps its own block.
    cert("blog", "domains = *.example.com\norder_id = 5\ndcv = dns\n");
    BOOST_TEST(error() == "(no error)");
}

BOOST_FIXTURE_TEST_CASE(ip_addresses_are_not_names, ConfigFixture) {
    for (const char* ip : {"127.0.0.1", "10.1.2.3", "127.1", "::1", "[2001:db8::1]"}) {
        cert(std::string("domains = example.com, ") + ip + "\norder_id = 5\ndcv = email\n");
        std::string want = "certs.d/shop.conf:1: domains: IP addresses are not valid here: \"";
        BOOST_TEST(error() == want + ip + "\"", ip);
    }
    BOOST_TEST(isIpAddress("192.0.2.1"));
    BOOST_TEST(!isIpAddress("1.example.com"));
    BOOST_TEST(!isIpAddress("1 example.com"));
}

BOOST_AUTO_TEST_CASE(relative_config_path_is_made_absolute) {
    ConfigFixture f("etc");
    char* cwd = ::getcwd(nullptr, 0);
    std::string previous = cwd ? cwd : "/";
    std::free(cwd);
    BOOST_REQUIRE(::chdir(f.dir.path().c_str()) == 0);
    Config config;
    try {
        config = loadConfig("etc/certagent.conf");
    } catch (...) {
        BOOST_REQUIRE(::chdir(previous.c_str()) == 0);
        throw;
    }
    BOOST_REQUIRE(::chdir(previous.c_str()) == 0);
    BOOST_TEST(config.path == f.etc + "/certagent.conf");
    BOOST_TEST(config.storeDir == f.etc + "/store");
    BOOST_TEST(config.hooksDir == f.etc + "/hooks");
    BOOST_TEST(config.certsDir == f.etc + "/certs.d");
    BOOST_TEST(config.api.credentialsFile == f.etc + "/credentials.conf");
    BOOST_TEST(config.cert("shop").file == "certs.d/shop.conf");
}

BOOST_AUTO_TEST_SUITE_END()
