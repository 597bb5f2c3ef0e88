// The asynchronous client: hiredis's async context driven by a Boost.Asio io_context.
//
// hiredis asks its event library to watch the socket (addRead/addWrite/delRead/delWrite); here
// each of those arms or disarms an async_wait on a posix::stream_descriptor that wraps a
// duplicate of hiredis's fd. Every call into hiredis happens on one strand, so the client can be used
// from any thread of a multi-threaded io_context. On top: the connection handshake (AUTH, SELECT,
// PING), per-command timeouts, reconnect with exponential backoff, and subscriptions.
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <cerrno>
#include <mutex>

#include "redis/tls_tunnel.hpp"
#include "siteseek/io_backend.hpp"
#include "siteseek/redis.hpp"

namespace asio = boost::asio;

namespace siteseek {

namespace {

using Strand = asio::strand<asio::io_context::executor_type>;
using Clock = std::chrono::steady_clock;

// hiredis 0.14 writes with write(2), so a server (or the TLS tunnel) that has closed the
// connection raises SIGPIPE, whose default action ends the whole process - a library must not
// do that to its host. For the write, SIGPIPE is blocked on this thread; one it raised is taken
// off the pending set before the mask is restored. The write fails with EPIPE and hiredis
// reports the connection lost, as for any other disconnect.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    already_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlocked() {
    if (!already_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec now{0, 0};
        while (sigtimedwait(&pipe_, nullptr, &now) < 0 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t pipe_, old_;
  bool already_pending_ = false;
};

RedisReply convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING: out.type = RedisReply::Type::string; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_STATUS: out.type = RedisReply::Type::status; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_ERROR: out.type = RedisReply::Type::error; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_INTEGER: out.type = RedisReply::Type::integer; out.integer = r->integer; break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default: out.type = RedisReply::Type::nil; break;
  }
  return out;
}

std::exception_ptr unavailable(const RedisOptions& o, const std::string& why) {
  return std::make_exception_ptr(RedisError("redis_unavailable", "redis at " + o.display() + ": " + why));
}

/// Call user code from inside a hiredis callback: nothing may unwind through C.
template <class F>
void guarded(F&& f) noexcept {
  try {
    f();
  } catch (...) {
  }
}

}  // namespace

/// A command waiting for its reply.
struct Pending {
  RedisClient::Callback done;
  asio::steady_timer timer;
  bool finished = false;
  Pending(RedisClient::Callback cb, const Strand& strand) : done(std::move(cb)), timer(strand) {}
};

struct RedisClient::Impl : std::enable_shared_from_this<RedisClient::Impl> {
  /// One TCP connection: the hiredis context and the descriptor Asio watches for it.
  struct Socket {
    redisAsyncContext* ac = nullptr;  // null once hiredis freed it
    // A duplicate of hiredis's socket, watched by Asio and closed by this object's destructor,
    // once no wait is in flight on it: hiredis closes its own descriptor whenever it frees the
    // context, and under Boost 1.81's io_uring backend cancelling a wait, or closing or releasing
    // its descriptor while it is in flight, loses handlers (transports/http/src/server.cpp).
    asio::posix::stream_descriptor fd;
    bool want_read = false, want_write = false;
    bool read_armed = false, write_armed = false;
    std::weak_ptr<Impl> owner;
    explicit Socket(const Strand& strand) : fd(strand) {}
  };

  enum class State { idle, connecting, ready, waiting, closed };

  Strand strand;
  RedisOptions options;
  State state = State::idle;
  std::shared_ptr<Socket> sock;
  asio::steady_timer connect_timer, retry_timer;
  std::chrono::milliseconds backoff;
  Clock::time_point retry_at{};
  std::string reset_reason;  // why we dropped the connection ourselves
  std::shared_ptr<detail::TlsTunnel> tunnel;  // rediss://: hiredis connects to its Unix socket

  std::atomic<bool> is_ready{false};
  mutable std::mutex error_mutex;
  std::string error;  // last connection error

  bool subscriber = false;
  std::vector<std::string> channels;
  MessageHandler on_message;
  std::function<void()> on_subscribed;
  std::size_t confirmed = 0;

  Impl(asio::io_context& io, RedisOptions o)
      : strand(asio::make_strand(io)), options(std::move(o)), connect_timer(strand), retry_timer(strand),
        backoff(options.backoff_min) {}

  ~Impl() {
    if (sock && sock->ac) redisAsyncFree(sock->ac);
  }

  void set_error(std::string why) {
    std::lock_guard lock(error_mutex);
    error = std::move(why);
  }

