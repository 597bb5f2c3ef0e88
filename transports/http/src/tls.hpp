#pragma once
// The server's TLS context: OpenSSL through Asio, built from the certificate and key files with
// siteseek's defaults (docs/security.md#tls). Built whole, or not at all: every problem is a
// ConfigError naming its key path and file, at start and at each reload alike.
#include <memory>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include "siteseek/settings.hpp"

namespace siteseek::http {

/// A server context for `tls`: its min_version or later (TLS 1.2 suites: ECDHE with AES-GCM or
/// ChaCha20-Poly1305 only), the server's cipher order, no compression, no renegotiation, ALPN
/// "http/1.1". Throws ConfigError: tls.cert_file or tls.key_file unreadable or holding no PEM
/// certificate or key (path "tls.cert_file"/"tls.key_file"), or a key that is not the
/// certificate's (naming both files).
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsSettings& tls);

/// Whether a handshake failed because the client spoke plain HTTP to the TLS port.
bool is_plain_http(const boost::system::error_code& handshake_error);

}  // namespace siteseek::http
