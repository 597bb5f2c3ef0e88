// HTTP/1.1 over Boost.Beast: one listener, one strand-free session per connection (each
// session's operations are chained, so they never run concurrently), one io_context per io
// thread (connections are dealt to them in turn, so threads share no event queue and no lock),
// and graceful stop; sockets are shut down to end their operations and closed only once none
// is in flight. Searches run right on the io threads: the core is lock-free and answers in
// microseconds.
#include "siteseek/http/server.hpp"

#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "request_io.hpp"
#include "router.hpp"
#include "tls.hpp"
#include "siteseek/node.hpp"
#include "siteseek/error.hpp"
#include "siteseek/io_backend.hpp"

namespace siteseek::http {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

// What the server's registry and stop need of a connection, whatever its stream.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void abort() = 0;
  virtual void stop_if_idle() = 0;
};

using Registry = std::list<std::weak_ptr<Connection>>;
// Beast's wrapper of Asio's ssl::stream: it joins a response's header and body buffers into one
// write, where Asio's stream would encrypt and send each buffer as its own record and syscall.
using TlsStream = beast::ssl_stream<tcp::socket>;

struct Shared {
  ServerOptions options;
  Router router;
  std::atomic<bool> stopping{false};
  std::mutex sessions_mutex;
  Registry sessions;
  /// The TLS context new connections get (none: plain HTTP); a reload replaces it, and each
  /// connection keeps the one it was accepted with.
  std::mutex tls_mutex;
  std::shared_ptr<net::ssl::context> tls;
  Shared(Node& node, ServerOptions o) : options(std::move(o)), router(node, options.target_limit) {}

  void log(LogLevel level, const std::string& line) const {
    if (options.log) options.log(level, line);
  }
};

