#include "util/Error.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;

BOOST_AUTO_TEST_SUITE(ErrorCodes)

BOOST_AUTO_TEST_CASE(severity_order) {
    BOOST_TEST(worseExit(kExitOk, kExitTemporary) == kExitTemporary);
    BOOST_TEST(worseExit(kExitTemporary, kExitRefused) == kExitRefused);
    BOOST_TEST(worseExit(kExitRefused, kExitTemporary) == kExitRefused);
    BOOST_TEST(worseExit(kExitRolledBack, kExitRefused) == kExitRolledBack);
    BOOST_TEST(worseExit(kExitRollbackFailed, kExitInternal) == kExitRollbackFailed);
    BOOST_TEST(worseExit(kExitLocalIo, kExitTemporary) == kExitLocalIo);
    BOOST_TEST(worseExit(kExitOk, kExitOk) == kExitOk);
}

BOOST_AUTO_TEST_CASE(subclasses_carry_their_codes) {
    BOOST_TEST(ConfigError("x").exitCode() == 2);
    BOOST_TEST(TemporaryError("x").exitCode() == 3);
    BOOST_TEST(RefusedError("x").exitCode() == 4);
    BOOST_TEST(CryptoError("x").exitCode() == 4);
    BOOST_TEST(IoError("x").exitCode() == 7);
    InstallError e("nginx", "test", "nginx -t failed");
    BOOST_TEST(e.exitCode() == 5);
    BOOST_TEST(std::string(e.what()) == "nginx test: nginx -t failed");
}

BOOST_AUTO_TEST_SUITE_END()
