// The Collector: distinct by page, landing pages pinned, the top of the ranking, and, when asked,
// each returned page's other matching sections. Every candidate is counted (the total is exact);
// only the top start+num are sorted.
#include "search/collect.hpp"

#include <algorithm>

#include "index/index_data.hpp"
#include "search/curation_apply.hpp"
#include "siteseek/error.hpp"
#include "siteseek/limits.hpp"

namespace siteseek::detail {

namespace {

// One result per page: a page's best record, in the order its first record came. Candidates
// come in record order, and a page's records are consecutive when ingestion made them: the
// page of the candidate before is compared first, without the per-page stamps.
void best_per_page(const Index::Data& d, Scratch& s) {
  auto& ranked = s.ranked;
  ranked.reserve(std::min<std::size_t>(s.cands.size(), d.page_groups));
  const auto g = Scratch::bump(s.group_gen, s.group_stamp);
  std::uint32_t* const stamp = s.group_stamp.data();
  std::uint32_t* const best = s.group_best.data();
  const std::uint32_t* const group = d.doc_group.data();
  std::uint32_t last = ~0u, last_at = 0;  // the page of the candidate before, and its result
  for (const auto& c : s.cands) {
    const auto grp = group[c.doc];
    if (grp != last) {
      last = grp;
      if (stamp[grp] != g) {
        stamp[grp] = g;
        best[grp] = last_at = static_cast<std::uint32_t>(ranked.size());
        ranked.push_back(c);
        continue;
      }
      last_at = best[grp];
    }
    if (better(c, ranked[last_at])) ranked[last_at] = c;
  }
}

// The landing page pinned for this query: its record and its index in landing_pages, or -1.
std::pair<std::int64_t, std::size_t> pinned_record(const Index::Data& d, const SearchRequest& request, const ActiveRules* active) {
  if (d.pins.empty()) return {-1, 0};
  const auto q = active && !active->query.empty() ? active->query : normalize_query(d.analyzer, request.q);
  for (std::size_t k = 0; k < d.pins.size(); ++k) {
    const auto& pin = d.pins[k];
    if (q.empty() || pin.query != q || pin.doc < 0) continue;
    return {pin.doc, k};
  }
  return {-1, 0};
}

// Facet counts (SearchRequest::facets) over the results in `ranked` and the pinned record:
// for each name, its pairs' counts, read from each result's pair list.
std::vector<Facet> count_facets(const Index::Data& d, const SearchRequest& request, Scratch& s, const std::vector<Collected::Pinned>& pinned,
                                bool every_value) {
  std::vector<Facet> out;
  const std::size_t asked = std::min(request.facets.size(), limits::max_facets);
  if (asked) d.check_table(Index::Data::LazyChecks::Table::record_attributes);
  for (std::size_t f = 0; f < asked; ++f) {
    auto& facet = out.emplace_back();
    facet.name = request.facets[f];
    const auto range = d.attr_range(facet.name);  // not a structured binding: the lambda below reads it
    const std::uint32_t first = range.first, last = range.second;
    if (first == last) continue;
    auto& count = s.facet_count;
    count.assign(last - first, 0);
    auto add = [&](std::uint32_t doc) {
      for (auto k = d.doc_attr_offset[doc]; k < d.doc_attr_offset[doc + 1]; ++k) {
        const auto a = d.doc_attrs[k];
        if (a >= last) break;  // a record's pairs are ascending
        if (a >= first) ++count[a - first];
      }
    };
    for (const auto& c : s.ranked) add(c.doc);
    for (const auto& p : pinned) add(p.doc);
    std::vector<std::uint32_t> order;
    for (std::uint32_t a = 0; a < count.size(); ++a)
      if (count[a]) order.push_back(a);
    const std::size_t listed = every_value ? order.size() : std::min(order.size(), limits::max_facet_values);
    std::partial_sort(order.begin(), order.begin() + listed, order.end(), [&](auto a, auto b) {
      return count[a] != count[b] ? count[a] > count[b] : a < b;  // pair ids follow value order
    });
    for (std::size_t k = 0; k < listed; ++k)
      facet.values.push_back({std::string(d.attr_value(first + order[k])), count[order[k]]});
    facet.more = order.size() - listed;
  }
  return out;
}

// Sub-results: the section records of each returned result's page other than the result's own,
// the best `per_page` of each in rank order. Only the returned page's groups are looked for: one
// pass over the candidates, then a sort of the few records found in them.
SubRanked sub_records(const Index::Data& d, Scratch& s, std::size_t start, std::size_t per_page) {
  auto& sub = s.sub_ranked;
  auto& offset = s.sub_offset;
  sub.clear();
  const std::size_t results = s.ranked.size() > start ? s.ranked.size() - start : 0;
  offset.assign(results + 1, 0);
  if (results == 0) return {sub, offset};
  const auto g = Scratch::bump(s.group_gen, s.group_stamp);
  for (std::size_t k = 0; k < results; ++k) {
    const auto grp = d.doc_group[s.ranked[start + k].doc];
    s.group_stamp[grp] = g;
    s.group_best[grp] = static_cast<std::uint32_t>(k);
  }
  const auto result_of = [&](const Candidate& c) { return s.group_best[d.doc_group[c.doc]]; };
  for (const auto& c : s.cands) {
    if (s.group_stamp[d.doc_group[c.doc]] != g || !d.doc_is_section[c.doc]) continue;
    if (c.doc != s.ranked[start + result_of(c)].doc) sub.push_back(c);
  }
  std::sort(sub.begin(), sub.end(), [&](const Candidate& a, const Candidate& b) {
    const auto ra = result_of(a), rb = result_of(b);
    return ra != rb ? ra < rb : better(a, b);
  });
  // The first per_page of each result's run, moved together; offset[k + 1] counts them, then
  // becomes the run's end.
  std::size_t kept = 0;
  for (std::size_t i = 0, taken = 0; i < sub.size(); ++i) {
    const auto k = result_of(sub[i]);
    if (i == 0 || k != result_of(sub[i - 1])) taken = 0;
    if (taken++ < per_page) sub[kept++] = sub[i], ++offset[k + 1];
  }
  sub.resize(kept);
  for (std::size_t k = 0; k < results; ++k) offset[k + 1] += offset[k];
  return {sub, offset};
}

}  // namespace

std::pair<std::int64_t, std::size_t> landing_page(const Index::Data& d, const SearchRequest& request, const ActiveRules* active) {
  return pinned_record(d, request, active);
}

Collected collect(const Index& index, const SearchRequest& request, Scratch& s, const ActiveRules* active, const CollectOptions& options) {
  const auto& d = index.data();
  Collected out;
  // Sub-results are listed under their page's one result: they group results by page.
  if (request.sub_results > 0 && request.distinct == false)
    throw RequestError("invalid_parameter", "sub_results lists sections under their page's result: it needs distinct results");
  const bool distinct = request.sub_results > 0 || request.distinct.value_or(d.settings.search.distinct_by_page);
  auto& ranked = s.ranked;
  ranked.clear();
  if (distinct) best_per_page(d, s);
  else ranked.swap(s.cands);
  out.total = ranked.size();

  // The pinned records lead, in order: the curation pins the query fires (active), then the
  // landing page. Each (and, when distinct, its page's other records) leaves the ranking, and
  // counts once more when it had not matched. A record the filters or a hide remove is not pinned.
  auto& pinned = out.pinned;
  const auto hidden = [&](std::uint32_t doc) {
    if (!active) return false;
    for (const auto* h : active->hides)
      if (h->covers(d, doc)) return true;
    return false;
  };
  const auto same = [&](std::uint32_t a, std::uint32_t b) { return a == b || (distinct && d.doc_group[a] == d.doc_group[b]); };
  const auto pin = [&](std::uint32_t doc, std::int64_t by) {
    if (!s.allows(doc) || hidden(doc)) return;
    for (const auto& p : pinned)
      if (same(p.doc, doc)) return;
    pinned.push_back({doc, by});
  };
  if (active)
    for (const auto* p : active->pins)
      for (const auto doc : p->docs) pin(doc, p->rule);
  auto landing = pinned_record(d, request, active);
  if (options.landing) {
    const auto k = *options.landing;
    landing = k >= 0 && static_cast<std::size_t>(k) < d.pins.size() ? std::pair{d.pins[static_cast<std::size_t>(k)].doc, static_cast<std::size_t>(k)}
                                                                     : std::pair<std::int64_t, std::size_t>{-1, 0};
  }
  if (landing.first >= 0)
    pin(static_cast<std::uint32_t>(landing.first), -1 - static_cast<std::int64_t>(landing.second));
  if (!pinned.empty()) {
    std::vector<bool> matched(pinned.size(), false);
    std::erase_if(ranked, [&](const Candidate& c) {
      for (std::size_t k = 0; k < pinned.size(); ++k)
        if (same(pinned[k].doc, c.doc)) {
          matched[k] = true;
          return true;
        }
      return false;
    });
    for (bool m : matched) out.total += m ? 0 : 1;
  }
  if (!request.facets.empty()) out.facets = count_facets(d, request, s, pinned, options.every_facet_value);
  out.start = std::min<std::size_t>(request.start, limits::max_results_window);
  const std::size_t want = std::min<std::size_t>(out.start + request.num, limits::max_results_window);
  const std::size_t pin_extra = pinned.size();
  const std::size_t keep = std::min(ranked.size(), want > pin_extra ? want - pin_extra : 0);
  std::partial_sort(ranked.begin(), ranked.begin() + keep, ranked.end(), better);
  ranked.resize(keep);
  std::vector<Candidate> lead;
  for (const auto& p : pinned) lead.push_back(Candidate{p.doc, 0, 0.0f});
  ranked.insert(ranked.begin(), lead.begin(), lead.end());
  if (request.sub_results > 0)
    out.sub = sub_records(d, s, out.start, std::min<std::size_t>(request.sub_results, limits::max_sub_results));
  return out;
}

}  // namespace siteseek::detail
