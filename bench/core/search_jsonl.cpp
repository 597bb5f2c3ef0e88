// Load documents from JSON lines (the reference split of shared/relevance/corpus.py), build one
// index, then answer queries: one query per stdin line -> one {"results":[{"url":...}]} line.
// With --bench QUERIES.tsv: time the queries instead (build time, memory, p50/p99 latency).
// --sub-results N asks each search for N sub-results per page (SearchRequest::sub_results).
// --compact-above-mb N: the site's compact_above_mb (0: compact, whatever the size).
//   search_jsonl DOCS.jsonl [--num N] [--sub-results N] [--compact-above-mb N]
//                [--bench QUERIES.tsv [--reps N]] [--show]
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "../common/jsonl_documents.hpp"

#include "siteseek/index.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

using siteseek::bench::load_jsonl;

using siteseek::bench::load_queries;

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: search_jsonl DOCS.jsonl [--num N] [--sub-results N] [--compact-above-mb N] "
                 "[--bench QUERIES.tsv [--reps N]] [--show]\n";
    return 2;
  }
  std::string bench;
  int reps = 50;
  unsigned num = 10, sub_results = 0;
  bool show = false;
  std::optional<std::uint32_t> compact_above_mb;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--bench" && i + 1 < argc) bench = argv[++i];
    else if (a == "--reps" && i + 1 < argc) reps = std::stoi(argv[++i]);
    else if (a == "--num" && i + 1 < argc) num = static_cast<unsigned>(std::stoi(argv[++i]));
    else if (a == "--sub-results" && i + 1 < argc) sub_results = static_cast<unsigned>(std::stoi(argv[++i]));
    else if (a == "--compact-above-mb" && i + 1 < argc) compact_above_mb = static_cast<std::uint32_t>(std::stoul(argv[++i]));
    else if (a == "--show") show = true;
  }
  auto docs = load_jsonl(argv[1]);
  std::size_t body = 0;
  for (const auto& d : docs) body += d.body.size();
  siteseek::SiteSettings site;
  site.name = "python";
  site.url = docs.empty() ? "" : docs.front().url.substr(0, docs.front().url.find('/', 8) + 1);
  if (site.url.find("docs.python.org") != std::string::npos) site.url = "https://docs.python.org/3/";
  if (compact_above_mb) site.compact_above_mb = *compact_above_mb;

  // Chunks in malloc's arenas plus the large ones it mmaps on their own.
  auto heap_in_use = [] {
    const auto m = mallinfo2();
    return m.uordblks + m.hblkhd;
  };
  auto heap0 = heap_in_use();
  auto t0 = Clock::now();
  siteseek::IndexBuilder builder(site);
  for (auto& d : docs) builder.add(d);
  auto index = builder.build();
  double build_s = std::chrono::duration<double>(Clock::now() - t0).count();
  auto heap = heap_in_use() - heap0;

  if (!bench.empty()) {
    auto queries = load_queries(bench);
    std::vector<double> lat;
    for (int r = 0; r < reps; ++r)
      for (const auto& q : queries) {
        siteseek::SearchRequest req;
        req.q = q;
        req.num = num;
        req.sub_results = sub_results;
        auto s = Clock::now();
        auto res = siteseek::search_index(*index, req);
        lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - s).count());
        if (res.total == 12345678) std::puts("");
      }
    std::sort(lat.begin(), lat.end());
    double mean = 0;
    for (double x : lat) mean += x;
    mean /= lat.size();
    std::printf("documents %zu, body %.1f MB, terms %llu\n", docs.size(), body / 1e6,
                static_cast<unsigned long long>(index->term_count()));
    std::printf("build %.3f s, memory_bytes %.1f MB (%.2fx body), heap growth %.1f MB (%.2fx body)\n", build_s,
                index->memory_bytes() / 1e6, double(index->memory_bytes()) / body, heap / 1e6, double(heap) / body);
    std::printf("queries %zu x %d: p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us, mean %.1f us\n",
                queries.size(), reps, lat[lat.size() / 2], lat[lat.size() * 9 / 10], lat[lat.size() * 99 / 100],
                lat.back(), mean);
    if (show) {
      for (const auto& q : queries) {
        siteseek::SearchRequest req;
        req.q = q;
        req.num = num;
        req.sub_results = sub_results;
        std::vector<double> l;
        for (int r = 0; r < 20; ++r) {
          auto s = Clock::now();
          siteseek::search_index(*index, req);
          l.push_back(std::chrono::duration<double, std::micro>(Clock::now() - s).count());
        }
        std::sort(l.begin(), l.end());
        std::printf("%8.1f us  %s\n", l[l.size() / 2], q.c_str());
      }
    }
    return 0;
  }

  std::string q;
  while (std::getline(std::cin, q)) {
    siteseek::SearchRequest req;
    req.q = q;
    req.num = num;
    req.sub_results = sub_results;
    json::array a;
    auto res = siteseek::search_index(*index, req);
    for (const auto& r : res.results) {
      json::object o{{"url", r.url}};
      if (show) o["title"] = r.title, o["section_title"] = r.section_title, o["body"] = r.body, o["score"] = r.score;
      if (r.sub_results) {
        json::array subs;
        for (const auto& sub : *r.sub_results) {
          json::object so{{"url", sub.url}};
          if (show) so["title"] = sub.title, so["body"] = sub.body;
          subs.push_back(so);
        }
        o["sub_results"] = subs;
      }
      a.push_back(o);
    }
    std::cout << json::serialize(json::object{{"results", a}, {"total", res.total}}) << "\n" << std::flush;
  }
  return 0;
}
