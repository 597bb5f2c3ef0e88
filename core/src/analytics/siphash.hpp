#pragma once
// SipHash-c-d (Aumasson and Bernstein), for the signed query ids of shared storage: a keyed PRF
// fast on short input. Written here rather than through OpenSSL's EVP_MAC because a search signs
// one id and the EVP layer's context set-up would cost more than the hash; the unit tests check
// it against OpenSSL's SIPHASH (any rounds) on random keys and messages.
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace siteseek::detail {

template <int C, int D>
std::uint64_t siphash(std::uint64_t k0, std::uint64_t k1, std::string_view data) {
  auto rotl = [](std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); };
  std::uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1, v2 = 0x6c7967656e657261ull ^ k0,
                v3 = 0x7465646279746573ull ^ k1;
  auto round = [&] {
    v0 += v1, v1 = rotl(v1, 13), v1 ^= v0, v0 = rotl(v0, 32);
    v2 += v3, v3 = rotl(v3, 16), v3 ^= v2;
    v0 += v3, v3 = rotl(v3, 21), v3 ^= v0;
    v2 += v1, v1 = rotl(v1, 17), v1 ^= v2, v2 = rotl(v2, 32);
  };
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t n = data.size(), whole = n - n % 8;
  auto word = [&](std::size_t at) {
    std::uint64_t m = 0;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&m, p + at, 8);
    } else {
      for (int i = 0; i < 8; ++i) m |= static_cast<std::uint64_t>(p[at + i]) << (8 * i);
    }
    return m;
  };
  for (std::size_t i = 0; i < whole; i += 8) {
    const std::uint64_t m = word(i);
    v3 ^= m;
    for (int r = 0; r < C; ++r) round();
    v0 ^= m;
  }
  std::uint64_t last = static_cast<std::uint64_t>(n & 0xff) << 56;
  for (std::size_t i = whole; i < n; ++i) last |= static_cast<std::uint64_t>(p[i]) << (8 * (i - whole));
  v3 ^= last;
  for (int r = 0; r < C; ++r) round();
  v0 ^= last;
  v2 ^= 0xff;
  for (int r = 0; r < D; ++r) round();
  return v0 ^ v1 ^ v2 ^ v3;
}

/// SipHash-1-3, as Rust's HashMap keys it: what query ids use.
inline std::uint64_t siphash13(std::uint64_t k0, std::uint64_t k1, std::string_view data) {
  return siphash<1, 3>(k0, k1, data);
}

}  // namespace siteseek::detail
