#pragma once
// One Redis layer on hiredis. RedisClient is asynchronous and runs on a Boost.Asio io_context
// (hiredis's async context driven by the io_context: no thread of its own, no blocking call);
// RedisConnection is the blocking API for the CLI, indexer, worker and Python, and runs the same
// client on a private io_context until the reply arrives. Both share URL parsing, timeouts,
// reconnect with backoff, pipelining and the reply type.
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "siteseek/error.hpp"

namespace boost::asio {
class io_context;
}

namespace siteseek {

/// Redis could not be reached, timed out or answered with an error (code "redis_unavailable" for
/// connection problems and timeouts, "redis_error" for an error reply).
class RedisError : public Error {
 public:
  RedisError(std::string code, const std::string& message);
  /// True when the server could not be reached or did not answer in time.
  bool unavailable() const noexcept { return code() == "redis_unavailable"; }
};

/// Where and how to connect, parsed from a redis:// URL.
struct RedisOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string username;  ///< empty: AUTH with the password only
  std::string password;  ///< empty: no AUTH
  int db = 0;
  bool tls = false;          ///< rediss://: through TLS, the server's certificate and name verified
  std::string tls_ca_file;   ///< CA certificates for TLS (empty: the system's)
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{2000};
  std::chrono::milliseconds backoff_min{100};   ///< first wait before reconnecting
  std::chrono::milliseconds backoff_max{5000};  ///< waits double up to this
  /// "host:port/db" without credentials, for logs and errors.
  std::string display() const;
};

/// redis[s]://[[user]:password@]host[:port][/db][?timeout=ms][&tls_ca=/path/ca.pem]. rediss:// is
/// TLS (Debian 12's hiredis 0.14 has none: siteseek carries the connection through its own TLS
/// tunnel). Throws ConfigError naming `key_path` on a malformed URL.
RedisOptions parse_redis_url(std::string_view url, std::string_view key_path = "redis_url");

/// A reply: nil, integer, (bulk) string, status, error or array.
struct RedisReply {
  enum class Type { nil, integer, string, status, error, array };
  Type type = Type::nil;
  long long integer = 0;
  std::string str;                  ///< string, status and error text
  std::vector<RedisReply> elements; ///< array items

  bool is_nil() const noexcept { return type == Type::nil; }
  bool is_error() const noexcept { return type == Type::error; }
  /// Throws RedisError("redis_error") when this is an error reply; returns *this otherwise.
  const RedisReply& check(std::string_view context = {}) const;
};

/// A command as its arguments, binary safe ({"SET", key, bytes}).
using RedisCommand = std::vector<std::string>;

/// Asynchronous client on an io_context. Thread-safe: commands may be sent from any thread; they
/// are pipelined on one connection. Callbacks run on the io_context (on the client's strand). When
/// Redis is down a command fails at once with redis_unavailable while the client reconnects in the
/// background with exponential backoff; a command that gets no answer within command_timeout fails
/// with redis_unavailable. The io_context must outlive the client.
class RedisClient {
 public:
  /// Outcome of one command: the reply, or an error (reply is then nil).
  using Callback = std::function<void(std::exception_ptr error, RedisReply reply)>;
  /// Called for each message on a subscribed channel: (channel, payload).
  using MessageHandler = std::function<void(const std::string& channel, const std::string& payload)>;

  static std::shared_ptr<RedisClient> create(boost::asio::io_context& io, RedisOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  /// Send one command; `done` is called exactly once.
  void command(RedisCommand args, Callback done);
  /// Start connecting now rather than on the first command.
  void connect();
  /// True while a connection is established (and authenticated, db selected).
  bool connected() const noexcept;
  /// The last connection error ("" when connected).
  std::string last_error() const;
  /// Turn this client into a subscriber of `channels` (it then sends no other commands). Resubscribes
  /// after each reconnect and calls `on_connect` then, so the caller can catch up on what it missed.
  void subscribe(std::vector<std::string> channels, MessageHandler handler, std::function<void()> on_connect = {});
  /// Disconnect and fail pending commands; no reconnect after this.
  void close();
  const RedisOptions& options() const noexcept;

 private:
  struct Impl;
  explicit RedisClient(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;  // shared with the handlers queued on the io_context
};

/// Blocking client: one connection, used by one thread at a time (calls are serialised).
class RedisConnection {
 public:
  explicit RedisConnection(RedisOptions options);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  /// Send one command and wait for its reply. Error replies are returned, not thrown (use check());
  /// an unreachable server or a timeout throws RedisError("redis_unavailable").
  RedisReply command(const RedisCommand& args);
  RedisReply command(std::initializer_list<std::string_view> args);
  /// Send commands in one round trip; replies in order.
  std::vector<RedisReply> pipeline(const std::vector<RedisCommand>& commands);
  /// PING answered within the command timeout.
  bool ping() noexcept;
  const RedisOptions& options() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace siteseek