// A connection over a TCP socket (Stream = tcp::socket) or TLS over one (TlsStream): the same
// requests, timeouts and stops, with a handshake first and close_notify last for TLS.
//
// Nothing here cancels an operation or closes the socket under one: a timeout or a
// stop shuts the socket down, which ends the read or write in flight with an error, and the
// handler of that operation closes the socket. Under Boost 1.81's io_uring backend (with
// Debian 12's liburing) a cancellation is submitted without its own completion tag, so its
// completion is taken for that of an unrelated earlier operation, and closing a socket with an
// operation in flight gives its I/O object to the next socket before the kernel is done with it:
// in both cases handlers are lost and later connections stall (docs/operations.md). A TLS
// stream's operations are reads and writes of its socket, so the same shutdown ends them.
template <class Stream>
class Session : public Connection, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool tls = std::is_same_v<Stream, TlsStream>;

 public:
  using Clock = std::chrono::steady_clock;

  /// `tls_context`: the context of a TLS session (held as long as it lives), null for plain.
  Session(tcp::socket socket, std::shared_ptr<net::ssl::context> tls_context, Shared& shared)
      : tls_context_(std::move(tls_context)),
        stream_(open(std::move(socket), tls_context_.get())),
        timer_(this->socket().get_executor()),
        shared_(shared),
        endpoint_(remote_endpoint(this->socket())),
        peer_(to_ip(endpoint_.address())) {}

  void start(Registry::iterator self) {
    registry_entry_ = self;
    net::dispatch(socket().get_executor(), [s = this->shared_from_this()] {
      if constexpr (tls) s->handshake();
      else s->read();
    });
  }

  ~Session() override {
    std::lock_guard lock(shared_.sessions_mutex);
    shared_.sessions.erase(registry_entry_);
  }

  /// End the connection now, both ways: on its loop's thread, or while no thread runs it. An
  /// operation in flight completes with an error and its handler closes the socket.
  void abort() override {
    beast::error_code ec;
    socket().shutdown(tcp::socket::shutdown_both, ec);
  }

  // On stop: a connection waiting for its next request (or, with TLS, for its handshake) is
  // ended; one inside a request finishes it and then closes (keep-alive is refused once stopping).
  void stop_if_idle() override {
    net::post(socket().get_executor(), [s = this->shared_from_this()] {
      if (s->waiting_ && s->buffer_.size() == 0) s->abort();
    });
  }

 private:
  static Stream open(tcp::socket socket, net::ssl::context* context) {
    if constexpr (tls) return Stream(std::move(socket), *context);
    else return socket;
  }

  tcp::socket& socket() {
    if constexpr (tls) return stream_.next_layer();
    else return stream_;
  }

  // Within the request timeout: a client that connects and sends nothing is not kept.
  void handshake() {
    waiting_ = true;
    io_started(shared_.options.request_timeout);
    stream_.async_handshake(net::ssl::stream_base::server,
                            beast::bind_front_handler(&Session::on_handshake, this->shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    io_pending_ = waiting_ = false;
    if (!ec && !timed_out_) return read();
    if (shared_.stopping.load() && !timed_out_) return close();  // ended by the stop, not the client's fault
    shared_.router.metrics().record_tls_handshake_failure();
    shared_.log(LogLevel::debug, "TLS handshake with " + endpoint_.address().to_string() + " failed: " +
                                     (timed_out_ ? std::string("timed out") : ec.message()));
    if (!timed_out_ && is_plain_http(ec)) return refuse_plain_http();
    close();
  }

  // A plain HTTP request on the TLS port is answered in plain HTTP (400 naming the fix) before
  // the connection is closed, as a curl or browser user otherwise sees only a reset.
  void refuse_plain_http() {
    res_.emplace();
    to_beast_response(Router::error("bad_request", "this port serves HTTPS only: use https://"), false, 11, false, *res_);
    io_started(shared_.options.request_timeout);
    bhttp::async_write(socket(), *res_, [s = this->shared_from_this()](beast::error_code, std::size_t) {
      s->io_pending_ = false;
      s->close();
    });
  }

  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_.options.header_limit));
    parser_->body_limit(shared_.options.body_limit);
    waiting_ = true;
    io_started(buffer_.size() ? shared_.options.request_timeout : shared_.options.idle_timeout);
    bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    io_pending_ = waiting_ = false;
    if (ec) {
      if (timed_out_) ec = beast::error::timeout;  // answered by closing, like end of stream
      // TLS cut without close_notify, or a bad record: nothing can be answered on the stream.
      if (tls && (ec == net::ssl::error::stream_truncated || ec.category() == net::error::get_ssl_category())) {
        return close();
      }
      auto res = read_error_response(ec, shared_.options.header_limit, shared_.options.body_limit);
      if (!res) return close();
      return send(std::move(*res), false, 11, false);
    }
    auto& req = parser_->get();
    // The views in the request point into parser_, which lives until the response is written.
    const bool keep_alive = req.keep_alive(), head = req.method() == bhttp::verb::head;
    const unsigned version = req.version();
    shared_.router.handle(to_request(req, peer_), [s = this->shared_from_this(), keep_alive, head, version](Response res) {
      // Usually called right here; after an async Redis call, on the Redis client's strand:
      // back to this connection's loop either way.
      net::dispatch(s->socket().get_executor(), [s, res = std::move(res), keep_alive, head, version]() mutable {
        s->send(std::move(res), keep_alive && !s->shared_.stopping.load(), version, head);
      });
    });
  }

  void send(Response res, bool keep_alive, unsigned version, bool head) {
    res_.emplace();
    to_beast_response(std::move(res), keep_alive, version, head, *res_);
    io_started(shared_.options.request_timeout);
    bhttp::async_write(stream_, *res_, beast::bind_front_handler(&Session::on_write, this->shared_from_this(), keep_alive));
  }

  void on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    io_pending_ = false;
    if (ec || timed_out_) return close();
    if (!keep_alive) return finish();
    read();
  }

  // The remote address, read once per connection, at its start: after a shutdown it may be gone.
  // Unspecified when it is already gone.
  static tcp::endpoint remote_endpoint(const tcp::socket& socket) {
    beast::error_code ec;
    const auto endpoint = socket.remote_endpoint(ec);
    return ec ? tcp::endpoint{} : endpoint;
  }

  // After the last response. TLS: close_notify, so the client knows the connection ended here and
  // was not cut; the client's answer (or its closing) is awaited within the request timeout.
  void finish() {
    if constexpr (tls) {
      io_started(shared_.options.request_timeout);
      stream_.async_shutdown([s = this->shared_from_this()](beast::error_code) {
        s->io_pending_ = false;
        s->close();
      });
    } else {
      close();
    }
  }

  // Only from a handler of this connection, so no read or write is in flight.
  void close() {
    beast::error_code ec;
    timer_.cancel();
    socket().shutdown(tcp::socket::shutdown_send, ec);
    socket().close(ec);
  }

  // A read or write starts and must end within `limit`. The timer is armed lazily: a new deadline
  // later than the armed one moves no timer; the timer, when it fires early, waits again.
  void io_started(std::chrono::milliseconds limit) {
    io_pending_ = true;
    deadline_ = Clock::now() + limit;
    if (!timer_armed_ || deadline_ < timer_.expiry()) arm_timer();
  }

  void arm_timer() {
    timer_armed_ = true;
    timer_.expires_at(deadline_);  // a wait already armed ends with operation_aborted
    timer_.async_wait([s = this->shared_from_this(), generation = ++timer_generation_](beast::error_code ec) {
      if (ec || generation != s->timer_generation_) return;
      s->timer_armed_ = false;
      if (!s->io_pending_ || !s->socket().is_open()) return;  // armed again by the next read or write
      if (Clock::now() < s->deadline_) return s->arm_timer();
      s->timed_out_ = true;
      s->abort();
    });
  }

  std::shared_ptr<net::ssl::context> tls_context_;  // before stream_: it outlives the stream
  Stream stream_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> res_;
  Shared& shared_;
  Registry::iterator registry_entry_;
  tcp::endpoint endpoint_;  // the client (a failed TLS handshake's log line)
  IpAddress peer_;          // the same, for the rate limits
  Clock::time_point deadline_;
  std::uint64_t timer_generation_ = 0;
  bool waiting_ = false, io_pending_ = false, timer_armed_ = false, timed_out_ = false;
};

