#include "store/Lock.h"

#include "StoreTestUtil.h"
#include "TestEnv.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <fcntl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using certagent::test::TempDir;
namespace store = certagent::store;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(LockTest)

BOOST_AUTO_TEST_CASE(busy_lock_names_the_holder) {
    TempDir tmp;
    const std::string path = tmp / "lock";
    store::StoreLock held(path, 1s);
    BOOST_TEST(certagent::test::readFile(path).empty()); // the holder is in /proc/locks

    auto r = store::test::runInChild([&]() -> std::string {
        try {
            store::StoreLock second(path, 200ms, 20ms);
            return "second lock acquired while held";
        } catch (const certagent::TemporaryError& e) {
            return std::string("busy:") + e.what();
        }
    });
    BOOST_TEST(
        r.message.rfind("busy:another certagent (pid " + std::to_string(::getpid()) + ", started ",
                        0) == 0,
        r.message);
    BOOST_TEST(r.message.find(" UTC) holds " + path) != std::string::npos, r.message);
}

BOOST_AUTO_TEST_CASE(waiter_gets_the_lock_once_released) {
    TempDir tmp;
    const std::string path = tmp / "lock";
    int toParent[2];
    int toChild[2];
    BOOST_REQUIRE(::pipe(toParent) == 0 && ::pipe(toChild) == 0);
    pid_t pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        int code = 0;
        try {
            store::StoreLock lock(path, 5s);
            char c = 'x';
            code = ::write(toParent[1], &c, 1) == 1 && ::read(toChild[0], &c, 1) == 1 ? 0 : 1;
        } catch (...) {
            code = 2;
        }
        ::_exit(code); // the lock goes with the process
    }
    char c = 0;
    BOOST_REQUIRE(::read(toParent[0], &c, 1) == 1); // the child holds the lock now
    BOOST_CHECK_THROW(store::StoreLock(path, 50ms, 10ms), certagent::TemporaryError);
    BOOST_REQUIRE(::write(toChild[1], "go", 1) == 1);
    {
        store::StoreLock mine(path, 60s, 5ms); // waits for the child to finish
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    for (int fd : {toParent[0], toParent[1], toChild[0], toChild[1]}) {
        ::close(fd);
    }
    BOOST_TEST(certagent::test::readFile(path).empty()); // a lock writes nothing
}

BOOST_AUTO_TEST_CASE(never_two_holders) {
    TempDir tmp;
    const std::string path = tmp / "lock";
    const std::string inside = tmp / "inside";
    const std::string counter = tmp / "counter";
    certagent::test::writeFile(counter, "0", 0644);
    constexpr int kChildren = 4;
    constexpr int kRounds = 25;
    std::vector<pid_t> pids;
    for (int i = 0; i < kChildren; ++i) {
        pid_t pid = ::fork();
        BOOST_REQUIRE(pid >= 0);
        if (pid == 0) {
            int code = 0;
            try {
                for (int round = 0; round < kRounds && code == 0; ++round) {
                    store::StoreLock lock(path, 120s, 1ms);
                    // O_EXCL fails if another holder is inside at the same time.
                    int fd = ::open(inside.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
                    if (fd < 0) {
                        code = 3;
                        break;
                    }
                    ::close(fd);
                    // A non-atomic read-modify-write that loses updates without exclusion.
                    const int n = std::stoi(certagent::test::readFile(counter));
                    std::this_thread::yield();
                    certagent::test::writeFile(counter, std::to_string(n + 1), 0644);
                    ::unlink(inside.c_str());
                }
            } catch (...) {
                code = 4;
            }
            ::_exit(code);
        }
        pids.push_back(pid);
    }
    for (pid_t pid : pids) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 0), "child status " << status);
    }
    BOOST_TEST(certagent::test::readFile(counter) == std::to_string(kChildren * kRounds));
}

BOOST_AUTO_TEST_CASE(lock_file_symlink_is_refused) {
    TempDir tmp;
    BOOST_REQUIRE(::symlink((tmp / "elsewhere").c_str(), (tmp / "lock").c_str()) == 0);
    BOOST_CHECK_THROW(store::StoreLock(tmp / "lock", 10ms), certagent::IoError);
    BOOST_TEST(!certagent::test::exists(tmp / "elsewhere"));
}

BOOST_AUTO_TEST_SUITE_END()
