// Configure-time probe for SITESEEK_IO_URING=AUTO: exits 0 when this kernel lets the build user
// set up an io_uring (containers' seccomp profiles and kernel.io_uring_disabled can forbid it).
#include <liburing.h>

int main() {
  io_uring ring;
  if (io_uring_queue_init(1, &ring, 0) != 0) return 1;
  io_uring_queue_exit(&ring);
  return 0;
}
