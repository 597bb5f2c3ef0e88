#pragma once
// A real redis-server for tests: started on a free 127.0.0.1 port with no persistence, optionally
// with a module (RediSearch), stopped by its PID when the object goes away. Header-only, test use.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace siteseek::test {

/// A TCP port nobody listens on right now (bind to port 0, read it back, close).
inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("free_port: no socket");
  int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

/// True when something accepts TCP connections on 127.0.0.1:port.
inline bool accepting(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  if (fd >= 0) ::close(fd);
  return ok;
}

class RedisServer {
 public:
  /// extra: more redis-server arguments, e.g. {"--requirepass", "secret"}; "{port}" is replaced by
  /// the chosen port (so {"--tls-port", "{port}", "--port", "0"} makes a TLS-only server).
  explicit RedisServer(std::vector<std::string> extra = {}) : port_(free_port()), extra_(std::move(extra)) { start(); }
  ~RedisServer() { stop(); }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& suffix = "/0") const {
    return "redis://127.0.0.1:" + std::to_string(port_) + suffix;
  }

  void start() {
    std::vector<std::string> args{"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                  "--save", "", "--appendonly", "no", "--daemonize", "no",
                                  "--dir", std::filesystem::temp_directory_path().string(), "--loglevel", "warning"};
    for (auto a : extra_) args.push_back(a == "{port}" ? std::to_string(port_) : a);  // e.g. --tls-port {port}
    // Everything the child needs is made before fork(): a test's other threads (an async client's
    // io threads) may hold the allocator's lock at that moment, and a child that allocated would
    // wait for it forever - a server that never listens. The child only calls what is safe then.
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // A test that dies (a crash, a signal) takes its server with it; otherwise the orphan keeps
      // the test's stderr open and ctest waits for it until the timeout.
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (int devnull = ::open("/dev/null", O_WRONLY); devnull >= 0) ::dup2(devnull, 1);  // keep stderr
      ::execvp("redis-server", argv.data());
      ::_exit(127);
    }
    for (int i = 0; i < 500 && !accepting(port_); ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("redis-server exited at start (is it installed? scripts/setup)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!accepting(port_)) {
      ::kill(pid_, SIGKILL);  // not left behind holding the port and the test's stderr
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
      throw std::runtime_error("redis-server did not listen within 5 s");
    }
  }
  /// SIGTERM and wait; the port stays reserved for start() again.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  /// SIGSTOP: the server keeps its sockets but answers nothing (a hung Redis).
  void freeze() { ::kill(pid_, SIGSTOP); }
  void thaw() { ::kill(pid_, SIGCONT); }

 private:
  int port_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
};

}  // namespace siteseek::test