  // ---- event-library hooks (called by hiredis, on the strand)
  static void arm_read(const std::shared_ptr<Socket>& s) {
    if (s->read_armed || !s->want_read || !s->ac) return;
    s->read_armed = true;
    s->fd.async_wait(asio::posix::stream_descriptor::wait_read, [s](boost::system::error_code ec) {
      s->read_armed = false;
      if (ec || !s->ac || !s->want_read) return;
      redisAsyncHandleRead(s->ac);  // may free the context (then s->ac is null)
      arm_read(s);
    });
  }
  static void arm_write(const std::shared_ptr<Socket>& s) {
    if (s->write_armed || !s->want_write || !s->ac) return;
    s->write_armed = true;
    s->fd.async_wait(asio::posix::stream_descriptor::wait_write, [s](boost::system::error_code ec) {
      s->write_armed = false;
      if (ec || !s->ac || !s->want_write) return;
      {
        SigpipeBlocked quiet;
        redisAsyncHandleWrite(s->ac);
      }
      arm_write(s);
    });
  }
  static std::shared_ptr<Socket> socket_of(void* data) {
    auto* raw = static_cast<Socket*>(data);
    auto owner = raw->owner.lock();
    if (owner && owner->sock.get() == raw) return owner->sock;
    return nullptr;
  }
  static void on_add_read(void* data) {
    if (auto s = socket_of(data)) s->want_read = true, arm_read(s);
  }
  static void on_del_read(void* data) {
    if (auto s = socket_of(data)) s->want_read = false;
  }
  static void on_add_write(void* data) {
    if (auto s = socket_of(data)) s->want_write = true, arm_write(s);
  }
  static void on_del_write(void* data) {
    if (auto s = socket_of(data)) s->want_write = false;
  }
  static void on_cleanup(void* data) {
    auto* raw = static_cast<Socket*>(data);
    raw->ac = nullptr;
    raw->want_read = raw->want_write = false;
    // The waits in flight end (the socket reports hang-up) and the last of their handlers frees
    // the Socket; cancel() is not used: see Socket::fd.
    ::shutdown(raw->fd.native_handle(), SHUT_RDWR);
  }

  // ---- connection life cycle (on the strand)
  void start_connect() {
    state = State::connecting;
    if (options.tls && !tunnel) {
      try {
        tunnel = detail::TlsTunnel::for_server(options);
      } catch (const std::exception& e) {
        lost(nullptr, e.what());
        return;
      }
    }
    redisAsyncContext* ac = tunnel ? redisAsyncConnectUnix(tunnel->socket_path().c_str())
                                   : redisAsyncConnect(options.host.c_str(), options.port);
    if (!ac || ac->err) {
      std::string why = ac ? ac->errstr : "out of memory";
      if (ac) redisAsyncFree(ac);
      lost(nullptr, why);
      return;
    }
    auto s = std::make_shared<Socket>(strand);
    s->ac = ac;
    s->owner = weak_from_this();
    boost::system::error_code ec;
    const int watched = ::dup(ac->c.fd);
    if (watched < 0) ec.assign(errno, boost::system::system_category());
    else s->fd.assign(watched, ec);
    if (ec && watched >= 0) ::close(watched);
    if (ec) {
      redisAsyncFree(ac);
      lost(nullptr, "cannot watch the socket: " + ec.message());
      return;
    }
    sock = s;
    ac->data = s.get();
    ac->ev.data = s.get();
    ac->ev.addRead = on_add_read;
    ac->ev.delRead = on_del_read;
    ac->ev.addWrite = on_add_write;
    ac->ev.delWrite = on_del_write;
    ac->ev.cleanup = on_cleanup;
    redisAsyncSetConnectCallback(ac, [](const redisAsyncContext* c, int status) {
      if (status == REDIS_OK) return;
      if (auto self = owner_of(c)) self->lost(static_cast<Socket*>(c->data), c->errstr);
    });
    redisAsyncSetDisconnectCallback(ac, [](const redisAsyncContext* c, int status) {
      if (auto self = owner_of(c)) {
        std::string why = status == REDIS_OK ? self->reset_reason : std::string(c->errstr);
        self->lost(static_cast<Socket*>(c->data), why.empty() ? "connection closed" : why);
      }
    });
    // Handshake: AUTH and SELECT when configured, then PING; ready when PING answers.
    if (!options.password.empty()) {
      if (options.username.empty())
        send_handshake({"AUTH", options.password}, "AUTH");
      else
        send_handshake({"AUTH", options.username, options.password}, "AUTH");
    }
    if (options.db != 0) send_handshake({"SELECT", std::to_string(options.db)}, "SELECT");
    send_handshake({"PING"}, "PING");
    connect_timer.expires_after(options.connect_timeout);
    connect_timer.async_wait([w = weak_from_this(), s](boost::system::error_code ec) {
      auto self = w.lock();
      if (ec || !self || self->sock != s || self->state != State::connecting) return;
      self->drop("no answer within the connect timeout of " + std::to_string(self->options.connect_timeout.count()) + " ms");
    });
  }

