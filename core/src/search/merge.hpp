#pragma once
// Several sites in one search (SearchRequest::site = "a,b"): each site's answer, merged into one.
#include <string>
#include <utility>
#include <vector>

#include "siteseek/search.hpp"

namespace siteseek::detail {

/// Puts a facet's values in answer order, most frequent first and then by value, and leaves
/// out those past limits::max_facet_values, adding them to `more`.
void order_facet(Facet& facet);

/// One answer from each site's answer to the same request asked with start 0 and num =
/// start + num: the results of sites that matched every word first (a relaxed site's after),
/// then by score, each carrying its site; the [start, start + num) of them; totals summed; facet
/// counts summed per value; contexts joined.
SearchResponse merge_responses(std::vector<std::pair<std::string, SearchResponse>> answers, std::uint32_t start,
                               std::uint32_t num);

}  // namespace siteseek::detail
