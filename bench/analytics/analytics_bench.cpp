// What recording costs the search path (docs/analytics.md, "Cost"):
//   1. QueryLog::record() with its writer thread running: ns per call, from 1 and 2 threads;
//   2. Node::search_json on the test fixture site (answers from the result cache: the cheapest
//      search there is, so the difference is the analytics' own cost), analytics on against off,
//      interleaved in rounds: ns per request and the difference;
//   3. IssuedQueries::issue(): a slot of the node's ring (file storage) against a signed id (shared
//      storage: no slot, no lock, a SipHash-1-3 MAC);
//   4. with --redis URL (a scratch redis-server: the node writes its siteseek: keys there), the
//      search path of a shared-storage node too, interleaved with the same rounds.
//   5. read_report() over a month of synthetic traffic (--report-events N, default 1,000,000:
//      sessions of 1 to 4 searches over 5,000 queries of skewed popularity, 40 % of searches
//      clicked, some zero-result queries): what GET /analytics and the dashboard wait for.
//   analytics_bench [--calls N] [--redis redis://127.0.0.1:6379/0] [--report-events N] [--report-only]
#include <algorithm>
#include <cmath>
#include <random>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <time.h>
#include <unistd.h>

#include "siteseek/analytics.hpp"
#include "siteseek/node.hpp"

using Clock = std::chrono::steady_clock;
using namespace siteseek;
namespace fs = std::filesystem;

namespace {

double ns_per(Clock::duration d, std::size_t n) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()) / static_cast<double>(n);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void bench_record(const fs::path& dir, std::size_t calls, unsigned threads) {
  fs::remove_all(dir);
  QueryLogOptions o;
  o.dir = dir;
  o.queue_capacity = 1u << 20;  // the figure is record()'s cost, not the drop path
  QueryLog log(o);
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(AnalyticsClock::now().time_since_epoch()).count();
  const auto started = Clock::now();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&log, calls, threads, now] {
      for (std::size_t i = 0; i < calls / threads; ++i) {
        AnalyticsEvent e;
        e.time = now;
        e.site = "docs";
        e.session = "k3J9x0aQ2mZ7";
        e.query = "json.dumps indent";
        e.results = 12;
        log.record(std::move(e));
      }
    });
  }
  for (auto& t : pool) t.join();
  const auto took = Clock::now() - started;
  log.flush();
  const auto s = log.stats();
  std::printf("record(), %u thread(s): %.0f ns per call (%zu calls; written %llu, dropped %llu)\n", threads,
              ns_per(took, calls) * threads, calls, static_cast<unsigned long long>(s.written),
              static_cast<unsigned long long>(s.dropped_queue + s.dropped_full));
}

void bench_issue(std::size_t calls, bool signed_ids) {
  IssuedQueries ids;
  if (signed_ids) ids.set_secret("0123456789abcdef");
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(AnalyticsClock::now().time_since_epoch()).count();
  std::uint64_t sum = 0;
  const auto started = Clock::now();
  for (std::size_t i = 0; i < calls; ++i) sum += ids.issue("docs", "k3J9x0aQ2mZ7", 10, now);
  const auto took = Clock::now() - started;
  std::printf("IssuedQueries::issue(), %s: %.0f ns per call (%zu calls, checksum %llu)\n",
              signed_ids ? "signed id (shared storage)" : "ring slot (file storage)", ns_per(took, calls), calls,
              static_cast<unsigned long long>(sum & 0xff));
}

