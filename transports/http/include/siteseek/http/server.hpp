#pragma once
// The bundled HTTP server: siteseek's search API, indexing jobs, health and metrics over
// HTTP/1.1 (or HTTPS with a certificate), served from a multi-threaded event loop. Routes and
// statuses: docs/http-api.md; TLS: docs/security.md.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "siteseek/node.hpp"
#include "siteseek/settings.hpp"

namespace boost::asio {
class io_context;
}
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
  /// Stop gracefully on SIGINT/SIGTERM; reload the TLS files on SIGHUP (see reload_tls()).
  bool handle_signals = false;
  /// HTTPS only when a certificate is given (the handshake has the request timeout); empty: HTTP.
  TlsSettings tls;
  /// Where the server's log lines go: SIGHUP reloads (info, error), failed handshakes (debug).
  std::function<void(LogLevel, const std::string&)> log;
};

/// The check Server::start() makes of the TLS files, for a program to refuse bad ones before
/// slow start-up work (indexing). Throws ConfigError naming the tls key and file; nothing when off.
void check_tls(const TlsSettings& tls);

/// One server over one Node. Thread-safe: stop() may be called from any thread. Destroy it once
/// run() has returned; the destructor closes what is left and lets its cancellations complete.
class Server {
 public:
  /// Attaches the node's asynchronous clients to the server's first event loop.
  Server(Node& node, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Read the TLS files, bind and listen. Throws ConfigError naming the tls key and file when
  /// the certificate or key cannot serve, IoError naming the address when binding fails.
  void start();
  /// The event loop the server runs on, for clients that share it (the async Redis client).
  boost::asio::io_context& context();
  /// The bound port (after start()).
  std::uint16_t port() const;
  /// Serve on the io threads until stop(); start() first if not started.
  void run();
  /// Stop accepting, let in-flight requests finish within the deadline, then end run().
  void stop();
  /// Whether the port serves HTTPS (options.tls has a certificate).
  bool tls() const;
  /// Read the certificate and key again from their paths (a renewal replaced them): connections
  /// accepted from now on use them, those open keep the context they started with. Returns false
  /// when TLS is off. On a bad file, throws ConfigError as start() does and keeps the old ones.
  /// Any thread, after start().
  bool reload_tls();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace siteseek::http
