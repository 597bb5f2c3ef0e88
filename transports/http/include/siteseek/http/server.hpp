#pragma once
// The bundled HTTP server: siteseek's search API, indexing jobs, health and metrics over
// HTTP/1.1, served from a multi-threaded event loop. Routes and statuses: docs/http-api.md.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "siteseek/search.hpp"

namespace boost::asio {
class io_context;
}
namespace siteseek {
class Engine;
class JobQueue;
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
  /// "" when the server's dependencies (Redis) are fine, else why: GET /health then answers 503
  /// with it. Called on an io thread for each /health: must not block.
  std::function<std::string()> health_check;
  /// Answers GET /search instead of Engine::search when set (backend = "redisearch"): validated
  /// request in, `done` called once, later, on any thread. Must not block.
  std::function<void(const SearchRequest&, std::function<void(std::exception_ptr, SearchResponse)> done)> search;
};

/// One server over one Engine. Thread-safe: stop() may be called from any thread. Destroy it once
/// run() has returned; the destructor closes what is left and lets its cancellations complete.
class Server {
 public:
  /// `jobs` may be null: the admin endpoints then answer 503.
  Server(Engine& engine, JobQueue* jobs, ServerOptions options);
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
