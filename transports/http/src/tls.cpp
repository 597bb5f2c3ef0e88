#include "tls.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/error.hpp>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "siteseek/error.hpp"

namespace siteseek::http {
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2's suites: forward secrecy (ECDHE) and AEAD ciphers only, the order of Mozilla's
// "intermediate" profile without its DHE suites. TLS 1.3's suites are all good: OpenSSL's.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// OpenSSL's first error of the calls just made, and the queue left empty: errors left behind
// would be taken for those of a later handshake on this thread.
std::string openssl_reason() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  const char* reason = e ? ERR_reason_error_string(e) : nullptr;
  return reason ? reason : "no details from OpenSSL";
}

std::string read_file(const std::string& path, const char* key) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw ConfigError(key, "cannot read " + path + ": " + std::strerror(errno));
  std::string out;
  char buf[8192];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  const bool failed = std::ferror(f);
  const int error = errno;
  std::fclose(f);
  if (failed) throw ConfigError(key, "cannot read " + path + ": " + std::strerror(error));
  return out;
}

// Never ask for a passphrase (OpenSSL's default would prompt on the terminal): an encrypted key
// fails to load, and the error says so.
int no_passphrase(char*, int, int, void*) { return 0; }

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

// ALPN: "http/1.1" when the client offers it; a client offering only others (h2) gets no ALPN
// answer and may go on with HTTP/1.1 or leave.
int select_http11(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* offered,
                  unsigned offered_length, void*) {
  static const unsigned char http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* chosen = nullptr;
  unsigned char length = 0;
  if (SSL_select_next_proto(&chosen, &length, http11, sizeof http11, offered, offered_length) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = chosen;
  *out_length = length;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

std::shared_ptr<ssl::context> make_tls_context(const TlsSettings& tls) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* handle = ctx->native_handle();
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                   ssl::context::single_dh_use);
  SSL_CTX_set_options(handle, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_min_proto_version(handle, tls.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(handle, tls12_ciphers) != 1) {
    throw ConfigError("tls.min_version", "OpenSSL refused siteseek's protocol settings: " + openssl_reason());
  }
  SSL_CTX_set_alpn_select_cb(handle, select_http11, nullptr);

  const std::string cert_pem = read_file(tls.cert_file, "tls.cert_file");
  boost::system::error_code ec;
  ctx->use_certificate_chain(net::buffer(cert_pem), ec);
  if (ec) {
    ERR_clear_error();
    throw ConfigError("tls.cert_file", "no PEM certificate chain in " + tls.cert_file + ": " + ec.message());
  }

  const std::string key_pem = read_file(tls.key_file, "tls.key_file");
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  std::unique_ptr<EVP_PKEY, KeyFree> key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
  if (!key) {
    throw ConfigError("tls.key_file", "no unencrypted PEM private key in " + tls.key_file + ": " + openssl_reason());
  }
  X509* leaf = SSL_CTX_get0_certificate(handle);
  if (!leaf || X509_check_private_key(leaf, key.get()) != 1) {
    ERR_clear_error();
    throw ConfigError("tls.key_file", "the private key in " + tls.key_file + " does not match the certificate in " +
                                          tls.cert_file + " (the first certificate of the file must be the server's)");
  }
  if (SSL_CTX_use_PrivateKey(handle, key.get()) != 1) {
    throw ConfigError("tls.key_file", "OpenSSL refused the private key in " + tls.key_file + ": " + openssl_reason());
  }
  return ctx;
}

bool is_plain_http(const boost::system::error_code& ec) {
  return ec.category() == net::error::get_ssl_category() && ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_HTTP_REQUEST;
}

}  // namespace siteseek::http
