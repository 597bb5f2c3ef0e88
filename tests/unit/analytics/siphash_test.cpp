// The SipHash behind shared storage's signed query ids (analytics/siphash.hpp), checked against
// an independent implementation: OpenSSL's SIPHASH MAC, which takes its compression and
// finalization rounds as parameters. 1-3 (what the ids use) and 2-4 (the reference), every
// message length from 0 to 40 bytes (each tail length, several whole words), random keys; and
// 2-4 against the paper's published vectors.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <boost/test/unit_test.hpp>
#include <random>
#include <string>

#include "analytics/siphash.hpp"

using siteseek::detail::siphash;

// The two variants as plain functions (template commas do not go through Boost.Test's macros).
static std::uint64_t h13(std::uint64_t k0, std::uint64_t k1, std::string_view m) { return siphash<1, 3>(k0, k1, m); }
static std::uint64_t h24(std::uint64_t k0, std::uint64_t k1, std::string_view m) { return siphash<2, 4>(k0, k1, m); }

namespace {

std::uint64_t openssl_siphash(const unsigned char key[16], std::string_view data, unsigned c, unsigned d) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
  BOOST_REQUIRE(mac);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  std::size_t size = 8;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
                         OSSL_PARAM_construct_uint(OSSL_MAC_PARAM_C_ROUNDS, &c),
                         OSSL_PARAM_construct_uint(OSSL_MAC_PARAM_D_ROUNDS, &d), OSSL_PARAM_construct_end()};
  BOOST_REQUIRE(EVP_MAC_init(ctx, key, 16, params) == 1);
  BOOST_REQUIRE(EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1);
  unsigned char out[8];
  std::size_t len = 0;
  BOOST_REQUIRE(EVP_MAC_final(ctx, out, &len, sizeof out) == 1);
  BOOST_REQUIRE(len == 8u);
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(out[i]) << (8 * i);
  return v;
}

std::uint64_t le64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(siphash_)

BOOST_AUTO_TEST_CASE(the_papers_vectors) {
  // Key 00 01 .. 0f; the empty message and the 15 bytes 00 .. 0e (the paper's worked example).
  const std::uint64_t k0 = 0x0706050403020100ull, k1 = 0x0f0e0d0c0b0a0908ull;
  BOOST_TEST(h24(k0, k1, "") == 0x726fdb47dd0e0e31ull);
  std::string fifteen;
  for (char c = 0; c < 15; ++c) fifteen += c;
  BOOST_TEST(h24(k0, k1, fifteen) == 0xa129ca6149be45e5ull);
}

BOOST_AUTO_TEST_CASE(same_as_openssl_for_1_3_and_2_4) {
  std::mt19937_64 random(20261205);
  for (int trial = 0; trial < 20; ++trial) {
    unsigned char key[16];
    for (auto& b : key) b = static_cast<unsigned char>(random());
    std::string message;
    for (std::size_t n = 0; n <= 40; ++n) {
      BOOST_TEST(h13(le64(key), le64(key + 8), message) == openssl_siphash(key, message, 1, 3), "1-3, " << n << " bytes");
      BOOST_TEST(h24(le64(key), le64(key + 8), message) == openssl_siphash(key, message, 2, 4), "2-4, " << n << " bytes");
      message += static_cast<char>(random());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
