// The one Boost.Test entry point every unit-test program links.
#define BOOST_TEST_MODULE siteseek
#include <boost/test/unit_test.hpp>
