// What curation rules cost on the search path, in one run: the reference split of the Python
// docs (corpus.py) indexed once, every dev query timed, interleaved, with
//   none     no rules
//   rules    N rules (default 1,000): a quarter each synonym groups, pins, hides and boosts. Their
//            words and queries are taken from the index's dictionary and from the dev queries
//            themselves (every tenth rule uses a dev query, so some rules fire, as on a real site)
// and prints p50/p90/p99 per variant, the ratio to `none`, how many searches a rule fired in,
// and the time to compile the rules against the index (done once per rule change or publish).
//   curation_bench DOCS.jsonl QUERIES.tsv [--rules N] [--reps N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "../common/jsonl_documents.hpp"
#include "../common/percentile.hpp"
#include "../../core/src/index/index_data.hpp"
#include "../../core/src/search/curation_apply.hpp"

#include "siteseek/curation.hpp"
#include "siteseek/index.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"

using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: curation_bench DOCS.jsonl QUERIES.tsv [--rules N] [--reps N]\n");
    return 2;
  }
  int reps = 10;
  std::size_t rule_count = 1000;
  for (int i = 3; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--reps") reps = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--rules") rule_count = std::stoul(argv[i + 1]);
  }
  const auto docs = siteseek::bench::load_jsonl(argv[1]);
  const auto queries = siteseek::bench::load_queries(argv[2]);
  siteseek::SiteSettings site;
  site.name = "python";
  site.url = "https://docs.python.org/";
  siteseek::IndexBuilder builder(site);
  std::vector<std::string> urls;
  for (const auto& d : docs) {
    if (d.type == siteseek::DocumentType::page) urls.push_back(d.url);
    builder.add(d);
  }
  const std::shared_ptr<const siteseek::Index> index = builder.build();
  const auto& data = index->data();

  // The rules: words from the dictionary (every 37th term, letters only), URLs of real pages.
  std::vector<std::string> words;
  for (std::uint32_t t = 0; t < data.term_count(); t += 37) {
    const std::string w(data.term(t));
    if (w.size() >= 3 && w.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos) words.push_back(w);
  }
  auto rules = std::make_shared<std::vector<siteseek::Rule>>();
  for (std::size_t k = 0; k < rule_count; ++k) {
    siteseek::Rule r;
    r.id = "r" + std::to_string(k);
    const std::string query = k % 10 == 0 ? queries[(k / 10) % queries.size()] : words[(k * 7) % words.size()];
    const std::string& url = urls[(k * 13) % urls.size()];
    switch (k % 4) {
      case 0:
        r.kind = siteseek::RuleKind::synonyms;
        r.synonyms = {words[(k * 7) % words.size()], words[(k * 11 + 1) % words.size()]};
        break;
      case 1:
        r.kind = siteseek::RuleKind::pin;
        r.query = query;
        r.urls = {url, urls[(k * 17 + 3) % urls.size()]};
        r.match = k % 8 == 1 ? siteseek::QueryMatch::prefix : siteseek::QueryMatch::exact;
        break;
      case 2:
        r.kind = siteseek::RuleKind::hide;
        r.query = query;
        r.url = url;
        break;
      default:
        r.kind = siteseek::RuleKind::boost;
        r.query = query;
        r.url = url;
        r.factor = 2;
    }
    rules->push_back(std::move(r));
  }
  siteseek::validate_rules(*rules);
  const auto c0 = Clock::now();
  const auto compiled = siteseek::detail::compile_rules(rules, index);
  const double compile_ms = std::chrono::duration<double, std::milli>(Clock::now() - c0).count();
  std::printf("records %u; %zu rules compiled in %.2f ms\n", index->size(), rules->size(), compile_ms);

  std::vector<double> none, with;
  std::uint64_t checksum = 0, fired = 0;
  for (int r = 0; r < reps; ++r)
    for (const auto& q : queries)
      for (int k = 0; k < 2; ++k) {
        const bool use_rules = (k + r) % 2 == 1;  // the order alternates per repetition
        siteseek::SearchRequest req;
        req.q = q;
        req.explain = use_rules && r == 0;  // once per query, to count the rules that fired
        const auto s = Clock::now();
        const auto res = siteseek::detail::search_index_with_rules(*index, req, use_rules ? compiled.get() : nullptr);
        (use_rules ? with : none).push_back(std::chrono::duration<double, std::micro>(Clock::now() - s).count());
        checksum += res.total;
        if (res.explain && !res.explain->rules.empty()) ++fired;
      }
  std::printf("%zu queries x %d reps, interleaved (checksum %llu); a rule fired in %llu of the %zu queries\n", queries.size(), reps,
              static_cast<unsigned long long>(checksum), static_cast<unsigned long long>(fired), queries.size());
  std::printf("%-8s %9s %9s %9s %8s\n", "variant", "p50 us", "p90 us", "p99 us", "p50/none");
  const double base = siteseek::bench::percentile(none, 0.5);
  for (auto* v : {&none, &with}) {
    const double p50 = siteseek::bench::percentile(*v, 0.5), p90 = siteseek::bench::percentile(*v, 0.9), p99 = siteseek::bench::percentile(*v, 0.99);
    std::printf("%-8s %9.1f %9.1f %9.1f %8.2fx\n", v == &none ? "none" : "rules", p50, p90, p99, p50 / base);
  }
  return 0;
}
