// The C++ layer of bench/layers/run.sh: the same settings and snapshots as `siteseek query`
// (load_settings + Node::start), then every query REPS times through Engine::search,
// each call timed from outside; then the same responses through append_json (the JSON the
// stdin transport and the HTTP server write). Prints medians and means in microseconds.
//   layers_core CONFIG DATA_DIR SITE QUERIES.txt REPS
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "siteseek/node.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"

using Clock = std::chrono::steady_clock;

namespace {

struct Figures {
  double median, mean;
};

Figures summarise(std::vector<double> v) {
  double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return {v[v.size() / 2], mean};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: layers_core CONFIG DATA_DIR SITE QUERIES.txt REPS\n");
    return 2;
  }
  siteseek::SettingsSources sources;
  sources.file = argv[1];
  sources.overrides["data_dir"] = argv[2];
  sources.overrides["result_cache_mb"] = "0";  // the queries repeat: time the search, not the cache
  siteseek::Node node(siteseek::load_settings(sources));
  const siteseek::Engine& engine = node.engine();
  if (node.start().loaded.empty()) {
    std::fprintf(stderr, "no snapshot under %s\n", argv[2]);
    return 1;
  }
  std::vector<std::string> queries;
  std::ifstream in(argv[4]);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) queries.push_back(line);
  }
  int reps = std::stoi(argv[5]);

  siteseek::SearchRequest req;
  req.site = argv[3];
  req.num = 10;
  for (const auto& q : queries) {  // warm-up: caches and allocator
    req.q = q;
    engine.search(req);
  }
  std::vector<double> wall, took, json;
  std::vector<siteseek::SearchResponse> kept;  // one rep's responses, for the JSON timing
  std::string out;
  for (int r = 0; r < reps; ++r) {
    for (const auto& q : queries) {
      req.q = q;
      auto t0 = Clock::now();
      auto res = engine.search(req);
      auto t1 = Clock::now();
      wall.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      took.push_back(res.took_ms * 1000);
      if (r == 0) kept.push_back(std::move(res));
    }
  }
  std::size_t bytes = 0;
  for (int r = 0; r < reps; ++r) {
    for (const auto& res : kept) {
      out.clear();
      auto t0 = Clock::now();
      siteseek::append_json(out, res);
      json.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      bytes += out.size();
    }
  }
  auto w = summarise(wall), t = summarise(took), j = summarise(json);
  std::printf("  C++ Engine::search (wall): median %7.1f us  mean %7.1f us   (%zu searches)\n", w.median, w.mean,
              wall.size());
  std::printf("  core's own timer (took_ms): median %6.1f us  mean %7.1f us\n", t.median, t.mean);
  std::printf("  append_json of a response:  median %6.2f us  mean %7.2f us   (%.0f bytes on average)\n", j.median,
              j.mean, static_cast<double>(bytes) / static_cast<double>(json.size()));
  std::printf("CORE_MEAN_US=%.3f CORE_MEDIAN_US=%.3f JSON_MEAN_US=%.3f\n", w.mean, w.median, j.mean);
  return 0;
}
