// rediss:// (TLS) for a hiredis without TLS (Debian 12 ships hiredis 0.14): hiredis connects to a
// Unix socket in a private directory (mode 0700: only this user can connect), and this tunnel
// carries each connection to the Redis server over TLS (OpenSSL through Boost.Asio), verifying
// the server's certificate and host name. One tunnel per server, on its own thread; it lives as
// long as a client uses it.
#include "redis/tls_tunnel.hpp"
#include "siteseek/io_backend.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace siteseek::detail {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using local = asio::local::stream_protocol;

namespace {

/// One hiredis connection: the local socket and the TLS stream, bytes pumped both ways.
struct Pipe : std::enable_shared_from_this<Pipe> {
  std::function<void(const std::string&)> report;  // a TLS-side failure, for the client's error
  local::socket plain;
  ssl::stream<tcp::socket> secure;
  std::array<char, 16384> up{}, down{};
  Pipe(local::socket s, asio::io_context& io, ssl::context& ctx) : plain(std::move(s)), secure(io, ctx) {}

  // Ends both directions: operations in flight complete with an error. The sockets are closed by
  // the destructor, once no handler holds the pipe: under Boost 1.81's io_uring backend, cancelling
  // an operation or closing its socket while it is in flight loses handlers (server.cpp, Session).
  void close() {
    boost::system::error_code ec;
    plain.shutdown(local::socket::shutdown_both, ec);
    secure.lowest_layer().shutdown(tcp::socket::shutdown_both, ec);
  }
  void pump_up() {  // hiredis -> Redis
    plain.async_read_some(asio::buffer(up), [self = shared_from_this()](auto ec, std::size_t n) {
      if (ec) return self->close();
      asio::async_write(self->secure, asio::buffer(self->up, n), [self](boost::system::error_code ec2, std::size_t) {
        if (ec2) {
          if (self->report) self->report("TLS write: " + ec2.message());
          return self->close();
        }
        self->pump_up();
      });
    });
  }
  void pump_down() {  // Redis -> hiredis
    secure.async_read_some(asio::buffer(down), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      if (ec) {
        if (ec != asio::error::eof && self->report) self->report("TLS read: " + ec.message());
        return self->close();
      }
      asio::async_write(self->plain, asio::buffer(self->down, n), [self](auto ec2, std::size_t) {
        if (ec2) return self->close();
        self->pump_down();
      });
    });
  }
};

}  // namespace

struct TlsTunnel::Impl {
  asio::io_context io;
  mutable std::mutex error_mutex;
  std::string error;
  void set_error(const std::string& e) {
    std::lock_guard lock(error_mutex);
    error = e;
  }
  ssl::context ctx{ssl::context::tls_client};
  std::string host;
  std::uint16_t port;
  std::filesystem::path dir;
  local::acceptor acceptor{io};
  std::vector<std::weak_ptr<Pipe>> pipes;  // only touched on the loop's thread
  bool closing = false;                    // only touched on the loop's thread
  std::atomic<bool> finished{false};       // the loop ran out of work
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, local::socket s) {
      if (ec || closing) {
        acceptor.close(ec);  // nothing is in flight on it now
        return;
      }
      auto pipe = std::make_shared<Pipe>(std::move(s), io, ctx);
      std::erase_if(pipes, [](const std::weak_ptr<Pipe>& p) { return p.expired(); });
      pipes.push_back(pipe);
      pipe->report = [this](const std::string& e) { set_error(e); };
      tcp::resolver resolver(io);
      boost::system::error_code rec;
      auto endpoints = resolver.resolve(host, std::to_string(port), rec);
      if (rec) {
        set_error("cannot resolve " + host + ": " + rec.message());
        pipe->close();  // hiredis sees the connection closed; the client reports it and retries
      } else {
        SSL_set_tlsext_host_name(pipe->secure.native_handle(), host.c_str());  // SNI
        pipe->secure.set_verify_callback(ssl::host_name_verification(host));
        asio::async_connect(pipe->secure.lowest_layer(), endpoints, [this, pipe](boost::system::error_code cec, const tcp::endpoint&) {
          if (cec) {
            set_error("cannot connect to " + host + ":" + std::to_string(port) + ": " + cec.message());
            return pipe->close();
          }
          pipe->secure.async_handshake(ssl::stream_base::client, [this, pipe](boost::system::error_code hec) {
            if (hec) {
              set_error("TLS handshake with " + host + ":" + std::to_string(port) + " failed: " + hec.message());
              return pipe->close();
            }
            set_error({});
            pipe->pump_up();
            pipe->pump_down();
          });
        });
      }
      accept();
    });
  }
};

TlsTunnel::TlsTunnel(const std::string& host, std::uint16_t port, const std::string& ca_file)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = host;
  impl_->port = port;
  impl_->ctx.set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (ca_file.empty()) impl_->ctx.set_default_verify_paths(ec);
  else impl_->ctx.load_verify_file(ca_file, ec);
  if (ec) throw RedisError("redis_unavailable", "rediss: cannot load CA certificates" + (ca_file.empty() ? std::string() : " from " + ca_file) + ": " + ec.message());
  char tmpl[] = "/tmp/siteseek-rediss.XXXXXX";
  if (!::mkdtemp(tmpl)) throw RedisError("redis_unavailable", "rediss: cannot create a private socket directory");
  impl_->dir = tmpl;  // mkdtemp makes it 0700
  local::endpoint endpoint((impl_->dir / "redis.sock").string());
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->accept();
  impl_->thread = std::thread([impl = impl_.get()] {
    impl->io.run();  // no work guard: returns once the acceptor and every pipe are closed
    impl->finished = true;
  });
}

TlsTunnel::~TlsTunnel() {
  // The acceptor and the pipes are shut down on the loop's thread, the handlers of their failed
  // operations close them, and the loop runs out of work: with io_uring an operation stays queued
  // until the kernel reports it, and Asio 1.81 destroying a loop with operations queued reads freed
  // memory.
  auto* impl = impl_.get();
  asio::post(impl->io, [impl] {
    boost::system::error_code ec;
    impl->closing = true;
    ::shutdown(impl->acceptor.native_handle(), SHUT_RDWR);  // the accept fails; its handler closes
    for (auto& w : impl->pipes)
      if (auto p = w.lock()) p->close();
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!impl->finished && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl->io.stop();
  impl->thread.join();
  drain(impl->io, std::chrono::seconds(1));
  std::error_code ec;
  std::filesystem::remove_all(impl_->dir, ec);
}

std::string TlsTunnel::socket_path() const { return (impl_->dir / "redis.sock").string(); }

std::string TlsTunnel::last_error() const {
  std::lock_guard lock(impl_->error_mutex);
  return impl_->error;
}

std::shared_ptr<TlsTunnel> TlsTunnel::for_server(const RedisOptions& o) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<TlsTunnel>> tunnels;
  const std::string key = o.host + ":" + std::to_string(o.port) + "|" + o.tls_ca_file;
  std::lock_guard lock(mutex);
  if (auto t = tunnels[key].lock()) return t;
  auto t = std::make_shared<TlsTunnel>(o.host, o.port, o.tls_ca_file);
  tunnels[key] = t;
  return t;
}

}  // namespace siteseek::detail
