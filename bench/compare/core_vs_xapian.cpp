// Core benchmark: the same documents into Xapian (BM25, English stemmer, title boosted, partial
// last term, one result per page: the settings of shared/relevance/anchors.py) and into
// siteseek, in one run; then every dev query many times, single-threaded, on both.
// Prints indexing time, index memory, p50/p99 latency for both, and the ratios.
//
//   core_vs_xapian DOCS.jsonl QUERIES.tsv [--reps N] [--out-urls siteseek|xapian] [--inbound CONFIG.json]
//
// DOCS.jsonl: the reference split (shared/relevance/corpus.py python > python.jsonl).
// QUERIES.tsv: shared/relevance/python-docs.dev.tsv (first column is the query).
// With --out-urls, it instead reads queries on stdin and writes one JSON line of result URLs
// per query for eval.py --cmd (so relevance is judged on exactly the benchmarked engines).
// With --inbound, both engines also get the link counts siteseek's own ingestion makes: every
// document's inbound_links from read_directory over the "python" site of CONFIG.json (the HTML
// the documents came from). siteseek applies them through boosts.inbound_links; Xapian re-ranks
// its best 100 pages by BM25 x (1 + boosts.inbound_links x ln(1 + links)), the same factor.
#include <cmath>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json.hpp>

#include "../common/jsonl_documents.hpp"
#include <xapian.h>

#include "siteseek/engine.hpp"
#include "siteseek/index.hpp"
#include "siteseek/ingest.hpp"

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

using siteseek::bench::load_jsonl;

using siteseek::bench::load_queries;

// Bytes malloc has handed out: chunks in its arenas plus the large ones it mmaps on their own
// (leaving those out undercounts a build whose big arrays crossed the mmap threshold).
std::size_t heap_in_use() {
  const auto m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

struct XapianEngine {
  std::string path;
  Xapian::Database db;
  Xapian::QueryParser qp;
  unsigned flags = Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_PARTIAL;
  std::unordered_map<std::string, std::uint32_t> inbound;  // page URL -> links in (--inbound)
  double inbound_weight = 0;

  static std::string page_of(const std::string& url) { return url.substr(0, url.find('#')); }

  void build(const std::vector<siteseek::Document>& docs, const std::string& dir) {
    path = dir;
    Xapian::WritableDatabase w(path, Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("english"));
    tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
    for (const auto& d : docs) {
      Xapian::Document doc;
      tg.set_document(doc);
      tg.index_text(d.title, 5);
      tg.increase_termpos();
      tg.index_text(d.title, 1, "S");
      tg.increase_termpos();
      if (!d.section_title.empty()) {
        tg.index_text(d.section_title, 3);
        tg.increase_termpos();
        tg.index_text(d.section_title, 1, "XS");
        tg.increase_termpos();
      }
      tg.index_text(d.body, 1);
      doc.add_value(0, page_of(d.url));
      doc.add_value(1, d.url);
      doc.add_boolean_term("Q" + d.id);
      doc.set_data(d.title + "\n" + d.section_title + "\n" + d.body);
      w.add_document(doc);
    }
    w.commit();
    w.close();
    db = Xapian::Database(path);
    qp.set_stemmer(Xapian::Stem("english"));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp.set_database(db);
    qp.set_default_op(Xapian::Query::OP_OR);
    qp.add_prefix("title", "S");
    qp.add_prefix("section", "XS");
    qp.set_max_expansion(100, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT, Xapian::QueryParser::FLAG_PARTIAL);
  }

  std::vector<std::string> search(const std::string& q) {
    Xapian::Query query;
    try {
      query = qp.parse_query(q, flags);
    } catch (const Xapian::QueryParserError&) {
      query = qp.parse_query(q, Xapian::QueryParser::FLAG_PARTIAL);
    }
    Xapian::Enquire enq(db);
    enq.set_weighting_scheme(Xapian::BM25Weight());
    enq.set_collapse_key(0);
    enq.set_query(query);
    std::vector<std::string> urls;
    if (inbound.empty()) {
      auto mset = enq.get_mset(0, 10);
      for (auto it = mset.begin(); it != mset.end(); ++it) urls.push_back(it.get_document().get_value(1));
      return urls;
    }
    std::vector<std::pair<double, std::string>> ranked;
    auto mset = enq.get_mset(0, 100);
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      const auto doc = it.get_document();
      const auto n = inbound.find(doc.get_value(0));
      const double links = n == inbound.end() ? 0.0 : n->second;
      ranked.emplace_back(it.get_weight() * (1 + inbound_weight * std::log1p(links)), doc.get_value(1));
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t i = 0; i < ranked.size() && i < 10; ++i) urls.push_back(ranked[i].second);
    return urls;
  }
};

