#pragma once
// The returned page: results built from the collected candidates. Stored fields, highlights and
// snippets are read here and nowhere earlier, for the page's results only.
#include <cstdint>
#include <span>
#include <vector>

#include "search/collect.hpp"
#include "search/plan.hpp"
#include "search/score.hpp"
#include "siteseek/index.hpp"
#include "siteseek/search.hpp"

namespace siteseek::detail {

/// Results with url, type and score only (no highlights, no snippets), their records' ids in
/// `docs` (suggest reads their stored titles).
void bare_results(const Index& index, std::span<const Candidate> ranked, std::vector<SearchResult>& out,
                  std::vector<std::uint32_t>& docs);

/// Full results: title and section title highlighted, hierarchy, and the body's snippet around
/// the most query words (their positions come from the Scorer's hits). When `sub` was asked,
/// each result's sub_results: its records' section titles highlighted, URLs, shorter snippets.
void page_results(const Index& index, const Plan& plan, Scorer& scorer, const SearchRequest& request,
                  std::span<const Candidate> ranked, const SubRanked& sub, std::vector<SearchResult>& out);

}  // namespace siteseek::detail