// A session of the stream the server speaks, registered for stop() and started.
template <class Stream>
void start_session(tcp::socket socket, std::shared_ptr<net::ssl::context> tls_context, Shared& shared) {
  auto session = std::make_shared<Session<Stream>>(std::move(socket), std::move(tls_context), shared);
  Registry::iterator entry;
  {
    std::lock_guard lock(shared.sessions_mutex);
    entry = shared.sessions.insert(shared.sessions.end(), session);
  }
  session->start(entry);
}

}  // namespace

struct Server::Impl {
  Node& node;
  ServerOptions options;
  /// Declared before the loops, so it outlives them: a handler the loops destroy may hold the
  /// last reference to a session, whose destructor unregisters it here.
  Shared shared;
  /// One event loop per io thread; the first also runs the acceptor, signals, the stop timer
  /// and the clients that share it (context()).
  std::vector<std::unique_ptr<net::io_context>> contexts;
  net::io_context& ioc;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  std::size_t next_context = 0;
  tcp::acceptor acceptor;
  std::optional<net::signal_set> signals;
  net::steady_timer stop_timer;
  /// Accepting waits on it after running out of descriptors or memory (see accept()).
  net::steady_timer accept_pause;
  std::atomic<bool> started{false};
  std::chrono::steady_clock::time_point stop_deadline;

  std::shared_ptr<net::ssl::context> tls_context() {
    std::lock_guard lock(shared.tls_mutex);
    return shared.tls;
  }

