// The event loop named by the build (SITESEEK_IO_URING), the probe that checks it can run, and
// drain(), which lets cancelled operations complete before a loop is destroyed.
#include <sys/socket.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
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

namespace asio = boost::asio;
using namespace std::chrono_literals;

// An accept on a listener shut down (an error) and a cancelled timer complete inside drain(), and a
// handler one of them posts to a second loop runs too: nothing is left for the destructors.
BOOST_AUTO_TEST_CASE(drain_completes_cancelled_operations_across_loops) {
  asio::io_context first, second;
  asio::ip::tcp::acceptor acceptor(first, {asio::ip::make_address("127.0.0.1"), 0});
  asio::steady_timer timer(first, 1h);
  boost::system::error_code accept_ec, timer_ec;
  bool posted_ran = false;
  acceptor.async_accept(second, [&](boost::system::error_code ec, asio::ip::tcp::socket) {
    accept_ec = ec;
    asio::post(second, [&] { posted_ran = true; });
  });
  timer.async_wait([&](boost::system::error_code ec) { timer_ec = ec; });
  ::shutdown(acceptor.native_handle(), SHUT_RDWR);  // not cancel() or close(): see Session in the HTTP server
  timer.cancel();
  asio::io_context* loops[] = {&second, &first};  // the posting loop last: a second pass is needed
  BOOST_TEST(drain(loops, 2s));
  BOOST_TEST(accept_ec.failed());
  BOOST_TEST(timer_ec == asio::error::operation_aborted);
  BOOST_TEST(posted_ran);
  BOOST_TEST(first.stopped());
  BOOST_TEST(second.stopped());
}

BOOST_AUTO_TEST_CASE(drain_of_an_idle_loop_returns_at_once) {
  asio::io_context loop;
  const auto t0 = std::chrono::steady_clock::now();
  BOOST_TEST(drain(loop, 5s));
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < 1s));
}

// Work that never ends (here a work guard) is not waited for past the limit.
BOOST_AUTO_TEST_CASE(drain_gives_up_at_its_limit) {
  asio::io_context loop;
  auto guard = asio::make_work_guard(loop);
  const auto t0 = std::chrono::steady_clock::now();
  BOOST_TEST(!drain(loop, 50ms));
  const auto took = std::chrono::steady_clock::now() - t0;
  BOOST_TEST((took >= 50ms && took < 2s));
}

BOOST_AUTO_TEST_SUITE_END()
