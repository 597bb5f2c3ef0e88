#pragma once
// Rate limiting for any transport: which client a request comes from (the peer, or behind a
// trusted proxy the address it forwards), and token buckets per client and budget in a table of
// fixed size. The policy is here; a transport only supplies the peer, the forwarding header and
// the API key's identity, and turns a refusal into its own answer. docs/security.md, "Rate limits".
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "siteseek/settings.hpp"

namespace siteseek {

/// An IPv4 or IPv6 address, binary, in network order. IPv4 is kept as IPv4 (an IPv4-mapped IPv6
/// address, ::ffff:a.b.c.d, is read as the IPv4 address it carries).
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};  ///< IPv4: the first 4
  bool v4 = true;
  bool operator==(const IpAddress&) const = default;
};

/// "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"; nothing else (no brackets, ports or zones).
std::optional<IpAddress> parse_ip(std::string_view text);
/// The address as text ("192.0.2.1", "2001:db8::1").
std::string to_string(const IpAddress& address);

/// An address range: "10.0.0.0/8", "2001:db8::/32", or one address ("192.0.2.7" is a /32).
struct IpRange {
  IpAddress base;
  unsigned prefix = 32;  ///< leading bits that must match
  bool contains(const IpAddress& address) const;
};
/// The range `text` names, or nullopt (bad address, prefix beyond the family's width).
std::optional<IpRange> parse_ip_range(std::string_view text);

/// The address in a forwarding header's entry: "192.0.2.1", "192.0.2.1:4711", "2001:db8::1",
/// "[2001:db8::1]:4711", optionally "quoted"; nullopt for "unknown", "_obfuscated" and garbage.
std::optional<IpAddress> parse_forwarded_node(std::string_view text);

/// Which header a trusted proxy names the client in.
enum class ForwardedHeader { x_forwarded_for, forwarded };

/// The proxies whose forwarding header is believed. From anyone else the header is ignored: a
/// client could write any address there and so pick its own bucket.
class TrustedProxies {
 public:
  TrustedProxies() = default;
  /// `ranges` as in AppSettings::trusted_proxies; throws ConfigError naming a bad entry.
  TrustedProxies(const std::vector<std::string>& ranges, ForwardedHeader header);
  bool contains(const IpAddress& address) const;
  /// The client of a request: `peer` unless it is trusted; then the right-most entry of the
  /// header's list (`header_value`: X-Forwarded-For, or Forwarded's for= values) that is not a
  /// trusted proxy, the left-most if all are; `peer` when the header is absent or that entry is
  /// not an address (garbage, "unknown", an obfuscated name).
  IpAddress client(const IpAddress& peer, std::string_view header_value) const;
  ForwardedHeader header() const { return header_; }

 private:
  std::vector<IpRange> ranges_;
  ForwardedHeader header_ = ForwardedHeader::x_forwarded_for;
};

/// The for= values of a Forwarded header, in order ("for=a, for=b;proto=https" -> a, b); an
/// element without for= gives an empty value.
std::vector<std::string_view> forwarded_for_values(std::string_view forwarded);

/// The outcome of taking one token.
struct RateDecision {
  bool allowed = true;
  /// When refused: how long until a token is there again.
  std::chrono::nanoseconds retry_after{0};
};

/// Token buckets in a table of `slots` that never grows: a hashed table of sets of 8 slots, each
/// slot a key and one time (the bucket stored as the time at which it is full again, as in
/// GCRA). When a set is full, the bucket nearest to full is dropped: that client starts again
/// with a full bucket, which costs it at most one burst, and a client being refused has the
/// latest refill time of its set, so it is the last to go. Thread-safe: a known key's take() is a
/// hash, a scan of 8 slots and a compare-and-swap; inserting a new key locks its stripe of sets.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  /// At least 8 slots, rounded up to whole sets of 8; 16 bytes each.
  explicit RateLimiter(std::size_t slots);
  /// Take one token from `key`'s bucket at time `now` (the caller's clock: tests inject one).
  RateDecision take(std::uint64_t key, const RateBudget& budget, Clock::time_point now);
  /// Slots in the table (fixed at construction).
  std::size_t capacity() const { return sets_ * set_size; }
  /// Slots holding a bucket that is not full at `now` (a full bucket is the same as none).
  std::size_t used(Clock::time_point now) const;

  static constexpr std::size_t set_size = 8;

 private:
  struct Slot {
    std::atomic<std::uint64_t> key{0};   // 0: empty
    std::atomic<std::int64_t> full_at{0};  // ns on the clock: the bucket is full from then on
  };
  std::size_t sets_;
  std::unique_ptr<Slot[]> slots_;
  std::unique_ptr<std::mutex[]> stripes_;
  std::size_t stripe_count_;
  std::uint64_t seed_;  // per process: which set a key lands in cannot be aimed at
};

/// What a request is charged to.
enum class RateClass { search, admin };

/// A refused request: which budget ran out ("search", "admin" or "key") and when to try again.
struct RateRefusal {
  std::string_view budget;
  std::chrono::nanoseconds retry_after{0};
};

/// The server's rate-limit policy from the settings: the budgets, the trusted proxies and one
/// table for every bucket. Thread-safe.
class RateLimits {
 public:
  /// Throws ConfigError for a bad trusted_proxies entry (validate() reports it first).
  explicit RateLimits(const AppSettings& settings);
  bool enabled() const { return settings_.enabled; }
  const TrustedProxies& proxies() const { return proxies_; }
  /// Charge one request of `which` from `client` (and, when it carries a key, from that key's
  /// identity - the credential itself or anything one to one with it, hashed by identity_key;
  /// empty when none) at `now`; the refusal, or nullopt when it may go on.
  std::optional<RateRefusal> check(RateClass which, const IpAddress& client, std::string_view key_identity,
                                   RateLimiter::Clock::time_point now);
  /// The table's slots, and those in use at `now` (for metrics).
  std::size_t capacity() const { return table_.capacity(); }
  std::size_t used(RateLimiter::Clock::time_point now) const { return table_.used(now); }

 private:
  RateLimitSettings settings_;
  TrustedProxies proxies_;
  RateLimiter table_;
};

/// The limiter's key of a client address for one class: IPv4 whole, IPv6 by its /64 (one host
/// usually holds a whole /64 and could rotate addresses inside it).
std::uint64_t address_key(const IpAddress& address, RateClass which);
/// The limiter's key of an API key's identity.
std::uint64_t identity_key(std::string_view identity);

}  // namespace siteseek
