// The token-bucket table and the policy that charges requests to it.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "siteseek/rate_limit.hpp"

namespace siteseek {
namespace {

// SplitMix64's finaliser: every input bit moves every output bit.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t non_zero(std::uint64_t key) { return key ? key : 1; }  // 0 marks an empty slot

constexpr std::size_t stripes_wanted = 256;

}  // namespace

std::uint64_t address_key(const IpAddress& address, RateClass which) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, address.bytes.data(), address.v4 ? 4 : 8);  // IPv6: the /64 only
  const std::uint64_t tag = (address.v4 ? 1u : 2u) | static_cast<std::uint64_t>(which) << 2;
  return non_zero(mix(bits ^ mix(tag)));
}

std::uint64_t identity_key(std::string_view identity) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, then mixed
  for (unsigned char c : identity) h = (h ^ c) * 0x100000001b3ULL;
  return non_zero(mix(h ^ 0x6b6579));
}

RateLimiter::RateLimiter(std::size_t slots)
    : sets_(std::max<std::size_t>(1, (slots + set_size - 1) / set_size)),
      slots_(new Slot[sets_ * set_size]),
      stripes_(new std::mutex[std::min(sets_, stripes_wanted)]),
      stripe_count_(std::min(sets_, stripes_wanted)),
      seed_(std::random_device{}() | static_cast<std::uint64_t>(std::random_device{}()) << 32) {}

RateDecision RateLimiter::take(std::uint64_t key, const RateBudget& budget, Clock::time_point now) {
  key = non_zero(key);
  const std::int64_t t = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  // A token every `interval`; a full bucket is `tolerance` ahead of its refill time.
  const auto interval = std::max<std::int64_t>(1, std::llround(1e9 / budget.per_second));
  const auto tolerance = static_cast<std::int64_t>(std::min(1e18, static_cast<double>(interval) * budget.burst));
  const std::size_t set = static_cast<std::size_t>((static_cast<unsigned __int128>(mix(key ^ seed_)) * sets_) >> 64);
  Slot* first = &slots_[set * set_size];
  std::lock_guard lock(stripes_[set % stripe_count_]);
  Slot* slot = nullptr;
  Slot* victim = first;
  for (Slot* s = first; s != first + set_size; ++s) {
    if (s->key.load(std::memory_order_relaxed) == key) {
      slot = s;
      break;
    }
    if (s->full_at.load(std::memory_order_relaxed) < victim->full_at.load(std::memory_order_relaxed)) victim = s;
  }
  std::int64_t full_at = t;  // a client not in the table has a full bucket
  if (slot) full_at = std::max(t, slot->full_at.load(std::memory_order_relaxed));
  const std::int64_t next = full_at + interval;
  if (next - t > tolerance) return {false, std::chrono::nanoseconds(next - tolerance - t)};
  if (!slot) {
    slot = victim;
    slot->key.store(key, std::memory_order_relaxed);
  }
  slot->full_at.store(next, std::memory_order_relaxed);
  return {};
}

std::size_t RateLimiter::used(Clock::time_point now) const {
  const std::int64_t t = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  std::size_t n = 0;
  for (std::size_t i = 0; i < capacity(); ++i) {
    // Without the lock: a count for metrics, each slot read whole enough (one atomic each).
    if (slots_[i].key.load(std::memory_order_relaxed) && slots_[i].full_at.load(std::memory_order_relaxed) > t) ++n;
  }
  return n;
}

namespace {
ForwardedHeader header_of(const std::string& name) {
  return name == "forwarded" ? ForwardedHeader::forwarded : ForwardedHeader::x_forwarded_for;
}
}  // namespace

RateLimits::RateLimits(const AppSettings& settings)
    : settings_(settings.rate_limits),
      proxies_(settings.trusted_proxies, header_of(settings.trusted_proxy_header)),
      table_(settings.rate_limits.table_size) {}

std::optional<RateRefusal> RateLimits::check(RateClass which, const IpAddress& client, std::string_view key_identity,
                                             RateLimiter::Clock::time_point now) {
  const bool search = which == RateClass::search;
  auto d = table_.take(address_key(client, which), search ? settings_.search : settings_.admin, now);
  if (!d.allowed) return RateRefusal{search ? "search" : "admin", d.retry_after};
  if (!key_identity.empty()) {
    d = table_.take(identity_key(key_identity), settings_.per_key, now);
    if (!d.allowed) return RateRefusal{"key", d.retry_after};
  }
  return std::nullopt;
}

}  // namespace siteseek
