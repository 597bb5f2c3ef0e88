#pragma once
// The Collector: the ranked candidates become the results a request asks for (one per page when
// distinct, the landing page pinned first, the top start+num) and the exact total.
#include <cstddef>
#include <cstdint>

#include "search/scratch.hpp"
#include "siteseek/index.hpp"
#include "siteseek/search.hpp"

namespace siteseek::detail {

/// Where the returned page is, and how many results there are in all.
struct Collected {
  std::uint64_t total = 0;  ///< results after distinct, the pinned landing page included
  std::size_t start = 0;    ///< the page is `ranked` from here on (nothing when past its end)
};

/// Collects `s.cands` (scored by the ranking rules) into `s.ranked`: the best `start + num`
/// (at most limits::max_results_window) in rank order. `s.cands` is left unspecified.
Collected collect(const Index& index, const SearchRequest& request, Scratch& s);

}  // namespace siteseek::detail
