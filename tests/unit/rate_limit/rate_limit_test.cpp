// What these tests prove (siteseek/rate_limit.hpp), all on an injected clock (no sleeps, no timing):
// 1. Bucket arithmetic: a full bucket allows `burst` requests at once, then refuses with the time
//    to the next token; tokens come back at `per_second` and never beyond `burst`; fractional
//    rates work.
// 2. The table never grows: a flood of distinct keys leaves capacity() as built and used() within
//    it; a client being refused outlives the flood; an evicted client starts with a full bucket.
// 3. Keys: IPv6 addresses share a bucket per /64, IPv4 per address, an IPv4-mapped IPv6 address
//    is its IPv4 address; the search and admin classes and API-key identities have separate buckets.
// 4. Addresses and ranges parse (CIDR, IPv4-mapped ranges) and bad ones are refused.
// 5. The client behind trusted proxies: the right-most untrusted entry of X-Forwarded-For or of
//    Forwarded's for= values (quoted, bracketed IPv6, ports); the peer for an untrusted peer,
//    an absent header, "unknown", obfuscated identifiers and garbage.
// 6. Threads taking from shared and own buckets at once are granted exactly `burst` tokens each
//    (run under ThreadSanitizer in CI, label 'concurrent').
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <ostream>
#include <thread>
#include <vector>

#include "siteseek/rate_limit.hpp"

namespace siteseek {
std::ostream& operator<<(std::ostream& out, const IpAddress& address) { return out << to_string(address); }
}  // namespace siteseek

using namespace siteseek;
using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