  // SIGINT and SIGTERM stop; SIGHUP reloads the certificate and key, the wait armed again after.
  void wait_for_signals() {
    signals->async_wait([this](beast::error_code ec, int signal) {
      if (ec) return;
      if (signal != SIGHUP) return begin_stop();
      reload_on_hangup();
      wait_for_signals();
    });
  }

  void reload_on_hangup() {
    if (!options.tls.enabled()) {
      shared.log(LogLevel::info, "SIGHUP: TLS is off (no tls.cert_file), nothing to reload");
      return;
    }
    try {
      install_tls(make_tls_context(options.tls));
      shared.log(LogLevel::info, "SIGHUP: TLS certificate reloaded from " + options.tls.cert_file + " and key from " +
                                     options.tls.key_file + "; new connections use them");
    } catch (const std::exception& e) {
      shared.log(LogLevel::error, std::string("SIGHUP: TLS reload failed, still serving the previous certificate: ") + e.what());
    }
  }

  void install_tls(std::shared_ptr<net::ssl::context> context) {
    std::lock_guard lock(shared.tls_mutex);
    shared.tls = std::move(context);
  }

  static std::vector<std::unique_ptr<net::io_context>> make_contexts(unsigned threads) {
    std::vector<std::unique_ptr<net::io_context>> out;
    const unsigned n = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < n; ++i) out.push_back(std::make_unique<net::io_context>(1));
    return out;
  }

  Impl(Node& n, ServerOptions o)
      : node(n),
        options(o),
        shared(n, o),
        contexts(make_contexts(o.threads)),
        ioc(*contexts.front()),
        acceptor(ioc),
        stop_timer(ioc),
        accept_pause(ioc) {}

  void accept() {
    // Each connection lives on one io thread's loop, dealt in turn.
    auto& target = *contexts[next_context++ % contexts.size()];
    acceptor.async_accept(target, [this](beast::error_code ec, tcp::socket socket) {
      if (shared.stopping.load()) {
        acceptor.close(ec);  // nothing is in flight on it now
        return;
      }
      if (!ec) {
        beast::error_code ignore;
        socket.set_option(tcp::no_delay(true), ignore);
        if (auto tls = tls_context()) start_session<TlsStream>(std::move(socket), std::move(tls), shared);
        else start_session<tcp::socket>(std::move(socket), nullptr, shared);
      } else {
        shared.router.metrics().record_accept_error();
      }
      if (out_of_resources(ec)) {
        // The connection stays in the listen queue, so the listener stays readable: accepting
        // again at once would fail again at once, a busy loop until a descriptor is freed.
        accept_pause.expires_after(accept_pause_time);
        accept_pause.async_wait([this](beast::error_code) {
          if (shared.stopping.load()) {
            beast::error_code ignore;
            acceptor.close(ignore);  // no accept is in flight while the pause lasts
            return;
          }
          accept();
        });
        return;
      }
      accept();  // also after an error of one connection (aborted by its client first, and the like)
    });
  }

  static constexpr auto accept_pause_time = std::chrono::milliseconds(100);
  // By errno value: comparing with std::errc goes through Boost's std::error_category bridge,
  // which UBSan's vptr check reports (Boost 1.81).
  static bool out_of_resources(const beast::error_code& ec) {
    if (ec.category() != boost::system::system_category()) return false;
    const int v = ec.value();
    return v == EMFILE || v == ENFILE || v == ENOBUFS || v == ENOMEM;
  }

  // The accept in flight fails (EINVAL) and its handler closes the acceptor (see Session for why
  // neither cancel() nor close() is used with an operation in flight).
  void shut_down_listener() {
    if (acceptor.is_open()) ::shutdown(acceptor.native_handle(), SHUT_RDWR);
  }

  /// The sessions still registered, held so that none goes while they are worked on.
  std::vector<std::shared_ptr<Connection>> live_sessions() {
    std::vector<std::shared_ptr<Connection>> live;
    std::lock_guard lock(shared.sessions_mutex);
    for (auto& w : shared.sessions)
      if (auto s = w.lock()) live.push_back(std::move(s));
    return live;
  }

  // Once no thread runs the loops: shut down what is still open (the acceptor, connections the
  // stop deadline cut off), cancel the timers, and run the loops until the operations so ended
  // have completed and their handlers closed the sockets. With io_uring an operation stays queued
  // until the kernel reports it, and Asio 1.81 destroying a loop with operations queued reads
  // freed memory (ASan in CI).
  void finish() {
    shared.stopping = true;  // an accept completing now must not start another
    beast::error_code ec;
    shut_down_listener();
    if (signals) signals->cancel(ec);
    stop_timer.cancel();
    accept_pause.cancel();
    work.clear();
    for (auto& s : live_sessions()) s->abort();
    std::vector<net::io_context*> loops;
    for (auto& c : contexts) loops.push_back(c.get());
    drain(loops, std::chrono::seconds(2));
  }

  // Wait for sessions to drain, up to the deadline, then end the event loop.
  void wait_drained() {
    bool empty;
    {
      std::lock_guard lock(shared.sessions_mutex);
      empty = shared.sessions.empty();
    }
    if (empty || std::chrono::steady_clock::now() >= stop_deadline) {
      work.clear();
      for (auto& c : contexts) c->stop();
      return;
    }
    stop_timer.expires_after(std::chrono::milliseconds(10));
    stop_timer.async_wait([this](beast::error_code) { wait_drained(); });
  }

  void begin_stop() {
    if (shared.stopping.exchange(true)) return;
    beast::error_code ec;
    shut_down_listener();
    accept_pause.cancel();
    if (signals) signals->cancel(ec);
    for (auto& s : live_sessions()) s->stop_if_idle();
    stop_deadline = std::chrono::steady_clock::now() + options.shutdown_deadline;
    wait_drained();
  }
};