struct Latency {
  double p50_us = 0, p99_us = 0, mean_us = 0;
};

// Interleaved (the default): the queries one after another, `reps` rounds, so each query finds
// the caches as the 49 others left them, as a server with mixed traffic does. Repeated: each
// query `reps` times in a row, its data warm after the first run.
template <class F>
Latency time_queries(const std::vector<std::string>& queries, int reps, F&& run, bool repeated = false) {
  std::vector<double> samples;
  samples.reserve(queries.size() * reps);
  for (const auto& q : queries) run(q);  // warm-up
  auto once = [&](const std::string& q) {
    auto t0 = Clock::now();
    run(q);
    samples.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  };
  if (repeated) {
    for (const auto& q : queries)
      for (int r = 0; r < reps; ++r) once(q);
  } else {
    for (int r = 0; r < reps; ++r)
      for (const auto& q : queries) once(q);
  }
  std::sort(samples.begin(), samples.end());
  Latency l;
  l.p50_us = samples[samples.size() / 2];
  l.p99_us = samples[std::min(samples.size() - 1, samples.size() * 99 / 100)];
  double sum = 0;
  for (double s : samples) sum += s;
  l.mean_us = sum / samples.size();
  return l;
}

void write_urls(const std::vector<std::string>& urls) {
  json::array a;
  for (const auto& u : urls) a.push_back(json::object{{"url", u}});
  std::cout << json::serialize(json::object{{"results", a}}) << "\n" << std::flush;
}

