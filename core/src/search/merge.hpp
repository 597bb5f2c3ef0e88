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
/// start + num, in the request's order of sites: first each site's pinned results (`pinned[i]`:
/// how many of answer i's results lead because a pin or landing page placed them; none when
/// missing), site after site in their order; then the results of sites that matched every word
/// (a relaxed site's after), by score, each carrying its site; the [start, start + num) of them;
/// totals summed; facet counts summed per value; contexts joined.
SearchResponse merge_responses(std::vector<std::pair<std::string, SearchResponse>> answers, std::uint32_t start,
                               std::uint32_t num, const std::vector<std::size_t>& pinned = {});

}  // namespace siteseek::detail
