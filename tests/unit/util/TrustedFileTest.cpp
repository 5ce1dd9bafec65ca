#include "util/TrustedFile.h"

#include "TestEnv.h"
#include "util/Error.h"
#include "util/Secret.h"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sys/stat.h>

using namespace certagent;
using certagent::test::expectThrow;
using certagent::test::TempDir;

namespace {

std::string writeFile(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
    ::chmod(path.c_str(), 0600);
    return path;
}

TrustedFileRules capped(std::size_t maxBytes) {
    TrustedFileRules rules;
    rules.maxBytes = maxBytes;
    return rules;
}

} // namespace

BOOST_AUTO_TEST_SUITE(TrustedFile)

// The read buffer is sized from fstat; the cap still holds to the byte.
BOOST_AUTO_TEST_CASE(reads_up_to_the_cap_and_refuses_one_byte_more) {
    TempDir tmp;
    const std::string full(2048, 'a');
    BOOST_TEST(readTrustedFile(writeFile(tmp / "full", full), "full", capped(2048)).reveal() ==
               full);
    const std::string empty = writeFile(tmp / "empty", "");
    BOOST_TEST(readTrustedFile(empty, "empty", capped(2048)).reveal() == "");
    const std::string over = writeFile(tmp / "over", full + "b");
    BOOST_TEST(expectThrow<ConfigError>([&] {
                   readTrustedFile(over, "over", capped(2048));
               }).what() == std::string("over: larger than 2 KiB"));
}

// A file whose size fstat does not tell (procfs says 0) is read whole through a growing
// buffer, and still refused past the cap.
BOOST_AUTO_TEST_CASE(a_file_longer_than_its_stat_size_is_read_whole) {
    const std::string status =
        readTrustedFile("/proc/self/status", "status", capped(64 * 1024)).reveal();
    BOOST_TEST(status.rfind("Name:", 0) == 0);
    BOOST_TEST(status.find("\nPid:") != std::string::npos);
    BOOST_TEST(status.back() == '\n');
    BOOST_TEST(expectThrow<ConfigError>([&] {
                   readTrustedFile("/proc/self/status", "status", capped(1024));
               }).what() == std::string("status: larger than 1 KiB"));
}

BOOST_AUTO_TEST_SUITE_END()
