// The search, phase by phase: Query (parse) -> Weight (plan: every word expanded once) -> Scorer
// (match: postings into scored candidates) -> ranking rules (rules.hpp, in their declared order)
// -> Collector (distinct, pins, top start+num) -> the returned page (stored fields, highlights and
// snippets for its results only). Each phase is a file of its own; this one only sequences them.
#include <algorithm>
#include <chrono>
#include <span>

#include "common/number_text.hpp"
#include "index/index_data.hpp"
#include "search/collect.hpp"
#include "search/curation_apply.hpp"
#include "search/filter.hpp"
#include "search/page.hpp"
#include "search/plan.hpp"
#include "search/query_parser.hpp"
#include "search/rules.hpp"
#include "search/score.hpp"
#include "search/segments.hpp"
#include "siteseek/limits.hpp"
#include "siteseek/search.hpp"

namespace siteseek {

using namespace detail;

namespace {

std::string quoted(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += std::string(out.empty() ? "\"" : ", \"") + w + "\"";
  return out;
}

std::string pinned_effect(std::size_t position) { return std::string("pinned at position ") + std::to_string(position + 1); }

std::vector<RuleEffect> explain_rules(const ActiveRules& active, const std::vector<std::uint32_t>& fired,
                                      const std::vector<Collected::Pinned>& pinned, const std::vector<std::size_t>& touched) {
  std::vector<RuleEffect> out;
  const std::vector<Rule>* source = active.rules ? active.rules->source.get() : nullptr;
  auto effect_of = [&](std::uint32_t rule, std::string effect) {
    const auto& r = (*source)[rule];
    return RuleEffect{r.id, std::string(rule_kind_name(r.kind)), std::move(effect)};
  };
  for (const auto rule : fired) {
    const auto& r = (*source)[rule];
    out.push_back(effect_of(rule, r.kind == RuleKind::synonyms ? std::string("expanded the query with the group ") + quoted(r.synonyms)
                                                               : std::string("expanded \"") + r.from + std::string("\" with ") + quoted(r.to)));
  }
  for (const auto* p : active.pins) {
    std::size_t shown = 0;
    for (const auto& x : pinned) shown += x.by == p->rule ? 1 : 0;
    out.push_back(effect_of(p->rule, std::string("pinned ") + std::to_string(shown) + std::string(" of ") + std::to_string((*source)[p->rule].urls.size()) + " URLs"));
  }
  for (const auto& x : pinned)
    if (x.by < 0) out.push_back({std::string("landing_pages[") + std::to_string(-1 - x.by) + "]", "landing_page", "pinned the landing page"});
  for (std::size_t h = 0; h < active.hides.size(); ++h)
    out.push_back(effect_of(active.hides[h]->rule, std::string("removed ") + std::to_string(touched[h]) + " matching records"));
  for (std::size_t b = 0; b < active.boosts.size(); ++b) {
    const auto& r = (*source)[active.boosts[b]->rule];
    out.push_back(effect_of(active.boosts[b]->rule, std::string("multiplied the score of ") + std::to_string(touched[active.hides.size() + b]) +
                                                       std::string(" matching records by ") + detail::number_text(r.factor)));
  }
  return out;
}

}  // namespace

SearchExplain detail::explain_query(const ActiveRules& active, const Analyzer& analyzer, std::string_view q, const Plan& plan,
                                    const std::vector<Collected::Pinned>& pinned, const std::vector<std::size_t>& touched) {
  return {active.query.empty() ? normalize_query(analyzer, q) : active.query, plan.optional_words,
          explain_rules(active, plan.fired_rules, pinned, touched), plan.related};
}

std::vector<RuleEffect> detail::explain_result(const ActiveRules& active, const Index::Data& d, std::uint32_t doc,
                                               const Collected::Pinned* pinned, std::size_t position) {
  std::vector<RuleEffect> out;
  const std::vector<Rule>* source = active.rules ? active.rules->source.get() : nullptr;
  if (pinned) {
    // A pinned result's place is the pin's, whatever its score.
    if (pinned->by >= 0) {
      const auto& r = (*source)[static_cast<std::size_t>(pinned->by)];
      out.push_back({r.id, std::string(rule_kind_name(r.kind)), pinned_effect(position)});
    } else {
      out.push_back({std::string("landing_pages[") + std::to_string(-1 - pinned->by) + "]", "landing_page", pinned_effect(position)});
    }
    return out;
  }
  for (const auto* b : active.boosts)
    if (b->covers(d, doc)) {
      const auto& r = (*source)[b->rule];
      out.push_back({r.id, std::string(rule_kind_name(r.kind)), std::string("score multiplied by ") + detail::number_text(r.factor)});
    }
  return out;
}

namespace {

// SearchRequest::explain: the rules that fired for the query, then, per returned result, those
// that placed or scored it.
void explain(const Index& index, std::string_view q, const Plan& plan, const ActiveRules& active, const std::vector<std::size_t>& touched,
             const Collected& top, std::span<const Candidate> page, SearchResponse& response) {
  const auto& d = index.data();
  response.explain = explain_query(active, d.analyzer, q, plan, top.pinned, touched);
  for (std::size_t k = 0; k < page.size() && k < response.results.size(); ++k) {
    const std::size_t position = top.start + k;
    const bool is_pinned = position < top.pinned.size() && top.pinned[position].doc == page[k].doc;
    response.results[k].rules = explain_result(active, d, page[k].doc, is_pinned ? &top.pinned[position] : nullptr, position);
  }
}

// The search. With `bare_docs`, the results carry only url, type and score (no highlights, no
// snippets) and their document ids go to `bare_docs` (suggest reads their stored titles).
// `rules`: the site's curation rules (null: none). `fields`: PlanOptions::fields.
SearchResponse search_impl(const Index& index, const SearchRequest& request, std::vector<std::uint32_t>* bare_docs,
                           const CompiledRules* rules = nullptr, std::size_t* pinned = nullptr, std::uint8_t fields = 0) {
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
  options.rules = rules;
  options.fields = fields;
  const ActiveRules active = active_rules(rules, d, request.q);
  const Plan plan = make_plan(index, parsed, options);


  // Scorer: the records matching every required word (or, relaxed, some), scored by the weight
  // rules (match_kind, bm25f) as their postings are read.
  s.ensure(d.docs.size(), d.page_groups);
  Scorer scorer(index, plan);
  const Matches matches = match(index, plan, scorer, s);
  response.relaxed = !matches.all_match && !s.cands.empty();
  response.out_of_time = plan.out_of_time;

  // The other ranking rules, in the order ranking_rules declares: over every candidate, then
  // with positions over the best ones.
  const RankingInput ranking{index, request, plan, matches, scorer, s};
  rank_candidates(ranking, s.cands);
  rerank_best(ranking, s.cands);
  // Curation: hidden records leave (so totals and facets never count them), boosted ones have
  // their score multiplied.
  const auto touched = apply_hides_and_boosts(d, active, s.cands);

  // Collector: one result per page, the landing page pinned, the top start + num; exact total;
  // when asked, each returned page's best other sections.
  const Collected top = collect(index, request, s, &active);
  response.total = top.total;
  response.facets = std::move(top.facets);

  // The returned page: stored fields, highlights and snippets for its results (and their
  // sub-results) only.
  const std::span<const Candidate> page(s.ranked.begin() + std::min(top.start, s.ranked.size()), s.ranked.end());
  if (bare_docs) bare_results(index, page, response.results, *bare_docs);
  else page_results(index, plan, scorer, request, page, top.sub, response.results);
  if (request.explain && !bare_docs) explain(index, request.q, plan, active, touched, top, page, response);
  if (pinned) *pinned = top.pinned.size() > top.start ? std::min(top.pinned.size() - top.start, response.results.size()) : 0;
  response.took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return response;
}

}  // namespace

SearchResponse search_index(const Index& index, const SearchRequest& request) {
  return search_impl(index, request, nullptr);
}

SearchResponse detail::search_index_with_rules(const Index& index, const SearchRequest& request, const CompiledRules* rules,
                                               std::size_t* pinned) {
  return search_impl(index, request, nullptr, rules, pinned);
}

std::vector<Suggestion> detail::suggest_with(const Analyzer& analyzer, Lexicon& lex, const SuggestRequest& request,
                                             const std::function<SearchResponse(const SearchRequest&, std::uint8_t, std::vector<TitleOf>&)>& titles,
                                             bool* out_of_time) {
  if (out_of_time) *out_of_time = false;
  std::vector<Suggestion> out;
  const std::size_t num = std::min<std::size_t>(request.num, limits::max_suggestions);
  if (num == 0) return out;
  auto tokens = analyzer.analyze(request.q);
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
  for (const auto id : lex.top_completions(tokens.back().term, -1, (num + 1) / 2)) out.push_back({lead + std::string(lex.term(id)), ""});
  // Titles of the best matching pages among those whose title or section title holds the words
  // typed: a suggestion is a title that says what was typed. The records with a word only in
  // their body are left before they are scored (a common word is in most of a large site's
  // records, and a suggestion is asked for at every key press).
  SearchRequest sr;
  sr.q = request.q;
  sr.num = static_cast<std::uint32_t>(num * 2);
  sr.distinct = true;
  std::vector<TitleOf> docs;
  constexpr auto title_fields = static_cast<std::uint8_t>(1u << static_cast<unsigned>(Field::title) |
                                                          1u << static_cast<unsigned>(Field::section_title));
  auto res = titles(sr, title_fields, docs);
  if (out_of_time) *out_of_time = res.out_of_time;
  // Suggestions carry plain text: the stored title, not the highlighted one; a title shown
  // already (definitions of the same name in several classes) is not repeated.
  const std::size_t words_end = out.size();
  for (std::size_t k = 0; k < docs.size() && out.size() < num; ++k) {
    const auto& d = *docs[k].d;
    const auto& r = d.record(docs[k].doc);
    auto title = d.slice(r.type == DocumentType::page ? r.title : r.section_title);
    if (title.empty() || std::any_of(out.begin() + static_cast<std::ptrdiff_t>(words_end), out.end(),
                                     [&](const Suggestion& s) { return s.text == title; }))
      continue;
    out.push_back({std::string(title), res.results[k].url});
  }
  return out;
}

std::vector<Suggestion> detail::suggest_index_timed(const Index& index, const SuggestRequest& request, bool* out_of_time) {
  Lexicon lex(index);
  return suggest_with(
      index.data().analyzer, lex, request,
      [&](const SearchRequest& sr, std::uint8_t fields, std::vector<TitleOf>& titles) {
        std::vector<std::uint32_t> docs;
        auto res = search_impl(index, sr, &docs, nullptr, nullptr, fields);
        for (const auto doc : docs) titles.push_back({&index.data(), doc});
        return res;
      },
      out_of_time);
}

std::vector<Suggestion> suggest_index(const Index& index, const SuggestRequest& request) {
  return detail::suggest_index_timed(index, request, nullptr);
}

}  // namespace siteseek