Server::Server(Node& node, ServerOptions options)
    : impl_((check_io_backend(), std::make_unique<Impl>(node, std::move(options)))) {
  node.attach(*impl_->contexts.front());
}

Server::~Server() {
  // The node's Redis clients run on the first loop: closed first, their cancellations drained below.
  impl_->node.detach();
  impl_->finish();
}

void Server::start() {
  if (impl_->started.exchange(true)) return;
  // Before binding: a certificate or key that cannot serve fails the start, not the first handshake.
  if (impl_->options.tls.enabled()) impl_->install_tls(make_tls_context(impl_->options.tls));
  auto& a = impl_->acceptor;
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.host, ec);
  if (ec) throw IoError("cannot listen on '" + impl_->options.host + "': not an IP address");
  tcp::endpoint endpoint(address, impl_->options.port);
  std::string where = impl_->options.host + ":" + std::to_string(impl_->options.port);
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw IoError("cannot listen on " + where + ": " + ec.message());
  for (auto& c : impl_->contexts) impl_->work.push_back(net::make_work_guard(*c));
  if (impl_->options.handle_signals) {
    impl_->signals.emplace(impl_->ioc, SIGINT, SIGTERM, SIGHUP);
    impl_->wait_for_signals();
  }
  impl_->accept();
}

net::io_context& Server::context() { return impl_->ioc; }

void check_tls(const TlsSettings& tls) {
  if (tls.enabled()) make_tls_context(tls);
}

bool Server::tls() const { return impl_->options.tls.enabled(); }

bool Server::reload_tls() {
  if (!impl_->options.tls.enabled()) return false;
  impl_->install_tls(make_tls_context(impl_->options.tls));
  return true;
}

std::uint16_t Server::port() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::run() {
  start();
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < impl_->contexts.size(); ++i) threads.emplace_back([this, i] { impl_->contexts[i]->run(); });
  impl_->ioc.run();
  for (auto& t : threads) t.join();
}

void Server::stop() {
  if (!impl_->started.load()) return;
  net::post(impl_->ioc, [this] { impl_->begin_stop(); });
}

}  // namespace siteseek::http
