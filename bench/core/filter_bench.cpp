// What filters and facets cost, in one run: the reference split of the Python docs (corpus.py)
// is indexed three times over as versions 3.11, 3.12 and 3.13 of one site (URLs under /3.1x/,
// attribute "version"), as a versioned docs site is, and every dev query is timed, interleaved:
//   single     one copy, no filter (a site per version: the baseline a filter competes with)
//   all        the three copies, no filter
//   version    the three copies, filters=version:3.13 (what a reader in 3.13 gets)
//   version+area  filters=version:3.13 AND area:library
//   facets     the three copies, facets=version,area,type
//   version+facets  filters=version:3.13 and facets=version,area,type
// (each query in every variant in turn, the order rotated per repetition) and prints p50/p90/p99 per variant with its ratio to `single`, and the attribute tables' bytes.
//   filter_bench DOCS.jsonl QUERIES.tsv [--reps N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "../common/jsonl_documents.hpp"
#include "../common/percentile.hpp"
#include "../../core/src/index/index_data.hpp"

#include "siteseek/index.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"

using Clock = std::chrono::steady_clock;

namespace {

struct Variant {
  const char* name;
  const siteseek::Index* index;
  std::string filters;
  std::vector<std::string> facets;
  std::vector<double> lat;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: filter_bench DOCS.jsonl QUERIES.tsv [--reps N]\n");
    return 2;
  }
  int reps = 20;
  for (int i = 3; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--reps") reps = std::stoi(argv[i + 1]);
  const auto docs = siteseek::bench::load_jsonl(argv[1]);
  const auto queries = siteseek::bench::load_queries(argv[2]);
  siteseek::SiteSettings site;
  site.name = "python";
  site.url = "https://docs.python.org/";

  siteseek::IndexBuilder one(site), three(site);
  for (const auto& d : docs) one.add(d);
  for (std::string version : {"3.11", "3.12", "3.13"})
    for (auto d : docs) {
      const auto at = d.url.find("/3/");
      if (at != std::string::npos) d.url.replace(at, 3, "/" + version + "/");
      d.id = d.url;
      d.attributes = {{"version", version}};
      three.add(std::move(d));
    }
  const auto single = one.build();
  const auto t0 = Clock::now();
  const auto versions = three.build();
  const double build_s = std::chrono::duration<double>(Clock::now() - t0).count();

  const auto& d = versions->data();
  const std::size_t attr_bytes = d.attr_keys.size() + 4 * (d.attr_key_offset.size() + d.attr_docs_offset.size() +
                                                            d.attr_docs.size() + d.doc_attr_offset.size() + d.doc_attrs.size()) +
                                 12 * d.page_by_url.size();
  std::printf("records: single %u, three versions %u (built in %.2f s); attribute pairs %u, (pair, record) entries %zu\n",
              single->size(), versions->size(), build_s, d.attr_count(), d.attr_docs.size());
  std::printf("attribute tables %.2f MB = %.1f bytes per record (%.1f %% of the index's %.1f MB)\n", attr_bytes / 1e6,
              double(attr_bytes) / versions->size(), 100.0 * attr_bytes / versions->memory_bytes(),
              versions->memory_bytes() / 1e6);

  const std::vector<std::string> facets{"version", "area", "type"};
  std::vector<Variant> variants{
      {"single", single.get(), "", {}, {}},
      {"all", versions.get(), "", {}, {}},
      {"version", versions.get(), "version:3.13", {}, {}},
      {"version+area", versions.get(), "version:3.13 AND area:library", {}, {}},
      {"facets", versions.get(), "", facets, {}},
      {"version+facets", versions.get(), "version:3.13", facets, {}},
  };
  std::uint64_t checksum = 0;
  // Each query runs in every variant in turn, the order rotated per repetition, so no variant
  // always finds the query's postings cached by the one before it.
  for (int r = 0; r < reps; ++r)
    for (const auto& q : queries)
      for (std::size_t k = 0; k < variants.size(); ++k) {
        auto& v = variants[(k + static_cast<std::size_t>(r)) % variants.size()];
        siteseek::SearchRequest req;
        req.q = q;
        req.filters = v.filters;
        req.facets = v.facets;
        const auto s = Clock::now();
        const auto res = siteseek::search_index(*v.index, req);
        v.lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - s).count());
        checksum += res.total;
      }
  std::printf("%zu queries x %d reps, interleaved (checksum %llu)\n", queries.size(), reps,
              static_cast<unsigned long long>(checksum));
  std::printf("%-16s %9s %9s %9s %8s\n", "variant", "p50 us", "p90 us", "p99 us", "p50/single");
  const double base = siteseek::bench::percentile(variants[0].lat, 0.5);
  for (auto& v : variants) {
    const double p50 = siteseek::bench::percentile(v.lat, 0.5), p90 = siteseek::bench::percentile(v.lat, 0.9), p99 = siteseek::bench::percentile(v.lat, 0.99);
    std::printf("%-16s %9.1f %9.1f %9.1f %8.2fx\n", v.name, p50, p90, p99, p50 / base);
  }
  return 0;
}
