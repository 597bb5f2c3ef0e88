// The event loop named by the build (SITESEEK_IO_URING), and the probe that checks it can run.
#include <boost/test/unit_test.hpp>

#include <string>

#include "siteseek/io_backend.hpp"

using namespace siteseek;

BOOST_AUTO_TEST_SUITE(io_backend_suite)

BOOST_AUTO_TEST_CASE(names_the_backend_it_was_built_with) {
#ifdef SITESEEK_IO_URING
  BOOST_TEST(std::string(io_backend()) == "io_uring");
#else
  BOOST_TEST(std::string(io_backend()) == "epoll");
#endif
}

// The machines siteseek is built and tested on allow io_uring; where the kernel refuses it, the
// error and its message are tested over a real process (integration test_kernel_refusing_io_uring).
BOOST_AUTO_TEST_CASE(the_backend_runs_here) {
  BOOST_CHECK_NO_THROW(check_io_backend());
  BOOST_CHECK_NO_THROW(check_io_backend());  // the probe's answer is kept
}

BOOST_AUTO_TEST_SUITE_END()
