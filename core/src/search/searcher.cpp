// The search, phase by phase: Query (parse) -> Weight (plan: every word expanded once) -> Scorer
// (match: postings into scored candidates) -> ranking rules (rules.hpp, in their declared order)
// -> Collector (distinct, pins, top start+num) -> the returned page (stored fields, highlights and
// snippets for its results only). Each phase is a file of its own; this one only sequences them.
#include <algorithm>
#include <chrono>
#include <span>

#include "index/index_data.hpp"
#include "search/collect.hpp"
#include "search/filter.hpp"
#include "search/page.hpp"
#include "search/plan.hpp"
#include "search/query_parser.hpp"
#include "search/rules.hpp"
#include "search/score.hpp"
#include "siteseek/limits.hpp"
#include "siteseek/search.hpp"

namespace siteseek {

using namespace detail;

namespace {

PlanOptions plan_options(const SearchRequest& request, const SearchOptions& so,
                         std::chrono::steady_clock::time_point started) {
  PlanOptions po;
  po.typo = request.typo.value_or(so.typo_tolerance);
  po.one_typo_min_length = so.one_typo_min_length;
  po.two_typos_min_length = so.two_typos_min_length;
  po.deadline = started + limits::search_deadline;
  return po;
}

// The search. With `bare_docs`, the results carry only url, type and score (no highlights, no
// snippets) and their document ids go to `bare_docs` (suggest reads their stored titles).
SearchResponse search_impl(const Index& index, const SearchRequest& request, std::vector<std::uint32_t>* bare_docs) {
  const auto started = std::chrono::steady_clock::now();
  const auto& d = index.data();
  const auto& so = d.settings.search;
  SearchResponse response;

  // Query and Weight: the syntax, then every word analysed and expanded against the dictionary.
  const auto parsed = parse_query(request.q, request.prefix.value_or(so.prefix_search));

  // Filter: the records the request's filters, the query's @attribute: tests and the reader's
  // context keep, a bit each.
  auto& s = scratch();
  auto filtered = set_filter(d, request, parsed.attributes, s);
  response.context = std::move(filtered.context);
  auto options = plan_options(request, so, started);
  options.analyzer = &d.analyzer_for(filtered.language);  // the one language kept to, if any
  options.all_languages = filtered.language.empty();
  const Plan plan = make_plan(index, parsed, options);


  // Scorer: the records matching every required word (or, relaxed, some), scored by the weight
  // rules (match_kind, bm25f) as their postings are read.
  s.ensure(d.docs.size(), d.page_groups);
  Scorer scorer(index, plan);
  const Matches matches = match(index, plan, scorer, s);
  response.relaxed = !matches.all_match && !s.cands.empty();

  // The other ranking rules, in the order ranking_rules declares: over every candidate, then
  // with positions over the best ones.
  const RankingInput ranking{index, request, plan, matches, scorer, s};
  rank_candidates(ranking, s.cands);
  rerank_best(ranking, s.cands);

  // Collector: one result per page, the landing page pinned, the top start + num; exact total;
  // when asked, each returned page's best other sections.
  const Collected top = collect(index, request, s);
  response.total = top.total;
  response.facets = std::move(top.facets);

  // The returned page: stored fields, highlights and snippets for its results (and their
  // sub-results) only.
  const std::span<const Candidate> page(s.ranked.begin() + std::min(top.start, s.ranked.size()), s.ranked.end());
  if (bare_docs) bare_results(index, page, response.results, *bare_docs);
  else page_results(index, plan, scorer, request, page, top.sub, response.results);
  response.took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return response;
}

}  // namespace

SearchResponse search_index(const Index& index, const SearchRequest& request) {
  return search_impl(index, request, nullptr);
}

std::vector<Suggestion> suggest_index(const Index& index, const SuggestRequest& request) {
  const auto& d = index.data();
  std::vector<Suggestion> out;
  const std::size_t num = std::min<std::size_t>(request.num, limits::max_suggestions);
  if (num == 0) return out;
  auto tokens = d.analyzer.analyze(request.q);
  std::erase_if(tokens, [](const Token& t) { return t.kind == TokenKind::part || t.term.empty(); });
  if (tokens.empty()) return out;
  // Word completions of the last word, most frequent first, after the words before it (Chinese
  // and Japanese words the query wrote together stay together).
  std::string lead;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    const bool together = (tokens[i].kind == TokenKind::cjk || tokens[i + 1].kind == TokenKind::cjk) &&
                          tokens[i].offset + tokens[i].length == tokens[i + 1].offset;
    lead += tokens[i].term + (together ? "" : " ");
  }
  auto [lo, hi] = index.prefix_range(tokens.back().term);
  std::vector<std::uint32_t> ids;
  for (auto id = lo; id < hi; ++id) ids.push_back(id);
  const std::size_t words = std::min(ids.size(), (num + 1) / 2);
  std::partial_sort(ids.begin(), ids.begin() + words, ids.end(),
                    [&](auto a, auto b) { return d.term_df[a] != d.term_df[b] ? d.term_df[a] > d.term_df[b] : a < b; });
  for (std::size_t i = 0; i < words; ++i) out.push_back({lead + std::string(d.term(ids[i])), ""});
  // Titles of the best matching pages.
  SearchRequest sr;
  sr.q = request.q;
  sr.num = static_cast<std::uint32_t>(num * 2);
  sr.distinct = true;
  std::vector<std::uint32_t> docs;
  auto res = search_impl(index, sr, &docs);
  // Suggestions carry plain text: the stored title, not the highlighted one.
  for (std::size_t k = 0; k < docs.size() && out.size() < num; ++k) {
    const auto& r = d.docs[docs[k]];
    auto title = d.slice(r.type == DocumentType::page ? r.title : r.section_title);
    if (!title.empty()) out.push_back({std::string(title), res.results[k].url});
  }
  return out;
}

}  // namespace siteseek
