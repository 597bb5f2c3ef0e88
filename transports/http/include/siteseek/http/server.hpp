#pragma once
// The bundled HTTP server: siteseek's search API, indexing jobs, health and metrics over
// HTTP/1.1, served from a multi-threaded event loop. Routes and statuses: docs/http-api.md.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>


namespace boost::asio {
class io_context;
}
namespace siteseek {
class Node;
}  // namespace siteseek

namespace siteseek::http {

/// Limits and timeouts of the server; defaults suit a public search box.
struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;                            ///< 0 picks a free port (see Server::port())
  unsigned threads = 0;                                 ///< io threads; 0 = one per core
  std::size_t header_limit = 16 * 1024;                 ///< request line + headers, bytes (431 beyond)
  std::size_t body_limit = 1024 * 1024;                 ///< request body, bytes (413 beyond)
  std::size_t target_limit = 8 * 1024;                  ///< request target, bytes (414 beyond)
  std::chrono::milliseconds request_timeout{10'000};    ///< to read one whole request once it started
  std::chrono::milliseconds idle_timeout{30'000};       ///< keep-alive connection with no request
  std::chrono::milliseconds shutdown_deadline{5'000};   ///< in-flight requests get this long on stop()
  bool handle_signals = false;                          ///< stop gracefully on SIGINT/SIGTERM
};

/// One server over one Node. Thread-safe: stop() may be called from any thread. Destroy it once
/// run() has returned; the destructor closes what is left and lets its cancellations complete.
class Server {
 public:
  /// Attaches the node's asynchronous clients to the server's first event loop.
  Server(Node& node, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Bind and listen (throws IoError naming the address when that fails).
  void start();
  /// The event loop the server runs on, for clients that share it (the async Redis client).
  boost::asio::io_context& context();
  /// The bound port (after start()).
  std::uint16_t port() const;
  /// Serve on the io threads until stop(); start() first if not started.
  void run();
  /// Stop accepting, let in-flight requests finish within the deadline, then end run().
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace siteseek::http
