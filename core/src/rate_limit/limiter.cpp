// The token-bucket table and the policy that charges requests to it.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "common/word_hash.hpp"
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
  return non_zero(mix(detail::hash_word(identity) ^ 0x6b6579));  // the credential, 8 bytes a step
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
  // Take from the slot's refill time with one compare-and-swap; false when the key has no slot.
  RateDecision decision;
  auto take_from = [&](Slot& slot) {
    std::int64_t seen = slot.full_at.load(std::memory_order_relaxed);
    for (;;) {
      const std::int64_t next = std::max(t, seen) + interval;
      if (next - t > tolerance) {
        decision = {false, std::chrono::nanoseconds(next - tolerance - t)};
        return;
      }
      if (slot.full_at.compare_exchange_weak(seen, next, std::memory_order_relaxed)) return;
    }
  };
  auto find = [&]() -> Slot* {
    for (Slot* s = first; s != first + set_size; ++s) {
      if (s->key.load(std::memory_order_acquire) == key) return s;
    }
    return nullptr;
  };
  // A known client (every request but its first): no lock, so threads answering one busy address
  // never wait for each other. Should its slot be given to another client meanwhile, that one is
  // charged the token instead: an error of one token, only while the set is being churned.
  if (Slot* s = find()) {
    take_from(*s);
    return decision;
  }
  // A new client: the stripe's lock orders insertions into the set.
  std::lock_guard lock(stripes_[set % stripe_count_]);
  if (Slot* s = find()) {  // inserted by another thread meanwhile
    take_from(*s);
    return decision;
  }
  Slot* victim = first;
  for (Slot* s = first + 1; s != first + set_size; ++s) {
    if (s->full_at.load(std::memory_order_relaxed) < victim->full_at.load(std::memory_order_relaxed)) victim = s;
  }
  // A client not in the table has a full bucket: this take always succeeds (burst >= 1).
  victim->full_at.store(t + interval, std::memory_order_relaxed);
  victim->key.store(key, std::memory_order_release);
  return decision;
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
