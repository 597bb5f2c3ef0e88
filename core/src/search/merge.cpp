// Merging the answers of several sites (search/merge.hpp).
#include "search/merge.hpp"

#include <algorithm>
#include <map>

#include "siteseek/limits.hpp"

namespace siteseek::detail {

SearchResponse merge_responses(std::vector<std::pair<std::string, SearchResponse>> answers, std::uint32_t start,
                               std::uint32_t num, const std::vector<std::size_t>& pinned) {
  SearchResponse out;
  struct Ranked {
    bool relaxed;
    SearchResult result;
    std::size_t lead;  // the pinned lead in the request's order of sites (0: not pinned)
  };
  std::vector<Ranked> all;
  std::map<std::string, std::map<std::string, std::uint64_t>> facet_counts;
  std::map<std::string, std::uint64_t> facet_more;
  std::vector<std::string> facet_order;
  bool all_relaxed = true;
  std::size_t leads = 0;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    auto& [site, r] = answers[i];
    const std::size_t site_pins = i < pinned.size() ? pinned[i] : 0;
    out.total += r.total;
    out.took_ms = std::max(out.took_ms, r.took_ms);
    if (!r.relaxed && r.total > 0) all_relaxed = false;
    out.out_of_time = out.out_of_time || r.out_of_time;
    for (std::size_t k = 0; k < r.results.size(); ++k) {
      auto& x = r.results[k];
      x.site = site;
      all.push_back({r.relaxed, std::move(x), k < site_pins ? ++leads : 0});
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
      if (!out.explain) {
        out.explain.emplace().query = r.explain->query;
        out.explain->optional_words = r.explain->optional_words;
      }
      for (auto& w : r.explain->related)
        if (std::find(out.explain->related.begin(), out.explain->related.end(), w) == out.explain->related.end())
          out.explain->related.push_back(std::move(w));
      for (auto& e : r.explain->rules) {
        e.id = site + "/" + e.id;
        out.explain->rules.push_back(std::move(e));
      }
    }
  }
  out.relaxed = all_relaxed && out.total > 0;
  // Pinned results lead (a pin has no score to compare), site by site as the request names them.
  // Then a site whose results match every word ranks them above another site's partial matches,
  // as one index ranks its own records.
  std::stable_sort(all.begin(), all.end(), [](const Ranked& a, const Ranked& b) {
    if ((a.lead > 0) != (b.lead > 0)) return a.lead > 0;
    if (a.lead > 0) return a.lead < b.lead;
    if (a.relaxed != b.relaxed) return !a.relaxed;
    return a.result.score > b.result.score;
  });
  // explain: a pinned result's position is its place in the merged list, not in its site's.
  for (std::size_t k = 0; k < all.size() && all[k].lead > 0; ++k)
    for (auto& rule : all[k].result.rules)
      if (rule.effect.starts_with("pinned at position ")) rule.effect = "pinned at position " + std::to_string(k + 1);
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