  static std::shared_ptr<Impl> owner_of(const redisAsyncContext* c) {
    return c->data ? static_cast<Socket*>(c->data)->owner.lock() : nullptr;
  }

  void send_handshake(const RedisCommand& args, const char* what) {
    auto* step = new std::pair<std::weak_ptr<Impl>, const char*>(weak_from_this(), what);
    send_raw(args, [](redisAsyncContext* c, void* r, void* priv) {
      std::unique_ptr<std::pair<std::weak_ptr<Impl>, const char*>> step(static_cast<std::pair<std::weak_ptr<Impl>, const char*>*>(priv));
      auto self = step->first.lock();
      auto* reply = static_cast<redisReply*>(r);
      if (!self || !reply || self->sock.get() != c->data) return;
      if (reply->type == REDIS_REPLY_ERROR) {
        self->drop(std::string(step->second) + " failed: " + std::string(reply->str, reply->len));
        return;
      }
      if (std::string_view(step->second) == "PING") self->became_ready();
    }, step);
  }

  int send_raw(const RedisCommand& args, redisCallbackFn* fn, void* priv) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const auto& a : args) argv.push_back(a.data()), lens.push_back(a.size());
    return redisAsyncCommandArgv(sock->ac, fn, priv, static_cast<int>(args.size()), argv.data(), lens.data());
  }

  void became_ready() {
    state = State::ready;
    is_ready = true;
    backoff = options.backoff_min;
    set_error({});
    connect_timer.cancel();
    if (subscriber) send_subscribe();
  }

  /// Close the current connection on purpose (timeout, failed handshake, close()).
  void drop(std::string why) {
    reset_reason = why;
    auto s = sock;
    if (s && s->ac) redisAsyncFree(s->ac);  // pending callbacks get a null reply; may call lost()
    if (s) lost(s.get(), why);
  }

  /// The connection `s` is gone (null: the attempt failed before there was one).
  void lost(Socket* s, const std::string& why) {
    if (s && sock.get() != s) return;  // already handled
    const bool was_ready = state == State::ready;
    sock.reset();
    is_ready = false;
    connect_timer.cancel();
    std::string tls_error = tunnel ? tunnel->last_error() : std::string();
    set_error(tls_error.empty() ? why : why + " (" + tls_error + ")");
    confirmed = 0;
    if (state == State::closed) return;
    state = State::waiting;
    // A connection that worked is retried at once (Redis restarted, an idle socket was cut);
    // failed attempts wait, doubling the wait each time.
    retry_at = Clock::now() + (was_ready ? std::chrono::milliseconds(0) : backoff);
    retry_timer.expires_at(retry_at);
    retry_timer.async_wait([w = weak_from_this()](boost::system::error_code ec) {
      auto self = w.lock();
      if (!ec && self && self->state == State::waiting) self->start_connect();
    });
    if (!was_ready) backoff = std::min(backoff * 2, options.backoff_max);
  }

  /// Close for good: no reconnect, pending commands fail (on the strand, or with no thread running).
  void shut() {
    if (state == State::closed) return;
    state = State::closed;
    retry_timer.cancel();
    drop("client closed");
  }

  // ---- commands (on the strand)
  void run_command(RedisCommand args, Callback done) {
    if (state == State::closed) return done(unavailable(options, "client closed"), {});
    if (subscriber) return done(std::make_exception_ptr(RedisError("redis_error", "a subscriber client sends no commands")), {});
    if (state == State::waiting && Clock::now() >= retry_at) retry_timer.cancel(), start_connect();
    if (state == State::idle) start_connect();
    if (state == State::waiting) {
      std::lock_guard lock(error_mutex);
      return done(unavailable(options, error + " (reconnecting)"), {});
    }
    auto p = std::make_shared<Pending>(std::move(done), strand);
    auto* priv = new std::shared_ptr<Pending>(p);
    if (send_raw(args, on_reply, priv) != REDIS_OK) {
      delete priv;
      return p->done(unavailable(options, "the connection is closing"), {});
    }
    p->timer.expires_after(options.command_timeout);
    p->timer.async_wait([w = weak_from_this(), p, s = sock](boost::system::error_code ec) {
      if (ec || p->finished) return;
      p->finished = true;
      auto self = w.lock();
      std::string why = "no reply within the command timeout";
      if (self) {
        why += " of " + std::to_string(self->options.command_timeout.count()) + " ms";
        // Drop before answering: whoever hears of the timeout must already see the client as
        // not connected (a /health asked right after a 503 would otherwise still read 200).
        if (self->sock == s) self->drop("a command timed out");
        p->done(unavailable(self->options, why), {});
      }
    });
  }

  static void on_reply(redisAsyncContext* c, void* r, void* priv) {
    std::unique_ptr<std::shared_ptr<Pending>> holder(static_cast<std::shared_ptr<Pending>*>(priv));
    auto& p = *holder;
    if (p->finished) return;
    p->finished = true;
    p->timer.cancel();
    if (r) {
      RedisReply reply = convert(static_cast<redisReply*>(r));
      guarded([&] { p->done(nullptr, std::move(reply)); });
      return;
    }
    auto self = owner_of(c);
    std::string why = c->err ? std::string(c->errstr) : self && !self->reset_reason.empty() ? self->reset_reason : "connection closed";
    if (self && self->tunnel) {  // rediss://: what the TLS side saw explains a closed connection
      if (std::string t = self->tunnel->last_error(); !t.empty()) why += " (" + t + ")";
    }
    RedisOptions fallback;
    guarded([&] { p->done(unavailable(self ? self->options : fallback, why), {}); });
  }

  // ---- subscriptions
  void send_subscribe() {
    RedisCommand args{"SUBSCRIBE"};
    args.insert(args.end(), channels.begin(), channels.end());
    send_raw(args, [](redisAsyncContext* c, void* r, void*) {
      auto* reply = static_cast<redisReply*>(r);
      auto self = owner_of(c);
      if (!reply || !self || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;
      std::string_view kind(reply->element[0]->str, reply->element[0]->len);
      if (kind == "message" && self->on_message) {
        std::string channel(reply->element[1]->str, reply->element[1]->len);
        std::string payload(reply->element[2]->str, reply->element[2]->len);
        guarded([&] { self->on_message(channel, payload); });
      } else if (kind == "subscribe" && ++self->confirmed == self->channels.size() && self->on_subscribed) {
        guarded([&] { self->on_subscribed(); });
      }
    }, nullptr);
  }
};

