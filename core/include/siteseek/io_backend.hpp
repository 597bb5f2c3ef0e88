#pragma once
// The event loop siteseek's network code (the HTTP server, the Redis client) runs on. It is fixed
// when siteseek is built: io_uring by default, epoll with -DSITESEEK_IO_URING=OFF.

namespace siteseek {

/// "io_uring" or "epoll".
const char* io_backend() noexcept;

/// Throws IoError naming the cause and the fix when this build's event loop cannot run here (an
/// io_uring build on a kernel or in a container that refuses io_uring). Probes once per process.
void check_io_backend();

}  // namespace siteseek
