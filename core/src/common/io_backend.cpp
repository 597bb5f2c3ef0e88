#include "siteseek/io_backend.hpp"

#include <cstring>
#include <string>

#include <boost/asio/io_context.hpp>

#include "siteseek/error.hpp"

#ifdef SITESEEK_IO_URING
#include <liburing.h>
#endif

namespace siteseek {

const char* io_backend() noexcept {
#ifdef SITESEEK_IO_URING
  return "io_uring";
#else
  return "epoll";
#endif
}

void check_io_backend() {
#ifdef SITESEEK_IO_URING
  // Asio would fail on the first socket or timer with only "io_uring_queue_init: Operation not
  // permitted"; say why and what to do instead. A ring of one entry is enough to know.
  static const std::string problem = [] {
    io_uring ring;
    const int rc = io_uring_queue_init(1, &ring, 0);
    if (rc == 0) {
      io_uring_queue_exit(&ring);
      return std::string();
    }
    return std::string(std::strerror(-rc));
  }();
  if (!problem.empty()) {
    throw IoError("this siteseek was built to do its network I/O through io_uring, and the kernel refused it (" +
                  problem +
                  "); allow io_uring (container seccomp profiles, such as Docker's default, and the "
                  "kernel.io_uring_disabled sysctl can forbid it) or rebuild with -DSITESEEK_IO_URING=OFF for epoll");
  }
#endif
}

bool drain(std::span<boost::asio::io_context* const> loops, std::chrono::milliseconds limit) {
  // A loop that runs out of work stops itself, so stopped() after a bounded run says it is empty.
  // A handler on one loop can post to another, so passes go on until one runs nothing anywhere.
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    std::size_t ran = 0;
    bool empty = true;
    for (auto* loop : loops) {
      loop->restart();
      ran += loop->run_for(std::chrono::milliseconds(10));
      empty = empty && loop->stopped();
    }
    if (empty && ran == 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
  }
}

bool drain(boost::asio::io_context& loop, std::chrono::milliseconds limit) {
  boost::asio::io_context* one[] = {&loop};
  return drain(one, limit);
}

}  // namespace siteseek