std::shared_ptr<RedisClient> RedisClient::create(asio::io_context& io, RedisOptions options) {
  check_io_backend();
  return std::shared_ptr<RedisClient>(new RedisClient(std::make_shared<Impl>(io, std::move(options))));
}

RedisClient::RedisClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

RedisClient::~RedisClient() {
  // An io_context that no longer runs would never run a posted close: with no thread in it, the
  // connection can be closed right here (the io_context itself must still exist).
  if (impl_->strand.get_inner_executor().context().stopped()) impl_->shut();
  else close();
}

void RedisClient::command(RedisCommand args, Callback done) {
  asio::post(impl_->strand, [impl = impl_, args = std::move(args), done = std::move(done)]() mutable {
    impl->run_command(std::move(args), std::move(done));
  });
}

void RedisClient::connect() {
  asio::post(impl_->strand, [impl = impl_] {
    if (impl->state == Impl::State::idle) impl->start_connect();
  });
}

bool RedisClient::connected() const noexcept { return impl_->is_ready; }

std::string RedisClient::last_error() const {
  std::lock_guard lock(impl_->error_mutex);
  return impl_->error;
}

void RedisClient::subscribe(std::vector<std::string> channels, MessageHandler handler, std::function<void()> on_connect) {
  asio::post(impl_->strand, [impl = impl_, channels = std::move(channels), handler = std::move(handler),
                             on_connect = std::move(on_connect)]() mutable {
    impl->subscriber = true;
    impl->channels = std::move(channels);
    impl->on_message = std::move(handler);
    impl->on_subscribed = std::move(on_connect);
    if (impl->state == Impl::State::ready) impl->send_subscribe();
    else if (impl->state == Impl::State::idle) impl->start_connect();
  });
}

void RedisClient::close() {
  asio::post(impl_->strand, [impl = impl_] { impl->shut(); });
}

const RedisOptions& RedisClient::options() const noexcept { return impl_->options; }

}  // namespace siteseek
