// Live updates and segments, in one run (issue 27's figures):
// 1. search and suggestion latency over 1, 8 and 32 segments against one merged index of the
//    same records (the dev queries, one thread, each --reps times; ratios to the merged index);
// 2. one-page updates through Engine::update and through a node keeping them in a data_dir
//    (Node::update_documents: the segment and the manifest written and synced), each visible when
//    the call returns: their latency
//    (p50/p99), with merges in the background, against building the whole index again (what an
//    update cost before segments), and the segments left when the merges are done;
// 3. with storage = "redis" (a redis-server started here on a free loopback port, stopped by PID):
//    node A keeps each update in Redis, node B follows; the update's latency on A, the time until
//    B serves it, and the bytes Redis received and sent per update against the whole index's.
// The corpus: shared/relevance/corpus.py's JSON lines, --copies times (each copy's URLs under a
// path of its own, so they are distinct pages).
//   segments_bench DOCS.jsonl QUERIES.tsv [--copies N] [--reps N] [--updates N] [--segments "1 8 32"]
// (--updates 0: part 1 only.)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "../common/jsonl_documents.hpp"
#ifdef SITESEEK_WITH_REDIS
#include "../../tests/support/redis_server.hpp"
#include "siteseek/redis_store.hpp"
#endif

#include "siteseek/engine.hpp"
#include "siteseek/index.hpp"
#include "siteseek/node.hpp"
#include "siteseek/search.hpp"
#include "siteseek/segments.hpp"
#include "siteseek/settings.hpp"

using Clock = std::chrono::steady_clock;
using namespace siteseek;

namespace {

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

struct Figures {
  double p50 = 0, p99 = 0;
};

Figures percentiles(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 99 / 100)]};
}

// The dev queries and their suggestions (first 4 bytes, first word, whole query), `reps` times.
std::pair<Figures, Figures> time_queries(const SegmentedIndex& index, const std::vector<std::string>& queries, int reps) {
  std::vector<double> q, s;
  for (int r = 0; r < reps; ++r)
    for (const auto& text : queries) {
      SearchRequest req;
      req.q = text;
      auto t = Clock::now();
      (void)search_segments(index, req);
      q.push_back(ms_since(t));
      for (const auto& typed : {text.substr(0, 4), text.substr(0, text.find(' ')), text}) {
        SuggestRequest sr;
        sr.q = typed;
        t = Clock::now();
        (void)suggest_segments(index, sr);
        s.push_back(ms_since(t));
      }
    }
  return {percentiles(q), percentiles(s)};
}

