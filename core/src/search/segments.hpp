#pragma once
// What search_segments and suggest_segments share with searcher.cpp.
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "index/index_data.hpp"
#include "search/lexicon.hpp"
#include "siteseek/search.hpp"

namespace siteseek {
class SegmentedIndex;
}

namespace siteseek::detail {

/// A search over segments. With `bare_docs`, results carry url, type and score only, and their
/// (segment, record) pairs go to `bare_docs`. `fields`: PlanOptions::fields.
SearchResponse search_segments_impl(const SegmentedIndex& index, const SearchRequest& request,
                                    std::vector<std::pair<std::size_t, std::uint32_t>>* bare_docs, std::uint8_t fields);

/// A record whose stored title a suggestion shows.
struct TitleOf {
  const Index::Data* d;
  std::uint32_t doc;
};
/// Suggestions: the last word's completions from `lexicon`, then the titles of the best records
/// whose titles hold the words, found by `titles(request, fields, out)` (a search kept to those
/// fields, bare: its records' titles to `out`, in rank order).
std::vector<Suggestion> suggest_with(const Analyzer& analyzer, Lexicon& lexicon, const SuggestRequest& request,
                                     const std::function<SearchResponse(const SearchRequest&, std::uint8_t, std::vector<TitleOf>&)>& titles);

}  // namespace siteseek::detail
