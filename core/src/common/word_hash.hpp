#pragma once
// A fast hash for short words (terms, folded words), shared by the analyzer's word cache and the
// index builder's term table: 8 bytes at a time, multiply-xorshift mixing. Not for adversarial
// keys: both tables are bounded or rebuilt, and only slower under collisions.
#include <cstdint>
#include <cstring>
#include <string_view>

namespace siteseek::detail {

inline std::uint64_t hash_word(std::string_view s) noexcept {
  constexpr std::uint64_t k = 0x9E3779B97F4A7C15ull;
  std::uint64_t h = s.size() * k;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t v;
    std::memcpy(&v, s.data() + i, 8);
    h = (h ^ v) * k;
    h ^= h >> 29;
  }
  if (i < s.size()) {
    std::uint64_t v = 0;
    std::memcpy(&v, s.data() + i, s.size() - i);
    h = (h ^ v) * k;
    h ^= h >> 29;
  }
  h *= k;
  return h ^ (h >> 32);
}

}  // namespace siteseek::detail