namespace {

const Clock::time_point t0 = Clock::time_point(1000s);

IpAddress ip(std::string_view text) {
  auto a = parse_ip(text);
  BOOST_TEST_REQUIRE(a.has_value(), text);
  return *a;
}

// How many of `n` takes at `now` are allowed.
int allowed(RateLimiter& limiter, std::uint64_t key, const RateBudget& budget, Clock::time_point now, int n) {
  int ok = 0;
  for (int i = 0; i < n; ++i) ok += limiter.take(key, budget, now).allowed;
  return ok;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rate_limit)

BOOST_AUTO_TEST_CASE(a_bucket_allows_its_burst_then_refills_at_its_rate) {
  RateLimiter limiter(1024);
  const RateBudget budget{10, 5};  // a token every 100 ms
  BOOST_TEST(allowed(limiter, 42, budget, t0, 5) == 5);
  auto refused = limiter.take(42, budget, t0);
  BOOST_TEST(!refused.allowed);
  BOOST_TEST(refused.retry_after.count() == std::chrono::nanoseconds(100ms).count());
  refused = limiter.take(42, budget, t0 + 99ms);
  BOOST_TEST(!refused.allowed);
  BOOST_TEST(refused.retry_after.count() == std::chrono::nanoseconds(1ms).count());
  BOOST_TEST(limiter.take(42, budget, t0 + 100ms).allowed);
  BOOST_TEST(!limiter.take(42, budget, t0 + 100ms).allowed);
  BOOST_TEST(allowed(limiter, 42, budget, t0 + 350ms, 10) == 2);  // 250 ms later: 2 tokens, the half is kept
  BOOST_TEST(allowed(limiter, 42, budget, t0 + 400ms, 10) == 1);
  // Long idle: the bucket is full again, and holds no more than the burst.
  BOOST_TEST(allowed(limiter, 42, budget, t0 + 1h, 100) == 5);
  // Another key is untouched by all this.
  BOOST_TEST(allowed(limiter, 43, budget, t0 + 400ms, 100) == 5);
}

BOOST_AUTO_TEST_CASE(fractional_rates) {
  RateLimiter limiter(64);
  const RateBudget budget{0.5, 1};  // one every 2 s
  BOOST_TEST(limiter.take(7, budget, t0).allowed);
  auto refused = limiter.take(7, budget, t0 + 500ms);
  BOOST_TEST(!refused.allowed);
  BOOST_TEST(refused.retry_after.count() == std::chrono::nanoseconds(1500ms).count());
  BOOST_TEST(limiter.take(7, budget, t0 + 2s).allowed);
}

BOOST_AUTO_TEST_CASE(the_table_stays_its_size_under_a_flood) {
  RateLimiter limiter(100);  // rounded up to whole sets of 8
  BOOST_TEST(limiter.capacity() == 104u);
  const RateBudget budget{1, 3};
  // One client uses up its bucket; then 100,000 others arrive at the same instant.
  BOOST_TEST(allowed(limiter, 1, budget, t0, 10) == 3);
  int newcomers = 0;
  for (std::uint64_t k = 2; k < 100'002; ++k) newcomers += limiter.take(k, budget, t0).allowed;
  BOOST_TEST(newcomers == 100'000);
  BOOST_TEST(limiter.capacity() == 104u);
  BOOST_TEST(limiter.used(t0) == 104u);
  // The client that was refused is still known: its refill time is the latest of its set.
  BOOST_TEST(!limiter.take(1, budget, t0).allowed);
  // Once every bucket is full again, none counts as used.
  BOOST_TEST(limiter.used(t0 + 1h) == 0u);
}

BOOST_AUTO_TEST_CASE(an_evicted_client_starts_with_a_full_bucket) {
  RateLimiter limiter(8);  // one set
  const RateBudget budget{1, 2};
  BOOST_TEST(limiter.take(100, budget, t0).allowed);  // 1 of 2 left: the nearest to full below
  for (std::uint64_t k = 1; k <= 8; ++k) BOOST_TEST(allowed(limiter, k, budget, t0, 2) == 2);
  BOOST_TEST(allowed(limiter, 100, budget, t0, 5) == 2);  // forgotten: a whole burst again
}

BOOST_AUTO_TEST_CASE(ipv6_is_grouped_by_its_64_and_classes_are_separate) {
  const auto a = address_key(ip("2001:db8:1:2::1"), RateClass::search);
  BOOST_TEST(a == address_key(ip("2001:db8:1:2:ffff:eeee:dddd:9"), RateClass::search));
  BOOST_TEST(a != address_key(ip("2001:db8:1:3::1"), RateClass::search));
  BOOST_TEST(a != address_key(ip("2001:db8:1:2::1"), RateClass::admin));
  BOOST_TEST(address_key(ip("192.0.2.1"), RateClass::search) != address_key(ip("192.0.2.2"), RateClass::search));
  BOOST_TEST(address_key(ip("::ffff:192.0.2.1"), RateClass::search) == address_key(ip("192.0.2.1"), RateClass::search));
  BOOST_TEST(identity_key("abc") != identity_key("abd"));

  AppSettings settings;
  settings.rate_limits.search = {1, 2};
  settings.rate_limits.admin = {1, 1};
  settings.rate_limits.per_key = {1, 3};
  RateLimits limits(settings);
  const auto host = ip("2001:db8:1:2::1"), same_prefix = ip("2001:db8:1:2::77"), other = ip("2001:db8:1:3::1");
  BOOST_TEST(!limits.check(RateClass::search, host, "", t0));
  BOOST_TEST(!limits.check(RateClass::search, same_prefix, "", t0));
  auto refused = limits.check(RateClass::search, same_prefix, "", t0);
  BOOST_TEST_REQUIRE(refused.has_value());
  BOOST_TEST(refused->budget == "search");
  BOOST_TEST(refused->retry_after.count() == std::chrono::nanoseconds(1s).count());
  BOOST_TEST(!limits.check(RateClass::search, other, "", t0));
  BOOST_TEST(!limits.check(RateClass::admin, host, "", t0));  // its own budget
  BOOST_TEST(limits.check(RateClass::admin, host, "", t0)->budget == "admin");
  // A key's budget spans addresses: three requests with it from three addresses, then refused.
  for (auto addr : {"192.0.2.1", "192.0.2.2", "192.0.2.3"}) BOOST_TEST(!limits.check(RateClass::search, ip(addr), "k1", t0));
  BOOST_TEST(limits.check(RateClass::search, ip("192.0.2.4"), "k1", t0)->budget == "key");
  BOOST_TEST(!limits.check(RateClass::search, ip("192.0.2.5"), "k2", t0));
}

BOOST_AUTO_TEST_CASE(addresses_and_ranges) {
  BOOST_TEST(ip("192.0.2.1").v4);
  BOOST_TEST(!ip("2001:db8::1").v4);
  BOOST_TEST(ip("::ffff:192.0.2.1") == ip("192.0.2.1"));
  BOOST_TEST(to_string(ip("2001:db8:0:0::1")) == "2001:db8::1");
  for (auto bad : {"", "1.2.3", "1.2.3.256", "fe80::1%eth0", "[::1]", "1.2.3.4:80", "example.org", "::g"}) {
    BOOST_TEST(!parse_ip(bad).has_value(), bad);
  }
  auto r = parse_ip_range("10.0.0.0/8");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->contains(ip("10.255.0.1")));
  BOOST_TEST(!r->contains(ip("11.0.0.1")));
  BOOST_TEST(!r->contains(ip("::ffff:11.0.0.1")));
  BOOST_TEST(!r->contains(ip("2001:db8::1")));
  auto odd = parse_ip_range("192.168.0.0/23");
  BOOST_TEST(odd->contains(ip("192.168.1.200")));
  BOOST_TEST(!odd->contains(ip("192.168.2.1")));
  auto v6 = parse_ip_range("2001:db8::/32");
  BOOST_TEST(v6->contains(ip("2001:db8:ffff::1")));
  BOOST_TEST(!v6->contains(ip("2001:db9::1")));
  BOOST_TEST(parse_ip_range("::ffff:10.0.0.0/104")->contains(ip("10.0.0.5")));
  BOOST_TEST(parse_ip_range("192.0.2.7")->contains(ip("192.0.2.7")));
  BOOST_TEST(!parse_ip_range("192.0.2.7")->contains(ip("192.0.2.8")));
  BOOST_TEST(parse_ip_range("0.0.0.0/0")->contains(ip("203.0.113.9")));
  for (auto bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/8/8", "::ffff:10.0.0.0/90", "/8"}) {
    BOOST_TEST(!parse_ip_range(bad).has_value(), bad);
  }
}

BOOST_AUTO_TEST_CASE(forwarding_header_entries) {
  BOOST_TEST(*parse_forwarded_node("203.0.113.5") == ip("203.0.113.5"));
  BOOST_TEST(*parse_forwarded_node(" 203.0.113.5:4711 ") == ip("203.0.113.5"));
  BOOST_TEST(*parse_forwarded_node("\"[2001:db8:cafe::17]:4711\"") == ip("2001:db8:cafe::17"));
  BOOST_TEST(*parse_forwarded_node("[2001:db8::1]") == ip("2001:db8::1"));
  BOOST_TEST(*parse_forwarded_node("2001:db8::1") == ip("2001:db8::1"));
  BOOST_TEST(*parse_forwarded_node("192.0.2.1:_port") == ip("192.0.2.1"));
  for (auto bad : {"unknown", "_hidden", "\"_SEVKISEK\"", "", "[192.0.2.1]", "[2001:db8::1", "[2001:db8::1]x",
                   "192.0.2.1:", "192.0.2.1:99999x", "host.example:80", "\"", "1.2.3.4 5.6.7.8"}) {
    BOOST_TEST(!parse_forwarded_node(bad).has_value(), bad);
  }
  auto values = forwarded_for_values(R"(for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8::17]:4711", proto=https, for="a,b;c")");
  BOOST_TEST_REQUIRE(values.size() == 4u);
  BOOST_TEST(values[0] == "192.0.2.60");
  BOOST_TEST(values[1] == "\"[2001:db8::17]:4711\"");
  BOOST_TEST(values[2] == "");
  BOOST_TEST(values[3] == "\"a,b;c\"");
}

BOOST_AUTO_TEST_CASE(the_client_behind_trusted_proxies) {
  TrustedProxies xff({"127.0.0.1", "10.0.0.0/8", "2001:db8:ff::/48"}, ForwardedHeader::x_forwarded_for);
  const auto proxy = ip("10.0.0.2"), stranger = ip("198.51.100.9");
  auto client = [&](const IpAddress& peer, std::string_view header) { return to_string(xff.client(peer, header)); };
  BOOST_TEST(client(stranger, "203.0.113.5") == "198.51.100.9");     // never believed from anyone else
  BOOST_TEST(client(proxy, "") == "10.0.0.2");
  BOOST_TEST(client(proxy, "203.0.113.5") == "203.0.113.5");
  BOOST_TEST(client(proxy, "1.1.1.1, 203.0.113.5, 10.0.0.7") == "203.0.113.5");  // left of it: the client's own words
  BOOST_TEST(client(proxy, "203.0.113.5,10.0.0.7,127.0.0.1") == "203.0.113.5");
  BOOST_TEST(client(proxy, "10.0.0.3, 10.0.0.4") == "10.0.0.3");  // all trusted: the left-most
  BOOST_TEST(client(proxy, "203.0.113.5:4711") == "203.0.113.5");
  BOOST_TEST(client(proxy, "[2001:db8::5]:443, 2001:db8:ff::1") == "2001:db8::5");
  BOOST_TEST(client(proxy, "2001:db8::5") == "2001:db8::5");
  BOOST_TEST(client(ip("::ffff:10.1.1.1"), "203.0.113.5") == "203.0.113.5");  // a mapped peer is its IPv4 address
  for (auto garbage : {"unknown", "_hidden", "garbage", ",", " , ", "203.0.113.5, nonsense", "203.0.113.5,", "1.2.3.4.5"}) {
    BOOST_TEST(client(proxy, garbage) == "10.0.0.2", garbage);
  }
  BOOST_TEST(client(proxy, "nonsense, 203.0.113.5") == "203.0.113.5");  // stops before the garbage

  TrustedProxies fwd({"10.0.0.0/8"}, ForwardedHeader::forwarded);
  auto by_forwarded = [&](std::string_view header) { return to_string(fwd.client(proxy, header)); };
  BOOST_TEST(by_forwarded("for=192.0.2.60;proto=http;by=203.0.113.43") == "192.0.2.60");
  BOOST_TEST(by_forwarded(R"(For="[2001:db8:cafe::17]:4711")") == "2001:db8:cafe::17");
  BOOST_TEST(by_forwarded("for=192.0.2.43, for=198.51.100.17") == "198.51.100.17");
  BOOST_TEST(by_forwarded("for=192.0.2.43, for=198.51.100.17;by=10.0.0.2, for=10.0.0.9") == "198.51.100.17");
  BOOST_TEST(by_forwarded("for=_hidden, for=198.51.100.17") == "198.51.100.17");
  BOOST_TEST(by_forwarded("for=198.51.100.17, for=_hidden") == "10.0.0.2");
  BOOST_TEST(by_forwarded("for=unknown") == "10.0.0.2");
  BOOST_TEST(by_forwarded("proto=https;host=example.org") == "10.0.0.2");
  BOOST_TEST(by_forwarded(R"(for="198.51.100.1, for=10.0.0.9")") == "10.0.0.2");  // a quoted comma is one value
  BOOST_TEST(to_string(fwd.client(stranger, "for=192.0.2.60")) == "198.51.100.9");
  BOOST_CHECK_THROW(TrustedProxies({"10.0.0.0/8", "nope"}, ForwardedHeader::forwarded), ConfigError);
}

BOOST_AUTO_TEST_CASE(threads_share_buckets_exactly) {
  RateLimiter limiter(4096);
  const RateBudget budget{0.001, 1000};  // no refill within the test's instant
  constexpr int threads = 8, takes = 5000;
  std::atomic<int> shared_allowed{0};
  std::vector<int> own_allowed(threads, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < takes; ++i) {
        if (limiter.take(1, budget, t0).allowed) shared_allowed.fetch_add(1);
        if (limiter.take(1000 + t, budget, t0).allowed) ++own_allowed[t];
        limiter.used(t0);  // the metrics' read, racing the writers
      }
    });
  }
  for (auto& th : pool) th.join();
  BOOST_TEST(shared_allowed.load() == 1000);
  for (int t = 0; t < threads; ++t) BOOST_TEST(own_allowed[t] == 1000);
}

BOOST_AUTO_TEST_SUITE_END()
