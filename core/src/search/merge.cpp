// Merging the answers of several sites (search/merge.hpp).
#include "search/merge.hpp"

#include <algorithm>
#include <map>

#include "siteseek/limits.hpp"

namespace siteseek::detail {

SearchResponse merge_responses(std::vector<std::pair<std::string, SearchResponse>> answers, std::uint32_t start,
                               std::uint32_t num) {
  SearchResponse out;
  struct Ranked {
    bool relaxed;
    SearchResult result;
  };
  std::vector<Ranked> all;
  std::map<std::string, std::map<std::string, std::uint64_t>> facet_counts;
  std::map<std::string, std::uint64_t> facet_more;
  std::vector<std::string> facet_order;
  bool all_relaxed = true;
  for (auto& [site, r] : answers) {
    out.total += r.total;
    out.took_ms = std::max(out.took_ms, r.took_ms);
    if (!r.relaxed && r.total > 0) all_relaxed = false;
    for (auto& x : r.results) {
      x.site = site;
      all.push_back({r.relaxed, std::move(x)});
    }
    for (const auto& f : r.facets) {
      if (!facet_counts.contains(f.name)) facet_order.push_back(f.name);
      auto& counts = facet_counts[f.name];
      for (const auto& v : f.values) counts[v.value] += v.count;
      facet_more[f.name] += f.more;
    }
    for (auto& c : r.context)
      if (std::find(out.context.begin(), out.context.end(), c) == out.context.end()) out.context.push_back(std::move(c));
    // explain: each site's rules, their ids prefixed with the site ("docs/r12ab...").
    if (r.explain) {
      if (!out.explain) out.explain.emplace().query = r.explain->query;
      for (auto& e : r.explain->rules) {
        e.id = site + "/" + e.id;
        out.explain->rules.push_back(std::move(e));
      }
    }
  }
  out.relaxed = all_relaxed && out.total > 0;
  // A site whose results match every word ranks them above another site's partial matches,
  // as one index ranks its own records.
  std::stable_sort(all.begin(), all.end(), [](const Ranked& a, const Ranked& b) {
    if (a.relaxed != b.relaxed) return !a.relaxed;
    return a.result.score > b.result.score;
  });
  for (std::size_t k = start; k < all.size() && k < std::size_t{start} + num; ++k) out.results.push_back(std::move(all[k].result));
  for (const auto& name : facet_order) {
    auto& facet = out.facets.emplace_back();
    facet.name = name;
    for (const auto& [value, count] : facet_counts[name]) facet.values.push_back({value, count});
    // Each site's left-out values, plus those this cap leaves out (a value left out by two
    // sites counts twice: `more` is at most that many).
    facet.more = facet_more[name];
    order_facet(facet);
  }
  return out;
}

void order_facet(Facet& facet) {
  std::sort(facet.values.begin(), facet.values.end(),
            [](const auto& a, const auto& b) { return a.count != b.count ? a.count > b.count : a.value < b.value; });
  if (facet.values.size() > limits::max_facet_values) {
    facet.more += facet.values.size() - limits::max_facet_values;
    facet.values.resize(limits::max_facet_values);
  }
}

}  // namespace siteseek::detail