// The pages of `docs` (a page record and the sections after it share a page URL).
std::vector<std::pair<std::size_t, std::size_t>> pages_of(const std::vector<Document>& docs) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    if (out.empty() || page_url(docs[i]) != page_url(docs[out.back().first])) out.push_back({i, i + 1});
    else out.back().second = i + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: segments_bench DOCS.jsonl QUERIES.tsv [--copies N] [--reps N] [--updates N] [--segments \"1 8 32\"]\n");
    return 2;
  }
  int copies = 1, reps = 5, updates = 200;
  std::vector<std::size_t> counts = {1, 8, 32};
  for (int i = 3; i + 1 < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--copies") copies = std::stoi(argv[++i]);
    else if (a == "--reps") reps = std::stoi(argv[++i]);
    else if (a == "--updates") updates = std::stoi(argv[++i]);
    else if (a == "--segments") {
      counts.clear();
      std::istringstream in(argv[++i]);
      for (std::size_t n; in >> n;) counts.push_back(n);
    }
  }
  const auto source = bench::load_jsonl(argv[1]);
  const auto queries = bench::load_queries(argv[2]);
  std::vector<Document> docs;
  for (int c = 0; c < copies; ++c)
    for (auto d : source) {
      if (c > 0) {
        const auto at = d.url.find("/3/");
        const std::string copy = "copy" + std::to_string(c) + "/";
        if (at != std::string::npos) d.url.insert(at + 3, copy);
        d.id = d.url;
      }
      docs.push_back(std::move(d));
    }
  SiteSettings site;
  site.name = "python";
  site.url = "https://docs.python.org/3/";
  const auto pages = pages_of(docs);
  std::printf("corpus: %zu records in %zu pages (%d copies of %s)\n", docs.size(), pages.size(), copies, argv[1]);

  // The whole index: what every update cost before segments.
  auto t = Clock::now();
  std::shared_ptr<const Index> whole;
  {
    IndexBuilder b(site);
    b.add_all(docs);
    whole = b.build();
  }
  const double rebuild_ms = ms_since(t);
  std::printf("full build: %.0f ms\n", rebuild_ms);

  // 1. Segments: the pages cut into n equal runs, each built with the site's length averages
  // (as updates and merges build them), searched against the whole index in the same run.
  const SegmentedIndex merged({whole});
  const auto averages = merged.length_averages();
  const auto base = time_queries(merged, queries, reps);
  std::printf("one index: queries p50 %.3f ms p99 %.3f ms; suggestions p50 %.3f ms p99 %.3f ms (%zu queries x %d)\n", base.first.p50,
              base.first.p99, base.second.p50, base.second.p99, queries.size(), reps);
  for (const auto n : counts) {
    std::vector<std::shared_ptr<const Index>> parts;
    for (std::size_t k = 0; k < n; ++k) {
      const auto from = pages[pages.size() * k / n].first, to = k + 1 == n ? docs.size() : pages[pages.size() * (k + 1) / n].first;
      IndexBuilder b(site);
      b.set_length_averages(averages);
      b.add_all(std::vector<Document>(docs.begin() + static_cast<std::ptrdiff_t>(from), docs.begin() + static_cast<std::ptrdiff_t>(to)));
      parts.push_back(b.build());
    }
    const SegmentedIndex seg(parts);
    // search_segments answers one segment without deletions as search_index does: a deletion
    // in the first makes the search over segments run even for n = 1.
    const auto one = n == 1 ? seg.with_deleted(0, {static_cast<std::uint32_t>(parts[0]->size() - 1)}) : seg;
    // First as searched before the union dictionary is built (each word expanded per segment),
    // then with it, as the engine's merge thread leaves an index after an update.
    const auto f = time_queries(one, queries, reps);
    t = Clock::now();
    one.build_dictionary();
    const double union_ms = ms_since(t);
    const auto g = one.dictionary() ? time_queries(one, queries, reps) : f;
    for (const auto& [label, x] : {std::pair{"per segment", f}, std::pair{"union dictionary", g}})
      std::printf("%zu segment%s, %s: queries p50 %.3f ms (x%.2f) p99 %.3f ms (x%.2f); suggestions p50 %.3f ms (x%.2f) p99 %.3f ms (x%.2f)\n", n,
                  n == 1 ? " (through the search over segments)" : "s", label, x.first.p50, x.first.p50 / base.first.p50, x.first.p99,
                  x.first.p99 / base.first.p99, x.second.p50, x.second.p50 / base.second.p50, x.second.p99, x.second.p99 / base.second.p99);
    if (one.dictionary()) std::printf("  (the union dictionary of %zu segments built in %.1f ms)\n", n, union_ms);
  }

  if (updates <= 0) return 0;  // --updates 0: the search figures only

  // 2. Updates: one random page at a time, its body changed, visible when the call returns,
  // merges running meanwhile on the engine's thread: through the engine (in memory), then through
  // a node with files storage (each update and merge kept in data_dir before it is published).
  AppSettings app;
  app.sites.push_back(site);
  app.result_cache_mb = 0;
  const auto run_updates = [&](const char* label, auto&& update, Engine& engine, const std::string& data_dir) {
    std::mt19937 rng(42);
    std::vector<double> lat, first_search;
    const auto bytes_now = [&] {
      std::uintmax_t n = 0;
      std::error_code ec;
      if (!data_dir.empty())
        for (const auto& e : std::filesystem::directory_iterator(data_dir, ec)) n += e.file_size(ec);
      return n;
    };
    for (int u = 0; u < updates; ++u) {
      const auto& p = pages[rng() % pages.size()];
      std::vector<Document> page(docs.begin() + static_cast<std::ptrdiff_t>(p.first), docs.begin() + static_cast<std::ptrdiff_t>(p.second));
      const std::string marker = "zqupdate" + std::to_string(u);
      for (auto& d : page) d.body += " " + marker;
      t = Clock::now();
      update(std::move(page));
      lat.push_back(ms_since(t));
      SearchRequest r;
      r.q = marker;
      r.site = "python";
      r.typo = r.prefix = false;  // the marker itself, not an earlier update's one edit away
      t = Clock::now();
      const auto found = engine.search(r);
      first_search.push_back(ms_since(t));
      if (found.total == 0) {
        std::fprintf(stderr, "update %d not visible after it returned\n", u);
        std::exit(1);
      }
    }
    const auto segs_before = engine.segments("python")->segments().size();
    t = Clock::now();
    engine.wait_for_merges();
    const double drain = ms_since(t);
    const auto u = percentiles(lat), s = percentiles(first_search);
    std::printf("updates (%s): %d one-page updates, visible when they return: p50 %.2f ms, p99 %.2f ms (x%.4f / x%.4f of the full build); "
                "first search after each p50 %.2f ms p99 %.2f ms; %zu segments after the last, %zu when merges finished (%.0f ms later)",
                label, updates, u.p50, u.p99, u.p50 / rebuild_ms, u.p99 / rebuild_ms, s.p50, s.p99, segs_before,
                engine.segments("python")->segments().size(), drain);
    if (!data_dir.empty()) std::printf("; data_dir %.1f MB at the end", static_cast<double>(bytes_now()) / 1e6);
    std::printf("\n");
  };
  {
    Engine engine(app);
    engine.publish("python", whole);
    run_updates("engine, in memory", [&](std::vector<Document> page) { engine.update("python", std::move(page), {}); }, engine, "");
  }
  double whole_bytes = 0;
  {
    const auto dir = std::filesystem::temp_directory_path() / ("siteseek-segments-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    AppSettings kept = app;
    kept.data_dir = dir.string();
    {
      Node node(kept);
      node.publish_documents("python", docs);
      whole_bytes = static_cast<double>(std::filesystem::file_size(dir / "python.snapshot"));
      std::printf("node with files: the whole index saved, %.1f MB\n", whole_bytes / 1e6);
      run_updates("node, kept in data_dir", [&](std::vector<Document> page) { node.update_documents("python", std::move(page), {}); },
                  node.engine(), dir.string());
    }
    std::filesystem::remove_all(dir);
  }
#ifdef SITESEEK_WITH_REDIS
  {
    test::RedisServer server;
    AppSettings shared = app;
    shared.storage = "redis";
    shared.redis_url = server.url();
    RedisStore store(parse_redis_url(server.url()));
    store.save_settings(shared);
    // INFO stats: bytes Redis has received from and sent to its clients so far.
    const auto traffic = [&] {
      const auto info = store.connection().command({"INFO", "stats"}).check().str;
      const auto field = [&](const std::string& name) {
        const auto at = info.find(name + ":");
        return at == std::string::npos ? 0.0 : std::stod(info.substr(at + name.size() + 1));
      };
      return std::pair{field("total_net_input_bytes"), field("total_net_output_bytes")};
    };
    NodeOptions follow;
    follow.follow = true;
    Node a(shared, follow), b(shared, follow);
    a.publish_documents("python", docs);
    a.start();
    b.start();
    const auto whole = whole_bytes;  // the same documents' index, as the files part saved it
    const auto b_has = [&](const std::string& word) {
      SearchRequest r;
      r.q = word;
      r.site = "python";
      r.typo = r.prefix = false;  // the marker itself, not an earlier update's one edit away
      return b.engine().search(r).total > 0;
    };
    for (int i = 0; i < 5000 && !b_has("python"); ++i) usleep(1000);
    std::mt19937 rng(42);
    std::vector<double> lat, seen, got, sent;
    const auto before = traffic();
    for (int u = 0; u < updates; ++u) {
      const auto& p = pages[rng() % pages.size()];
      std::vector<Document> page(docs.begin() + static_cast<std::ptrdiff_t>(p.first), docs.begin() + static_cast<std::ptrdiff_t>(p.second));
      const std::string marker = "zqshared" + std::to_string(u);
      for (auto& d : page) d.body += " " + marker;
      const auto at_start = traffic();
      t = Clock::now();
      a.update_documents("python", std::move(page), {});
      lat.push_back(ms_since(t));
      while (!b_has(marker)) {
        if (ms_since(t) > 10000) {
          std::fprintf(stderr, "update %d not on node B 10 s after it was made on A\n", u);
          std::exit(1);
        }
        usleep(200);
      }
      seen.push_back(ms_since(t));
      const auto at_end = traffic();
      got.push_back((at_end.first - at_start.first) / 1e3);
      sent.push_back((at_end.second - at_start.second) / 1e3);
    }
    a.engine().wait_for_merges();
    const auto after = traffic();
    const auto l = percentiles(lat), s = percentiles(seen), g = percentiles(got), o = percentiles(sent);
    std::printf("updates (storage = redis, node A keeps them, node B follows): %d one-page updates: on A p50 %.2f ms, p99 %.2f ms; "
                "served by B p50 %.2f ms, p99 %.2f ms after the call on A began; the whole index %.1f MB\n"
                "  Redis traffic from an update's call to B serving it: received p50 %.1f KB (p99 %.1f), sent p50 %.1f KB (p99 %.1f); "
                "over the run, merges included, per update: received %.1f KB, sent %.1f KB (x%.4f / x%.4f of the whole index)\n",
                updates, l.p50, l.p99, s.p50, s.p99, whole / 1e6, g.p50, g.p99, o.p50, o.p99, (after.first - before.first) / updates / 1e3,
                (after.second - before.second) / updates / 1e3, (after.first - before.first) / updates / whole,
                (after.second - before.second) / updates / whole);
  }
#endif
  return 0;
}
