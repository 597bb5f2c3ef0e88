#pragma once
// The event loop siteseek's network code (the HTTP server, the Redis client) runs on. It is fixed
// when siteseek is built (SITESEEK_IO_URING): by default (AUTO) io_uring when liburing is
// installed and the build machine's kernel allows a ring, epoll otherwise; ON or OFF force one
// (docs/operations.md). check_io_backend() names a kernel that refuses io_uring at run time.

#include <chrono>
#include <span>

namespace boost::asio {
class io_context;
}

namespace siteseek {

/// "io_uring" or "epoll".
const char* io_backend() noexcept;

/// Throws IoError naming the cause and the fix when this build's event loop cannot run here (an
/// io_uring build on a kernel or in a container that refuses io_uring). Probes once per process.
void check_io_backend();

/// Runs what is left on these event loops (cancelled operations included) until none of them has
/// work or `limit` passes; false in the second case. Call it on loops no thread runs, after their
/// sockets and timers are closed and before they are destroyed: Boost 1.81's io_uring backend
/// reads freed memory when a loop is destroyed with operations still queued.
bool drain(std::span<boost::asio::io_context* const> loops, std::chrono::milliseconds limit);
bool drain(boost::asio::io_context& loop, std::chrono::milliseconds limit);

}  // namespace siteseek
