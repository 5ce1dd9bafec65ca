#define BOOST_TEST_MODULE certagent
#include <boost/test/unit_test.hpp>
