// Prometheus text exposition of request counts, latencies, searches, indexes and jobs.
#include "router.hpp"

#include <cstdio>
#include <iterator>

#include "siteseek/node.hpp"
#include "siteseek/jobs.hpp"

namespace siteseek::http {
namespace {

constexpr const char* route_names[] = {"search",  "suggest", "sites",     "site_settings", "indexer", "jobs", "keys",
                                       "rules",   "health",  "metrics", "openapi",   "preflight",     "web",     "other",
                                       "analytics", "click",   "documents"};
static_assert(std::size(route_names) == static_cast<std::size_t>(Route::count));

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

void Metrics::record(Route route, unsigned status, std::chrono::nanoseconds elapsed) {
  auto r = static_cast<std::size_t>(route);
  if (status >= 500 && status < 600) {  // every server error under its own code, for alerts on 5xx
    server_errors_[r][status - 500].fetch_add(1, std::memory_order_relaxed);
  } else {
    std::size_t s = statuses.size();  // "other" statuses
    for (std::size_t i = 0; i < statuses.size(); ++i) {
      if (statuses[i] == status) s = i;
    }
    by_status_[r][s].fetch_add(1, std::memory_order_relaxed);
  }
  double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  std::size_t b = 0;
  while (b < buckets_ms.size() && ms > buckets_ms[b]) ++b;
  latency_[r][b].fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_[r].fetch_add(static_cast<std::uint64_t>(ms * 1000), std::memory_order_relaxed);
}

constexpr const char* rate_budgets[] = {"search", "admin", "key"};

void Metrics::record_rate_limited(std::string_view budget) {
  for (std::size_t i = 0; i < rate_limited_.size(); ++i) {
    if (budget == rate_budgets[i]) rate_limited_[i].fetch_add(1, std::memory_order_relaxed);
  }
}

void Metrics::record_search(bool empty) {
  searches_.fetch_add(1, std::memory_order_relaxed);
  if (empty) empty_searches_.fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render(Node& node, const RateLimits* limits) const {
  const Engine& engine = node.engine();
  const JobQueue* jobs = &node.jobs();
  std::string out;
  out += "# HELP siteseek_http_requests_total HTTP requests by route and status.\n";
  out += "# TYPE siteseek_http_requests_total counter\n";
  for (std::size_t r = 0; r < routes; ++r) {
    auto line = [&](const std::string& status, std::uint64_t n) {
      if (n) {
        out += "siteseek_http_requests_total{route=\"" + std::string(route_names[r]) + "\",status=\"" + status + "\"} " +
               std::to_string(n) + "\n";
      }
    };
    for (std::size_t s = 0; s < statuses.size(); ++s) {
      if (statuses[s] < 500) line(std::to_string(statuses[s]), by_status_[r][s].load(std::memory_order_relaxed));
    }
    for (unsigned s = 0; s < server_errors_[r].size(); ++s) {
      line(std::to_string(500 + s), server_errors_[r][s].load(std::memory_order_relaxed));
    }
    line("other", by_status_[r][statuses.size()].load(std::memory_order_relaxed));
  }
  out += "# HELP siteseek_http_request_duration_seconds Time to answer a request, by route.\n";
  out += "# TYPE siteseek_http_request_duration_seconds histogram\n";
  for (std::size_t r = 0; r < routes; ++r) {
    std::uint64_t cumulative = 0;
    std::string name = route_names[r];
    std::string lines;
    for (std::size_t b = 0; b <= buckets_ms.size(); ++b) {
      cumulative += latency_[r][b].load(std::memory_order_relaxed);
      std::string le = b < buckets_ms.size() ? number(buckets_ms[b] / 1000.0) : "+Inf";
      lines += "siteseek_http_request_duration_seconds_bucket{route=\"" + name + "\",le=\"" + le + "\"} " +
               std::to_string(cumulative) + "\n";
    }
    if (!cumulative) continue;
    out += lines;
    out += "siteseek_http_request_duration_seconds_sum{route=\"" + name + "\"} " +
           number(latency_sum_us_[r].load(std::memory_order_relaxed) / 1e6) + "\n";
    out += "siteseek_http_request_duration_seconds_count{route=\"" + name + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += "# HELP siteseek_searches_total Searches answered; empty ones matched nothing.\n";
  out += "# TYPE siteseek_searches_total counter\n";
  out += "siteseek_searches_total " + std::to_string(searches_.load()) + "\n";
  out += "siteseek_searches_empty_total " + std::to_string(empty_searches_.load()) + "\n";
  out += "# HELP siteseek_http_accept_errors_total Connections that could not be accepted: descriptors or memory ran out, or the client gave up first.\n";
  out += "# TYPE siteseek_http_accept_errors_total counter\n";
  out += "siteseek_http_accept_errors_total " + std::to_string(accept_errors_.load()) + "\n";
  if (limits) {
    out += "# HELP siteseek_rate_limited_total Requests refused with 429, by the budget that ran out.\n";
    out += "# TYPE siteseek_rate_limited_total counter\n";
    for (std::size_t i = 0; i < rate_limited_.size(); ++i) {
      out += std::string("siteseek_rate_limited_total{budget=\"") + rate_budgets[i] + "\"} " +
             std::to_string(rate_limited_[i].load(std::memory_order_relaxed)) + "\n";
    }
    out += "# HELP siteseek_rate_limit_slots Slots of the rate-limit table (fixed: rate_limits.table_size).\n";
    out += "# TYPE siteseek_rate_limit_slots gauge\n";
    out += "siteseek_rate_limit_slots " + std::to_string(limits->capacity()) + "\n";
    out += "# HELP siteseek_rate_limit_slots_used Slots holding a bucket that is not full (a client seen lately).\n";
    out += "# TYPE siteseek_rate_limit_slots_used gauge\n";
    out += "siteseek_rate_limit_slots_used " + std::to_string(limits->used(std::chrono::steady_clock::now())) + "\n";
  }
  if (const auto a = node.analytics_stats()) {  // analytics on (docs/analytics.md)
    out += "# HELP siteseek_analytics_events_total Query-log events: recorded, written, dropped (queue full, or max_mb reached).\n";
    out += "# TYPE siteseek_analytics_events_total counter\n";
    for (const auto& [what, n] : {std::pair{"recorded", a->recorded}, std::pair{"written", a->written},
                                  std::pair{"dropped_queue", a->dropped_queue}, std::pair{"dropped_full", a->dropped_full}}) {
      out += std::string("siteseek_analytics_events_total{outcome=\"") + what + "\"} " + std::to_string(n) + "\n";
    }
    out += "# HELP siteseek_analytics_write_errors_total Batches of the query log lost to an IO error (shared storage: failed attempts to reach Redis, retried).\n";
    out += "# TYPE siteseek_analytics_write_errors_total counter\n";
    out += "siteseek_analytics_write_errors_total " + std::to_string(a->write_errors) + "\n";
    out += "# HELP siteseek_analytics_bytes The analytics directory's size as its writer counts it (shared storage: every node's day logs in Redis).\n";
    out += "# TYPE siteseek_analytics_bytes gauge\n";
    out += "siteseek_analytics_bytes " + std::to_string(a->bytes) + "\n";
  }
  out += "# HELP siteseek_tls_handshake_failures_total TLS handshakes that failed or timed out (0 without TLS).\n";
  out += "# TYPE siteseek_tls_handshake_failures_total counter\n";
  out += "siteseek_tls_handshake_failures_total " + std::to_string(tls_handshake_failures_.load()) + "\n";
  out += "# HELP siteseek_index_documents Documents in each site's current index.\n";
  out += "# TYPE siteseek_index_documents gauge\n";
  std::string memory = "# HELP siteseek_index_memory_bytes Memory held by each site's index.\n"
                       "# TYPE siteseek_index_memory_bytes gauge\n";
  for (const auto& s : engine.sites()) {
    out += "siteseek_index_documents{site=\"" + s.name + "\"} " + std::to_string(s.documents) + "\n";
    memory += "siteseek_index_memory_bytes{site=\"" + s.name + "\"} " + std::to_string(s.memory_bytes) + "\n";
  }
  out += memory;
  const auto cache = engine.result_cache_stats();
  const struct {
    const char* name;
    const char* type;
    const char* help;
    std::uint64_t value;
  } cache_metrics[] = {
      {"siteseek_result_cache_hits_total", "counter", "Searches answered from the result cache.", cache.hits},
      {"siteseek_result_cache_misses_total", "counter", "Searches the result cache could not answer.", cache.misses},
      {"siteseek_result_cache_evictions_total", "counter", "Cached responses dropped to stay under result_cache_mb.",
       cache.evictions},
      {"siteseek_result_cache_busy_total", "counter",
       "Lookups and stores skipped because another thread held the shard.", cache.busy},
      {"siteseek_result_cache_out_of_time_total", "counter",
       "Answers not cached because their search ran past search.time_budget_ms (some words got no typo neighbours).",
       cache.out_of_time},
      {"siteseek_result_cache_entries", "gauge", "Responses in the result cache.", cache.entries},
      {"siteseek_result_cache_bytes", "gauge", "Memory held by the result cache, about.", cache.bytes},
  };
  for (const auto& m : cache_metrics) {
    out += std::string("# HELP ") + m.name + " " + m.help + "\n# TYPE " + m.name + " " + m.type + "\n" + m.name + " " +
           std::to_string(m.value) + "\n";
  }
  if (const auto* runner = dynamic_cast<const JobRunner*>(jobs)) {
    out += "# HELP siteseek_jobs Indexing jobs remembered, by status.\n# TYPE siteseek_jobs gauge\n";
    for (auto [status, n] : runner->counts()) {
      out += "siteseek_jobs{status=\"" + std::string(to_string(status)) + "\"} " + std::to_string(n) + "\n";
    }
  }
  return out;
}

}  // namespace siteseek::http