siteseek::AppSettings python_settings() {
  siteseek::AppSettings app;
  siteseek::SiteSettings site;
  site.name = "python";
  site.url = "https://docs.python.org/3/";
  app.sites.push_back(site);
  app.result_cache_mb = 0;  // every query is timed many times: time the search, not the cache
  return app;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: core_vs_xapian DOCS.jsonl QUERIES.tsv [--reps N] [--out-urls siteseek|xapian]\n";
    return 2;
  }
  int reps = 50;
  std::string out_urls, inbound_config;
  for (int i = 3; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--reps") reps = std::stoi(argv[i + 1]);
    else if (a == "--out-urls") out_urls = argv[i + 1];
    else if (a == "--inbound") inbound_config = argv[i + 1];
  }
  auto docs = load_jsonl(argv[1]);
  std::unordered_map<std::string, std::uint32_t> inbound;
  if (!inbound_config.empty()) {
    std::ifstream in(inbound_config);
    std::stringstream text;
    text << in.rdbuf();
    const auto app = siteseek::app_settings_from_json_text(text.str());
    const auto& site = app.site("python");
    for (const auto& d : siteseek::read_directory(site.directory, site.url, site).documents)
      if (d.type == siteseek::DocumentType::page) inbound[d.url] = d.inbound_links;
    for (auto& d : docs) {
      const auto n = inbound.find(siteseek::page_url(d));
      if (n != inbound.end()) d.inbound_links = n->second;
    }
  }
  auto queries = load_queries(argv[2]);
  std::size_t body_bytes = 0;
  for (const auto& d : docs) body_bytes += d.body.size();

  siteseek::Engine engine(python_settings());
  // The default build analyses on every CPU the process may use; Xapian indexes on one thread,
  // so a one-thread build is timed too. Its memory goes back to the system before the default
  // build, so both pay for touching fresh pages.
  double ss_build1_s = 0;
  {
    siteseek::IndexBuilder one(engine.settings()->site("python"));
    one.set_threads(1);
    for (const auto& d : docs) one.add(d);
    auto t1 = Clock::now();
    auto built = one.build();
    ss_build1_s = std::chrono::duration<double>(Clock::now() - t1).count();
  }
  malloc_trim(0);
  auto heap0 = heap_in_use();
  auto t0 = Clock::now();
  auto index = engine.build("python", docs);
  double ss_build_s = std::chrono::duration<double>(Clock::now() - t0).count();
  auto ss_heap = heap_in_use() - heap0;
  engine.publish("python", index);

  auto xdir = std::filesystem::temp_directory_path() / ("siteseek-bench-xapian-" + std::to_string(getpid()));
  XapianEngine x;
  x.inbound = std::move(inbound);
  x.inbound_weight = engine.settings()->site("python").boosts.inbound_links;
  t0 = Clock::now();
  x.build(docs, xdir.string());
  double x_build_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::uintmax_t x_disk = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(xdir))
    if (e.is_regular_file()) x_disk += e.file_size();

  auto ss_search = [&](const std::string& q) {
    siteseek::SearchRequest r;
    r.q = q;
    r.site = "python";
    r.num = 10;
    return engine.search(r);
  };

  if (!out_urls.empty()) {
    std::string q;
    while (std::getline(std::cin, q)) {
      std::vector<std::string> urls;
      if (out_urls == "xapian") {
        urls = x.search(q);
      } else {
        for (const auto& r : ss_search(q).results) urls.push_back(r.url);
      }
      write_urls(urls);
    }
    std::filesystem::remove_all(xdir);
    return 0;
  }

  auto ss = time_queries(queries, reps, [&](const std::string& q) { return ss_search(q).total; });
  auto xl = time_queries(queries, reps, [&](const std::string& q) { return x.search(q).size(); });
  auto ss_warm = time_queries(queries, reps, [&](const std::string& q) { return ss_search(q).total; }, true);
  auto xl_warm = time_queries(queries, reps, [&](const std::string& q) { return x.search(q).size(); }, true);
  std::filesystem::remove_all(xdir);

  std::printf("documents: %zu (body text %.1f MB), queries: %zu x %d reps, single thread\n", docs.size(),
              body_bytes / 1e6, queries.size(), reps);
  std::printf("%-10s %10s %16s %10s %10s %10s\n", "engine", "build s", "index bytes", "p50 us", "p99 us", "mean us");
  std::printf("%-10s %10.3f %16zu %10.1f %10.1f %10.1f   (heap growth during build; %.2fx body text)\n", "siteseek",
              ss_build_s, ss_heap, ss.p50_us, ss.p99_us, ss.mean_us, double(ss_heap) / body_bytes);
  std::printf("%-10s %10.3f %16ju %10.1f %10.1f %10.1f   (on-disk glass database)\n", "xapian", x_build_s, x_disk,
              xl.p50_us, xl.p99_us, xl.mean_us);
  std::printf("ratios (xapian / siteseek): build %.1fx, p50 %.1fx, p99 %.1fx\n", x_build_s / ss_build_s,
              xl.p50_us / ss.p50_us, xl.p99_us / ss.p99_us);
  std::printf("siteseek build on one thread: %.3f s (xapian / that: %.1fx); the figure above uses every CPU the process may\n",
              ss_build1_s, x_build_s / ss_build1_s);
  std::printf("each query %d times in a row (warm): siteseek p50 %.1f us, p99 %.1f us; xapian p50 %.1f us, p99 %.1f us;"
              " ratios p50 %.1fx, p99 %.1fx\n",
              reps, ss_warm.p50_us, ss_warm.p99_us, xl_warm.p50_us, xl_warm.p99_us, xl_warm.p50_us / ss_warm.p50_us,
              xl_warm.p99_us / ss_warm.p99_us);
  return 0;
}
