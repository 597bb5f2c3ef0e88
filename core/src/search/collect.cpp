// The Collector: distinct by page, landing pages pinned, the top of the ranking. Every candidate
// is counted (the total is exact); only the top start+num are sorted.
#include "search/collect.hpp"

#include <algorithm>

#include "index/index_data.hpp"
#include "siteseek/limits.hpp"

namespace siteseek::detail {

namespace {

// One result per page: a page's best record, in the order its first record came.
void best_per_page(const Index::Data& d, Scratch& s) {
  auto& ranked = s.ranked;
  ranked.reserve(std::min<std::size_t>(s.cands.size(), d.page_groups));
  const auto g = Scratch::bump(s.group_gen, s.group_stamp);
  for (const auto& c : s.cands) {
    auto grp = d.doc_group[c.doc];
    if (s.group_stamp[grp] != g) {
      s.group_stamp[grp] = g;
      s.group_best[grp] = static_cast<std::uint32_t>(ranked.size());
      ranked.push_back(c);
    } else if (better(c, ranked[s.group_best[grp]])) {
      ranked[s.group_best[grp]] = c;
    }
  }
}

// The record a landing page pins for this query, or -1.
std::int64_t pinned_record(const Index::Data& d, const SearchRequest& request) {
  if (d.pins.empty()) return -1;
  const auto q = normalize_query(d.analyzer, request.q);
  for (const auto& pin : d.pins) {
    if (q.empty() || pin.query != q || pin.doc < 0) continue;
    return pin.doc;
  }
  return -1;
}

}  // namespace

Collected collect(const Index& index, const SearchRequest& request, Scratch& s) {
  const auto& d = index.data();
  Collected out;
  const bool distinct = request.distinct.value_or(d.settings.search.distinct_by_page);
  auto& ranked = s.ranked;
  ranked.clear();
  if (distinct) best_per_page(d, s);
  else ranked.swap(s.cands);
  out.total = ranked.size();

  // The pinned record leads; it (and, when distinct, its page's other records) leaves the
  // ranking, and counts once more when it had not matched.
  const std::int64_t pinned = pinned_record(d, request);
  if (pinned >= 0) {
    auto grp = d.docs[pinned].page_group;
    auto before = ranked.size();
    std::erase_if(ranked, [&](const Candidate& c) {
      return c.doc == static_cast<std::uint32_t>(pinned) || (distinct && d.doc_group[c.doc] == grp);
    });
    if (ranked.size() == before) ++out.total;
  }
  out.start = std::min<std::size_t>(request.start, limits::max_results_window);
  const std::size_t want = std::min<std::size_t>(out.start + request.num, limits::max_results_window);
  std::size_t pin_extra = pinned >= 0 ? 1 : 0;
  const std::size_t keep = std::min(ranked.size(), want > pin_extra ? want - pin_extra : 0);
  std::partial_sort(ranked.begin(), ranked.begin() + keep, ranked.end(), better);
  ranked.resize(keep);
  if (pinned >= 0) ranked.insert(ranked.begin(), Candidate{static_cast<std::uint32_t>(pinned), 0, 0.0f});
  return out;
}

}  // namespace siteseek::detail
