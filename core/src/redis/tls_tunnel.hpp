#pragma once
// rediss:// through a private Unix socket and a TLS connection (see tls_tunnel.cpp).
#include <cstdint>
#include <memory>
#include <string>

#include "siteseek/redis.hpp"

namespace siteseek::detail {

class TlsTunnel {
 public:
  /// Listen on a Unix socket in a new 0700 directory; each connection to it goes to host:port
  /// over TLS, verified against `ca_file` (empty: the system's CA certificates).
  TlsTunnel(const std::string& host, std::uint16_t port, const std::string& ca_file);
  ~TlsTunnel();
  TlsTunnel(const TlsTunnel&) = delete;
  TlsTunnel& operator=(const TlsTunnel&) = delete;
  /// Where hiredis connects.
  std::string socket_path() const;
  /// The last TLS failure (handshake, certificate), "" when none.
  std::string last_error() const;
  /// The tunnel for this server, shared by every client of this process while one uses it.
  static std::shared_ptr<TlsTunnel> for_server(const RedisOptions& options);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace siteseek::detail
