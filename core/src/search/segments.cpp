// A search over a site's segments (siteseek/segments.hpp): the phases of searcher.cpp, each run
// on every segment, with what one index would decide over all of its records decided here for
// the whole site: the words' expansions and idf (one Lexicon), whether the query is matched in
// full, partly or relaxed, which candidates are re-ranked, which landing page is pinned; then the
// segments' top results merged in rank order.
#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <memory>
#include <span>

#include "index/index_data.hpp"
#include "index/segments.hpp"
#include "search/collect.hpp"
#include "search/filter.hpp"
#include "search/lexicon.hpp"
#include "search/merge.hpp"
#include "search/page.hpp"
#include "search/plan.hpp"
#include "search/query_parser.hpp"
#include "search/ranking.hpp"
#include "search/rules.hpp"
#include "search/score.hpp"
#include "search/segments.hpp"
#include "siteseek/limits.hpp"
#include "siteseek/segments.hpp"

namespace siteseek {

using namespace detail;

namespace {

// A segment's state through the phases.
struct Run {
  const Index* index = nullptr;
  const Deletions* deleted = nullptr;
  Scratch* s = nullptr;
  std::uint64_t base = 0;  // records of the segments before it: its records' place in the site's order
  std::size_t best = 0;    // its best candidates, at the front of its candidates once ranked
  Plan* plan = nullptr;    // its segment_plan
  std::unique_ptr<Scorer> scorer;
  std::unique_ptr<Matcher> matcher;
  Matches matches;
  ActiveRules active;
  Collected top;
};

// Per thread, a scratch per segment: a segment's candidates and accumulators live from the first
// phase to the last, next to the other segments'.
Scratch& segment_scratch(std::size_t k) {
  thread_local std::vector<std::unique_ptr<Scratch>> pool;
  while (pool.size() <= k) pool.push_back(std::make_unique<Scratch>());
  return *pool[k];
}

// Per thread, a plan per segment, bound again at each search in the buffers of the last one
// (a plan is some dozens of small vectors and strings).
Plan& segment_plan(std::size_t k) {
  thread_local std::vector<std::unique_ptr<Plan>> pool;
  while (pool.size() <= k) pool.push_back(std::make_unique<Plan>());
  return *pool[k];
}

// A record of the merged ranking.
struct Ranked {
  std::size_t seg;
  std::size_t at;  // in the segment's s.ranked
  Candidate c;     // its doc made the site's: base + the segment's
  bool pinned;
  // A pinned record's place among the pinned: its rule's (landing pages after the rules), then
  // its URL's in the rule.
  std::pair<std::int64_t, std::size_t> pin_order{};
};

}  // namespace

SearchResponse detail::search_segments_impl(const SegmentedIndex& index, const SearchRequest& request,
                                            std::vector<std::pair<std::size_t, std::uint32_t>>* bare_docs, std::uint8_t fields,
                                            const std::vector<const CompiledRules*>& rules, std::size_t* pinned_results) {
  const auto started = std::chrono::steady_clock::now();
  const auto& segments = index.segments();
  const Index& first = *segments.front().index;
  const auto& d0 = first.data();
  const auto& so = d0.settings.search;
  SearchResponse response;
  const auto parsed = parse_query(request.q, request.prefix.value_or(so.prefix_search));

  std::vector<const Index::Data*> ds;
  std::vector<SegmentRef> refs;
  std::vector<Run> runs(segments.size());
  std::size_t most_docs = 0, most_groups = 0;
  std::uint64_t base = 0;
  for (std::size_t k = 0; k < segments.size(); ++k) {
    const auto& seg = segments[k];
    ds.push_back(&seg.index->data());
    refs.push_back({seg.index.get(), seg.deleted.get()});
    runs[k].index = seg.index.get();
    runs[k].deleted = seg.deleted.get();
    runs[k].base = base;
    base += seg.index->size();
    most_docs = std::max<std::size_t>(most_docs, seg.index->size());
    most_groups = std::max<std::size_t>(most_groups, seg.index->data().page_groups);
  }

  // Filter: checked against all the segments (a name any of them has is known), then a bit per
  // record in each, deleted records left out.
  auto filtered = request_filter(ds, request, parsed.attributes);
  if (filtered.filter) check_filter_names(ds, *filtered.filter);
  response.context = std::move(filtered.context);
  // The Scorers' per-term arrays are this thread's scratch(): room for the largest segment.
  scratch().ensure(most_docs, most_groups);
  for (std::size_t k = 0; k < runs.size(); ++k) {
    auto& r = runs[k];
    const auto& d = r.index->data();
    auto& s = *(r.s = &segment_scratch(k));
    s.filtered = filtered.filter.has_value();
    if (s.filtered) s.filter = evaluate_filter(d, *filtered.filter, false);
    if (r.deleted && r.deleted->records) {
      if (!s.filtered) s.filter.assign((d.docs.size() + 63) / 64, ~std::uint64_t{0}), s.filtered = true;
      for (std::size_t w = 0; w < s.filter.size() && w < r.deleted->bits.size(); ++w) s.filter[w] &= ~r.deleted->bits[w];
      if (d.docs.size() % 64) s.filter.back() &= (std::uint64_t{1} << (d.docs.size() % 64)) - 1;
    }
    s.ensure(d.docs.size(), d.page_groups);
  }

  // Weight: one plan for the site, then each segment's terms.
  auto options = plan_options(request, so, started);
  // The language kept to: its analyzer from a segment that has records in it.
  options.analyzer = &d0.analyzer;
  for (const auto* d : ds)
    if (const auto* a = &d->analyzer_for(filtered.language); a != &d->analyzer) {
      options.analyzer = a;
      break;
    }
  options.all_languages = filtered.language.empty();
  options.fields = fields;
  options.rules = rules.empty() ? nullptr : rules.front();  // synonyms: alike in every segment's
  std::vector<std::pair<std::string_view, const Analyzer*>> tagged;
  for (const auto* d : ds)
    for (const auto& language : d->language_analyzers) {
      const std::string_view tag = language.first;
      if (std::none_of(tagged.begin(), tagged.end(), [&](const auto& t) { return t.first == tag; })) tagged.emplace_back(tag, &language.second);
    }
  std::sort(tagged.begin(), tagged.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const Analyzer*> languages;
  for (const auto& t : tagged) languages.push_back(t.second);
  options.languages = &languages;
  const auto joined = index.dictionary();
  Lexicon lex(refs, joined.get());
  const Plan plan = make_plan(first, lex, parsed, options);

  // Scorer and match: the first pass everywhere, then one decision for all.
  std::size_t full = 0;
  for (std::size_t k = 0; k < runs.size(); ++k) {
    auto& r = runs[k];
    bind_plan(plan, lex, k, *(r.plan = &segment_plan(k)), bare_docs == nullptr);
    r.active = active_rules(rules.empty() ? nullptr : rules[k], r.index->data(), request.q);
    r.scorer = std::make_unique<Scorer>(*r.index, *r.plan, r.s);
    r.matcher = std::make_unique<Matcher>(*r.index, *r.plan, *r.scorer, *r.s);
    full = std::min(full + r.matcher->full_matches(partial_match_below), partial_match_below);
  }
  bool any = false;
  for (auto& r : runs) {
    r.matches = r.matcher->finish(full);
    any = any || !r.s->cands.empty();
  }
  response.relaxed = full == 0 && any;
  response.out_of_time = plan.out_of_time;

  // Ranking: the rules over each segment's candidates, then the site's best re-ranked.
  std::vector<Ranked> best;
  best.reserve(runs.size() * limits::rerank_candidates);
  for (std::size_t k = 0; k < runs.size(); ++k) {
    auto& r = runs[k];
    auto& cands = r.s->cands;
    rank_candidates(RankingInput{*r.index, request, *r.plan, r.matches, *r.scorer, *r.s}, cands);
    // The site's best are among each segment's best.
    const std::size_t mine = r.best = std::min(cands.size(), limits::rerank_candidates);
    select_best(cands, mine);
    for (std::size_t i = 0; i < mine; ++i)
      best.push_back({k, 0, {static_cast<std::uint32_t>(r.base + cands[i].doc), cands[i].words, cands[i].score}, false});
  }
  const std::size_t rerank = std::min(best.size(), limits::rerank_candidates);
  std::vector<std::size_t> share(runs.size(), 0);
  if (rerank > 0) {
    std::nth_element(best.begin(), best.begin() + static_cast<std::ptrdiff_t>(rerank - 1), best.end(),
                     [](const Ranked& a, const Ranked& b) { return better(a.c, b.c); });
    for (std::size_t i = 0; i < rerank; ++i) ++share[best[i].seg];
  }
  best = {};
  // Curation: hides and boosts, each segment's records by its rules (the same rules in each).
  std::vector<std::size_t> touched;
  for (std::size_t k = 0; k < runs.size(); ++k) {
    auto& r = runs[k];
    // Its share is among its best: chosen there, not again from all its candidates.
    rerank_best(RankingInput{*r.index, request, *r.plan, r.matches, *r.scorer, *r.s}, std::span(r.s->cands).first(r.best), share[k]);
    const auto t = apply_hides_and_boosts(r.index->data(), r.active, r.s->cands);
    touched.resize(t.size(), 0);
    for (std::size_t i = 0; i < t.size(); ++i) touched[i] += t[i];
  }

  // Collector: the landing page the site's first firing pin names, each segment's top start +
  // num, merged.
  std::int64_t landing = -1;
  for (const auto* d : ds) {
    const auto [doc, k] = landing_page(*d, request, nullptr);
    if (doc >= 0 && (landing < 0 || static_cast<std::int64_t>(k) < landing)) landing = static_cast<std::int64_t>(k);
  }
  CollectOptions co;
  co.every_facet_value = true;
  co.landing = landing;
  SearchRequest each = request;
  each.start = 0;
  each.num = static_cast<std::uint32_t>(std::min<std::size_t>(std::size_t{request.start} + request.num, limits::max_results_window));
  std::vector<Ranked> merged;
  merged.reserve(runs.size() * each.num);
  std::map<std::string, std::map<std::string, std::uint64_t>> facet_counts;
  for (std::size_t k = 0; k < runs.size(); ++k) {
    auto& r = runs[k];
    r.top = collect(*r.index, each, *r.s, &r.active, co);
    response.total += r.top.total;
    const auto& d = r.index->data();
    for (std::size_t i = 0; i < r.s->ranked.size(); ++i) {
      Ranked x{k, i, {static_cast<std::uint32_t>(r.base + r.s->ranked[i].doc), r.s->ranked[i].words, r.s->ranked[i].score},
               i < r.top.pinned.size()};
      if (x.pinned) {
        const auto by = r.top.pinned[i].by;
        if (by < 0) {
          x.pin_order = {std::numeric_limits<std::int64_t>::max(), 0};
        } else {
          const auto& urls = (*r.active.rules->source)[static_cast<std::size_t>(by)].urls;
          const auto url = d.slice(d.record(r.top.pinned[i].doc).url);
          x.pin_order = {by, static_cast<std::size_t>(std::find(urls.begin(), urls.end(), url) - urls.begin())};
        }
      }
      merged.push_back(x);
    }
    for (const auto& f : r.top.facets)
      for (const auto& v : f.values) facet_counts[f.name][v.value] += v.count;
  }
  // Facets: summed by value, then ordered and cut as one index's (and several sites') are.
  const std::size_t asked = std::min(request.facets.size(), limits::max_facets);
  for (std::size_t f = 0; f < asked; ++f) {
    auto& facet = response.facets.emplace_back();
    facet.name = request.facets[f];
    for (const auto& [value, count] : facet_counts[facet.name]) facet.values.push_back({value, count});
    order_facet(facet);
  }
  // The pinned records lead, in their rules' order (the landing page last), then the rest by
  // rank, as far as the page goes (Better is a total order: records are distinct).
  const auto pinned_end = std::stable_partition(merged.begin(), merged.end(), [](const Ranked& x) { return x.pinned; });
  std::stable_sort(merged.begin(), pinned_end, [](const Ranked& a, const Ranked& b) { return a.pin_order < b.pin_order; });
  const auto page_end = merged.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(merged.size(), each.num));
  if (page_end > pinned_end)
    std::partial_sort(pinned_end, page_end, merged.end(), [](const Ranked& a, const Ranked& b) { return better(a.c, b.c); });
  std::vector<Collected::Pinned> pinned;  // in order, their records the segments'
  for (const auto& x : merged) {
    if (!x.pinned) break;
    pinned.push_back(runs[x.seg].top.pinned[x.at]);
  }
  const std::size_t start = std::min<std::size_t>(request.start, limits::max_results_window);
  const std::size_t end = std::min(merged.size(), static_cast<std::size_t>(each.num));
  const std::span<const Ranked> page(merged.data() + std::min(start, end), merged.data() + end);

  // The returned page: each segment's results are a run of its ranking; built there, placed here.
  response.results.resize(page.size());
  for (std::size_t k = 0; k < runs.size(); ++k) {
    auto& r = runs[k];
    std::vector<std::size_t> where;  // positions in the page
    std::size_t from = r.s->ranked.size(), to = 0;
    for (std::size_t i = 0; i < page.size(); ++i)
      if (page[i].seg == k) where.push_back(i), from = std::min(from, page[i].at), to = std::max(to, page[i].at + 1);
    if (where.empty()) continue;
    const std::span<const Candidate> ranked(r.s->ranked.data() + from, to - from);
    std::vector<SearchResult> results;
    if (bare_docs) {
      std::vector<std::uint32_t> docs;
      bare_results(*r.index, ranked, results, docs);
    } else {
      // Its sub-results: those of the run's results, their offsets from the run's first.
      SubRanked sub;
      std::vector<std::uint32_t> offset;
      if (r.top.sub.asked()) {
        const auto o = r.top.sub.offset;
        for (std::size_t i = from; i <= to; ++i) offset.push_back(o[i] - o[from]);
        sub.records = r.top.sub.records.subspan(o[from], o[to] - o[from]);
        sub.offset = offset;
      }
      page_results(*r.index, *r.plan, *r.scorer, request, ranked, sub, results);
    }
    for (std::size_t i = 0; i < where.size(); ++i) response.results[where[i]] = std::move(results[i]);
  }
  if (bare_docs)
    for (const auto& p : page) bare_docs->emplace_back(p.seg, static_cast<std::uint32_t>(p.c.doc - runs[p.seg].base));

  if (request.explain && !bare_docs) {
    const auto& active = runs.front().active;
    response.explain = explain_query(active, d0.analyzer, request.q, plan, pinned, touched);
    for (std::size_t i = 0; i < page.size(); ++i) {
      const auto& r = runs[page[i].seg];
      const auto* pin = page[i].pinned ? &r.top.pinned[page[i].at] : nullptr;
      response.results[i].rules = explain_result(r.active, r.index->data(), r.s->ranked[page[i].at].doc, pin, start + i);
    }
  }
  if (pinned_results) *pinned_results = pinned.size() > start ? std::min(pinned.size() - start, response.results.size()) : 0;
  for (auto& r : runs) r.matcher.reset(), r.scorer.reset();
  response.took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return response;
}

SearchResponse search_segments(const SegmentedIndex& index, const SearchRequest& request) {
  const auto& segments = index.segments();
  if (segments.size() == 1 && !segments[0].deleted) return search_index(*segments[0].index, request);
  return detail::search_segments_impl(index, request, nullptr, 0, {});
}

std::vector<Suggestion> detail::suggest_segments_timed(const SegmentedIndex& index, const SuggestRequest& request, bool* out_of_time) {
  const auto& segments = index.segments();
  if (segments.size() == 1 && !segments[0].deleted) return suggest_index_timed(*segments[0].index, request, out_of_time);
  std::vector<SegmentRef> refs;
  for (const auto& seg : segments) refs.push_back({seg.index.get(), seg.deleted.get()});
  const auto joined = index.dictionary();
  Lexicon lex(refs, joined.get());
  return detail::suggest_with(segments.front().index->data().analyzer, lex, request,
                              [&](const SearchRequest& sr, std::uint8_t fields, std::vector<TitleOf>& titles) {
                                std::vector<std::pair<std::size_t, std::uint32_t>> docs;
                                auto res = search_segments_impl(index, sr, &docs, fields, {});
                                for (const auto& [k, doc] : docs) titles.push_back({&segments[k].index->data(), doc});
                                return res;
                              },
                              out_of_time);
}

std::vector<Suggestion> suggest_segments(const SegmentedIndex& index, const SuggestRequest& request) {
  return detail::suggest_segments_timed(index, request, nullptr);
}

}  // namespace siteseek
