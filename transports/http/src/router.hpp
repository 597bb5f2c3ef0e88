#pragma once
// The route table and its handlers, free of Beast types: the session turns a parsed request
// into a Request, and writes the Response back.
#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "siteseek/rate_limit.hpp"
#include "siteseek/search.hpp"

namespace siteseek {
class Node;
}  // namespace siteseek

namespace siteseek::http {

struct Request {
  std::string_view method;   ///< "GET", "POST", ...
  std::string_view target;   ///< path and query, as sent
  std::string_view api_key;  ///< X-API-KEY header: the api_key, a key or a scoped token
  std::string_view origin;   ///< Origin header
  std::string_view accept_encoding;  ///< Accept-Encoding header (the web assets are sent gzip-compressed)
  std::string_view body;
  std::string_view content_type;  ///< Content-Type header (the click beacon's)
  IpAddress peer;             ///< the connection's remote address
  std::string forwarded_for;  ///< X-Forwarded-For, every line joined by ", " (believed from trusted_proxies only)
  std::string forwarded;      ///< Forwarded (RFC 7239), every line joined likewise
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// What metrics count a request as (router.cpp's route table names each route's); index into the
/// metrics arrays.
enum class Route : std::size_t {
  search, suggest, sites, site_settings, indexer, jobs, keys, rules, health, metrics, openapi, preflight, web, other,
  analytics, click, documents, count
};

/// Per-route request counts by status and latency histograms (lock-free). Each status of
/// `statuses` and every 5xx status is counted under its own code; any other status as "other".
class Metrics {
 public:
  static constexpr std::array<unsigned, 15> statuses{200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 413, 414, 429, 431, 503};
  static constexpr std::array<double, 14> buckets_ms{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000};

  void record(Route route, unsigned status, std::chrono::nanoseconds elapsed);
  void record_search(bool empty);
  /// A connection the server could not accept (out of descriptors or memory, or aborted first).
  void record_accept_error() { accept_errors_.fetch_add(1, std::memory_order_relaxed); }
  /// A request refused by the rate limits, by the budget that ran out ("search", "admin", "key").
  void record_rate_limited(std::string_view budget);
  /// A TLS handshake that failed or timed out (plain HTTP on the TLS port, old protocols, scanners).
  void record_tls_handshake_failure() { tls_handshake_failures_.fetch_add(1, std::memory_order_relaxed); }
  /// The text of /metrics; with `limits`, also their table's size and use.
  std::string render(Node& node, const RateLimits* limits = nullptr) const;

 private:
  static constexpr std::size_t routes = static_cast<std::size_t>(Route::count);
  std::array<std::array<std::atomic<std::uint64_t>, statuses.size() + 1>, routes> by_status_{};  // + "other"
  std::array<std::array<std::atomic<std::uint64_t>, 100>, routes> server_errors_{};  // 500..599
  std::array<std::array<std::atomic<std::uint64_t>, buckets_ms.size() + 1>, routes> latency_{};
  std::array<std::atomic<std::uint64_t>, routes> latency_sum_us_{};
  std::atomic<std::uint64_t> searches_{0}, empty_searches_{0}, accept_errors_{0};
  std::array<std::atomic<std::uint64_t>, 3> rate_limited_{};  // search, admin, key
  std::atomic<std::uint64_t> tls_handshake_failures_{0};
};

class Router {
 public:
  /// Receives the response; runs once, maybe on another thread (after an async Redis call).
  using Done = std::function<void(Response)>;
  Router(Node& node, std::size_t target_limit);
  /// Answer one request; never throws. Routes that wait on Redis answer later, through `done`;
  /// the request's memory must stay valid until then.
  void handle(const Request& request, Done done);
  /// Answer one request that needs no asynchronous wait (tests, fuzzing): with a job queue that
  /// answers later, admin routes give 503.
  Response handle(const Request& request);
  /// A JSON error response {"error":{"code","message"}} with the status its code maps to.
  static Response error(std::string_view code, std::string_view message);
  Metrics& metrics() { return metrics_; }

 private:
  Node& node_;
  std::size_t target_limit_;
  Metrics metrics_;
  RateLimits limits_;  // from the settings at construction
};

}  // namespace siteseek::http