// A month of traffic written through a QueryLog, then read_report() timed (median of 3).
void bench_report(const fs::path& dir, std::size_t events) {
  fs::remove_all(dir);
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(AnalyticsClock::now().time_since_epoch()).count();
  const std::int64_t start = now - 29 * 86400;
  std::int64_t clock = start;
  QueryLogOptions o;
  o.dir = dir;
  o.background = false;
  o.max_bytes = 1ull << 36;
  o.queue_capacity = 1u << 22;
  o.now = [&clock] { return clock; };
  QueryLog log(o);
  std::mt19937_64 random(7);
  std::vector<std::string> queries;
  for (int i = 0; i < 5000; ++i) queries.push_back("query " + std::to_string(i) + (i % 7 ? " docs" : " how to"));
  auto pick = [&] {  // skewed: the popular queries repeat
    const double u = std::uniform_real_distribution<double>(0, 1)(random);
    return static_cast<std::size_t>(std::pow(u, 3) * static_cast<double>(queries.size() - 1));
  };
  const std::int64_t step = std::max<std::int64_t>(1, 30 * 86400 / static_cast<std::int64_t>(events));
  std::size_t written = 0;
  std::uint64_t id = 1, session_no = 0;
  while (written < events) {
    const std::string session = "session" + std::to_string(session_no++);
    const int searches = 1 + static_cast<int>(random() % 4);
    for (int s = 0; s < searches && written < events; ++s) {
      clock = std::min(now, start + static_cast<std::int64_t>(written) * step);
      AnalyticsEvent e;
      e.kind = EventKind::search;
      e.time = clock;
      e.site = "docs";
      e.session = session;
      e.query = queries[pick()];
      e.results = e.query.size() % 11 == 0 ? 0 : 12;
      e.query_id = id++;
      const bool clicked = e.results && random() % 10 < 4;
      const AnalyticsEvent search = e;
      log.record(std::move(e));
      ++written;
      if (clicked && written < events) {
        AnalyticsEvent c;
        c.kind = EventKind::click;
        c.time = clock;
        c.site = "docs";
        c.session = session;
        c.query_id = search.query_id;
        c.position = 1 + static_cast<std::uint32_t>(random() % 5);
        c.url = "https://docs.example.org/page" + std::to_string(random() % 2000) + ".html";
        log.record(std::move(c));
        ++written;
      }
    }
    if (written % 100000 < 4) log.flush();
  }
  log.flush();
  // Wall time, and this thread's CPU time (what a shared machine's other work does not inflate).
  auto cpu = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  std::vector<double> seconds, cpu_seconds;
  AnalyticsReport report;
  for (int round = 0; round < 3; ++round) {
    const auto t0 = Clock::now();
    const double c0 = cpu();
    report = read_report(dir, {"docs", "", ""}, now);
    cpu_seconds.push_back(cpu() - c0);
    seconds.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::printf("read_report(), %zu events over 30 days (%llu searches, %llu clicks, %zu proposals): %.3f s wall, "
              "%.3f s CPU (medians of 3)\n",
              events, static_cast<unsigned long long>(report.searches), static_cast<unsigned long long>(report.clicks),
              report.proposals.size(), median(seconds), median(cpu_seconds));
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t calls = 1'000'000;
  std::string redis_url;
  std::size_t report_events = 1'000'000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--calls") == 0) calls = std::stoul(argv[i + 1]);
    if (std::strcmp(argv[i], "--redis") == 0) redis_url = argv[i + 1];
    if (std::strcmp(argv[i], "--report-events") == 0) report_events = std::stoul(argv[i + 1]);
  }
  const fs::path tmp = fs::temp_directory_path() / ("siteseek-analytics-bench-" + std::to_string(::getpid()));
  bench_report(tmp / "report", report_events);
  fs::remove_all(tmp / "report");
  if (argc > 1 && std::strcmp(argv[argc - 1], "--report-only") == 0) {
    fs::remove_all(tmp);
    return 0;
  }
  bench_issue(calls, false);
  bench_issue(calls, true);
  bench_record(tmp / "record", calls, 1);
  bench_record(tmp / "record", calls, 2);

  // The search path, on and off.
  auto node_for = [&](bool analytics, bool shared = false) {
    AppSettings s;
    s.data_dir = (tmp / (analytics ? (shared ? "shared" : "on") : "off")).string();
    if (shared) {
      s.storage = "redis";
      s.redis_url = redis_url;
    }
    SiteSettings site;
    site.name = "ex";
    site.url = "https://docs.example.org/";
    site.directory = std::string(SITESEEK_SOURCE_DIR) + "/tests/fixtures/html/site";
    s.sites.push_back(site);
    NodeOptions o;
    o.analytics = analytics;
    o.index_missing = true;
    auto node = std::make_unique<Node>(s, o);
    node->start();
    return node;
  };
  auto on = node_for(true), off = node_for(false);
  std::unique_ptr<Node> shared = redis_url.empty() ? nullptr : node_for(true, true);
  const char* queries[] = {"install", "guide", "config", "json"};
  // CPU time of this thread (the request thread), not wall time: the machine is shared, and what
  // counts is what the request thread spends; the writer's work is on its own thread.
  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::nanoseconds(static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec);
  };
  auto run = [&](Node& node, std::size_t n) {
    std::string out;
    const auto started = cpu_now();
    for (std::size_t i = 0; i < n; ++i) {
      SearchRequest r;
      r.q = queries[i % 4];
      r.site = "ex";
      r.num = 10;
      out.clear();
      node.search_json(r, out);
    }
    return static_cast<double>((cpu_now() - started).count()) / static_cast<double>(n);
  };
  run(*on, 10000);
  run(*off, 10000);  // warm: every query's answer is in the result cache
  if (shared) run(*shared, 10000);
  std::vector<double> with, without, with_shared;
  // Rounds below the queue's capacity with a pause after each (the writer drains every 100 ms):
  // the figure is the recording path, not the cheaper drop path of a queue this loop would fill.
  const std::size_t per_round = 10000;
  for (int round = 0; round < 20; ++round) {
    with.push_back(run(*on, per_round));
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    without.push_back(run(*off, per_round));
    if (shared) {
      with_shared.push_back(run(*shared, per_round));
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
  }
  const auto stats = on->analytics_stats();
  std::printf("search_json (cached answers), request-thread CPU, median of 20 rounds of %zu: analytics off %.0f ns, on %.0f ns, cost %.0f ns per search\n",
              per_round, median(without), median(with), median(with) - median(without));
  std::printf("  the log: recorded %llu, written %llu, dropped %llu\n", static_cast<unsigned long long>(stats->recorded),
              static_cast<unsigned long long>(stats->written),
              static_cast<unsigned long long>(stats->dropped_queue + stats->dropped_full));
  if (shared) {
    const auto s = shared->analytics_stats();
    std::printf("  shared storage (redis): on %.0f ns, cost %.0f ns per search; recorded %llu, written %llu, dropped %llu\n",
                median(with_shared), median(with_shared) - median(without), static_cast<unsigned long long>(s->recorded),
                static_cast<unsigned long long>(s->written), static_cast<unsigned long long>(s->dropped_queue + s->dropped_full));
  }
  shared.reset();
  on.reset();
  off.reset();
  fs::remove_all(tmp);
  return 0;
}
