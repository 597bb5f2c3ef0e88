#pragma once
// What search_segments and suggest_segments share with searcher.cpp.
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "index/index_data.hpp"
#include "search/collect.hpp"
#include "search/curation_apply.hpp"
#include "search/lexicon.hpp"
#include "siteseek/search.hpp"

namespace siteseek {
class SegmentedIndex;
}

namespace siteseek::detail {

/// A search over segments. With `bare_docs`, results carry url, type and score only, and their
/// (segment, record) pairs go to `bare_docs`. `fields`: PlanOptions::fields. `rules`: the site's
/// curation rules compiled for each segment (empty: none). `pinned`: as search_index_with_rules.
SearchResponse search_segments_impl(const SegmentedIndex& index, const SearchRequest& request,
                                    std::vector<std::pair<std::size_t, std::uint32_t>>* bare_docs, std::uint8_t fields,
                                    const std::vector<const CompiledRules*>& rules = {}, std::size_t* pinned = nullptr);

struct Plan;

/// SearchRequest::explain, for the query `q`: its normalized form (`analyzer`'s, unless a rule
/// named it), the plan's optional words, and the rules: the synonym rules the plan fired, the
/// pins (with how many of `pinned` each placed), the landing page, the hides and boosts
/// (`touched`: per active hide, then boost, the records it touched).
SearchExplain explain_query(const ActiveRules& active, const Analyzer& analyzer, std::string_view q, const Plan& plan,
                            const std::vector<Collected::Pinned>& pinned, const std::vector<std::size_t>& touched);
/// SearchRequest::explain, for the result at `position` (record `doc` of `d`): the pin that
/// placed it (`pinned`, null: none), else the boosts that scored it.
std::vector<RuleEffect> explain_result(const ActiveRules& active, const Index::Data& d, std::uint32_t doc,
                                       const Collected::Pinned* pinned, std::size_t position);

/// A record whose stored title a suggestion shows.
struct TitleOf {
  const Index::Data* d;
  std::uint32_t doc;
};
/// Suggestions: the last word's completions from `lexicon`, then the titles of the best records
/// whose titles hold the words, found by `titles(request, fields, out)` (a search kept to those
/// fields, bare: its records' titles to `out`, in rank order). `out_of_time`, when given: whether
/// that search ran past its time budget (SearchResponse::out_of_time).
std::vector<Suggestion> suggest_with(const Analyzer& analyzer, Lexicon& lexicon, const SuggestRequest& request,
                                     const std::function<SearchResponse(const SearchRequest&, std::uint8_t, std::vector<TitleOf>&)>& titles,
                                     bool* out_of_time = nullptr);
/// suggest_index and suggest_segments, saying whether the titles' search ran out of time (the
/// engine does not cache such suggestions).
std::vector<Suggestion> suggest_index_timed(const Index& index, const SuggestRequest& request, bool* out_of_time);
std::vector<Suggestion> suggest_segments_timed(const SegmentedIndex& index, const SuggestRequest& request, bool* out_of_time);

}  // namespace siteseek::detail
