#include "api/KeyCache.h"

#include "Examples.h"
#include "FakeApi.h"
#include "TestEnv.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

using namespace certagent;
using namespace certagent::api;
using namespace certagent::api::test;
using certagent::test::TempDir;

namespace {

unsigned modeOf(const std::string& path) {
    struct stat st {};
    BOOST_REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

} // namespace

BOOST_AUTO_TEST_SUITE(ApiKeyCache)

BOOST_AUTO_TEST_CASE(key_file_is_created_0600_and_reused_by_the_next_client) {
    TempDir dir;
    Harness h;
    h.settings.keyCachePath = dir / "auth.key";
    h.script->steps = {authOk(), ok(kStatusProcessingExample), ok(kStatusProcessingExample)};
    const mode_t old = ::umask(0);
    h.client()->getOrderStatus(1840217);
    ::umask(old);
    BOOST_TEST(modeOf(dir / "auth.key") == 0600u);
    const std::string content = certagent::test::readFile(dir / "auth.key");
    BOOST_TEST(content.find(kKey1) != std::string::npos);
    BOOST_TEST(content.find(kPass) == std::string::npos);

    h.client()->getOrderStatus(1840217); // a new client instance: no auth call
    BOOST_TEST(h.script->authCount() == 1);
    BOOST_TEST(h.script->requests.back().target ==
               std::string("/orders/status/1840217?auth_key=") + kKey1);
}

BOOST_AUTO_TEST_CASE(garbage_unsafe_or_foreign_files_are_ignored) {
    TempDir dir;
    const std::string path = dir / "auth.key";
    detail::KeyCache cache(path, "https://api.example.test/api", kUser);
    BOOST_TEST(cache.store(Secret(std::string(kKey1))).empty());
    BOOST_TEST(cache.load().reveal() == kKey1);

    BOOST_TEST(detail::KeyCache(path, "https://other.example/api", kUser).load().empty());
    BOOST_TEST(detail::KeyCache(path, "https://api.example.test/api", "other@x").load().empty());

    ::chmod(path.c_str(), 0644);
    BOOST_TEST(cache.load().empty());
    ::chmod(path.c_str(), 0600);
    BOOST_TEST(!cache.load().empty());

    for (const std::string& garbage : {std::string(), std::string("\x01\x02\xff garbage"),
                                       std::string(kKey1) + "\n", std::string(10000, 'k')}) {
        ::unlink(path.c_str());
        certagent::test::writeFile(path, garbage, 0600);
        BOOST_TEST(cache.load().empty());
    }
    ::unlink(path.c_str());
    certagent::test::writeFile(dir / "target", "x", 0600);
    BOOST_REQUIRE(::symlink((dir / "target").c_str(), path.c_str()) == 0);
    BOOST_TEST(cache.load().empty());
}

BOOST_AUTO_TEST_CASE(garbage_file_leads_to_auth_and_is_replaced) {
    TempDir dir;
    Harness h;
    h.settings.keyCachePath = dir / "auth.key";
    certagent::test::writeFile(dir / "auth.key", "certagent-auth-key 1\nnonsense\n", 0600);
    h.script->steps = {authOk(), ok(kStatusProcessingExample)};
    h.client()->getOrderStatus(1840217);
    BOOST_TEST(h.script->authCount() == 1);
    BOOST_TEST(detail::KeyCache(dir / "auth.key", h.settings.url, kUser).load().reveal() == kKey1);
}

BOOST_AUTO_TEST_CASE(rejected_cached_key_is_replaced) {
    TempDir dir;
    Harness h;
    h.settings.keyCachePath = dir / "auth.key";
    detail::KeyCache(dir / "auth.key", h.settings.url, kUser).store(Secret(std::string(kKey1)));
    h.script->steps = {reply(403, ""), authOk(kKey2), ok(kStatusProcessingExample)};
    h.client()->getOrderStatus(1840217);
    BOOST_TEST(h.script->authCount() == 1);
    BOOST_TEST(h.script->requests[0].target ==
               std::string("/orders/status/1840217?auth_key=") + kKey1);
    BOOST_TEST(detail::KeyCache(dir / "auth.key", h.settings.url, kUser).load().reveal() == kKey2);
}

BOOST_AUTO_TEST_CASE(unwritable_cache_is_only_a_warning) {
    Harness h;
    h.settings.keyCachePath = "/nonexistent-dir-for-certagent/auth.key";
    h.script->steps = {authOk(), ok(kStatusProcessingExample)};
    BOOST_TEST(h.client()->getOrderStatus(1840217).orderId == 1840217);
    bool warned = false;
    for (const auto& line : h.logs) {
        warned |= line.find("cannot cache the auth key") != std::string::npos;
    }
    BOOST_TEST(warned);
}

BOOST_AUTO_TEST_SUITE_END()
