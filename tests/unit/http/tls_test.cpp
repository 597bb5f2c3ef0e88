// What these tests prove (the server's TLS context, transports/http/src/tls.cpp, white-box):
// 1. a certificate and its key make a context with siteseek's defaults: TLS 1.2 or the
//    configured 1.3 at least, server cipher order, no compression, no renegotiation;
// 2. every file problem is a ConfigError at the file's key path naming the file: unreadable
//    (with the system's reason), no PEM certificate, no PEM key, an encrypted key (refused, never
//    prompted for);
// 3. a key that is not the certificate's is refused naming both files.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "siteseek/error.hpp"
#include "tls.hpp"

using namespace siteseek;
namespace fs = std::filesystem;

namespace {

// A self-signed certificate for `cn` and its key (EC P-256), as PEM text.
struct Pem {
  std::string cert, key, encrypted_key;
};

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

Pem self_signed(const char* cn) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
  BOOST_REQUIRE(key && x);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600);
  X509_set_pubkey(x.get(), key.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  BOOST_REQUIRE(X509_sign(x.get(), key.get(), EVP_sha256()) > 0);
  Pem out;
  std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(BIO_new(BIO_s_mem()), BIO_free), key_bio(BIO_new(BIO_s_mem()), BIO_free),
      encrypted_bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(cert_bio.get(), x.get());
  PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char passphrase[] = "secret";
  PEM_write_bio_PrivateKey(encrypted_bio.get(), key.get(), EVP_aes_256_cbc(), nullptr, 0, nullptr, passphrase);
  out.cert = bio_text(cert_bio.get());
  out.key = bio_text(key_bio.get());
  out.encrypted_key = bio_text(encrypted_bio.get());
  return out;
}

struct Files {
  fs::path dir = fs::temp_directory_path() / ("siteseek-tls-test-" + std::to_string(::getpid()));
  Files() { fs::create_directories(dir); }
  ~Files() { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& text) {
    auto path = dir / name;
    std::ofstream(path) << text;
    return path.string();
  }
};

// The one issue of the ConfigError that making the context throws.
ConfigIssue refusal(const TlsSettings& tls) {
  try {
    http::make_tls_context(tls);
  } catch (const ConfigError& e) {
    BOOST_REQUIRE_EQUAL(e.issues().size(), 1u);
    return e.issues()[0];
  }
  BOOST_FAIL("the context was made");
  return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(tls)

BOOST_AUTO_TEST_CASE(a_certificate_and_its_key_make_a_context_with_modern_defaults) {
  Files files;
  auto a = self_signed("localhost");
  TlsSettings tls{files.write("a.pem", a.cert), files.write("a.key", a.key)};
  auto ctx = http::make_tls_context(tls);
  SSL_CTX* handle = ctx->native_handle();
  BOOST_TEST(SSL_CTX_get_min_proto_version(handle) == TLS1_2_VERSION);
  const auto options = SSL_CTX_get_options(handle);
  BOOST_TEST((options & SSL_OP_NO_COMPRESSION) != 0u);
  BOOST_TEST((options & SSL_OP_NO_RENEGOTIATION) != 0u);
  BOOST_TEST((options & SSL_OP_CIPHER_SERVER_PREFERENCE) != 0u);
  // TLS 1.2's suites: ECDHE with AEAD ciphers only.
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(handle), SSL_free);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_get_ciphers(ssl.get());
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    const std::string name = SSL_CIPHER_get_name(c);
    if (name.rfind("TLS_", 0) == 0) continue;  // TLS 1.3's, OpenSSL's own
    BOOST_TEST((name.rfind("ECDHE-", 0) == 0 && (contains(name, "GCM") || contains(name, "CHACHA20"))), name);
  }

  tls.min_version = "1.3";
  BOOST_TEST(SSL_CTX_get_min_proto_version(http::make_tls_context(tls)->native_handle()) == TLS1_3_VERSION);
}

BOOST_AUTO_TEST_CASE(unreadable_files_are_named_at_their_key_path) {
  Files files;
  auto a = self_signed("localhost");
  auto cert = files.write("a.pem", a.cert), key = files.write("a.key", a.key);

  auto missing_cert = refusal({"/nonexistent/cert.pem", key});
  BOOST_TEST(missing_cert.path == "tls.cert_file");
  BOOST_TEST(missing_cert.message == "cannot read /nonexistent/cert.pem: No such file or directory");

  auto missing_key = refusal({cert, "/nonexistent/key.pem"});
  BOOST_TEST(missing_key.path == "tls.key_file");
  BOOST_TEST(missing_key.message == "cannot read /nonexistent/key.pem: No such file or directory");

  auto directory = refusal({files.dir.string(), key});
  BOOST_TEST(directory.path == "tls.cert_file");
  BOOST_TEST(contains(directory.message, "cannot read " + files.dir.string()), directory.message);
}

BOOST_AUTO_TEST_CASE(files_without_pem_are_refused_naming_them) {
  Files files;
  auto a = self_signed("localhost");
  auto cert = files.write("a.pem", a.cert), key = files.write("a.key", a.key);
  auto garbage = files.write("garbage.txt", "not a PEM file\n");

  auto bad_cert = refusal({garbage, key});
  BOOST_TEST(bad_cert.path == "tls.cert_file");
  BOOST_TEST(contains(bad_cert.message, "no PEM certificate chain in " + garbage), bad_cert.message);

  auto bad_key = refusal({cert, garbage});
  BOOST_TEST(bad_key.path == "tls.key_file");
  BOOST_TEST(contains(bad_key.message, "no unencrypted PEM private key in " + garbage), bad_key.message);

  // The certificate given as its own key: PEM, but no key in it.
  auto cert_as_key = refusal({cert, cert});
  BOOST_TEST(cert_as_key.path == "tls.key_file");

  // Encrypted: refused at once (OpenSSL would otherwise ask for the passphrase on the terminal).
  auto encrypted = refusal({cert, files.write("encrypted.key", a.encrypted_key)});
  BOOST_TEST(encrypted.path == "tls.key_file");
  BOOST_TEST(contains(encrypted.message, "no unencrypted PEM private key in"), encrypted.message);
}

BOOST_AUTO_TEST_CASE(a_key_of_another_certificate_is_refused_naming_both_files) {
  Files files;
  auto a = self_signed("localhost"), b = self_signed("localhost");
  auto cert_a = files.write("a.pem", a.cert), key_b = files.write("b.key", b.key);
  auto mismatch = refusal({cert_a, key_b});
  BOOST_TEST(mismatch.path == "tls.key_file");
  BOOST_TEST(contains(mismatch.message, "the private key in " + key_b + " does not match the certificate in " + cert_a),
             mismatch.message);
}

BOOST_AUTO_TEST_SUITE_END()
