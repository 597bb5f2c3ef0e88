#pragma once
// The Collector: the ranked candidates become the results a request asks for (one per page when
// distinct, the landing page pinned first, the top start+num), the exact total, and, when asked,
// each returned page's other matching sections.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <span>
#include <vector>

#include "search/scratch.hpp"
#include "siteseek/index.hpp"
#include "siteseek/search.hpp"

namespace siteseek::detail {

/// The records listed under each result of the returned page (SearchRequest::sub_results): the
/// k-th result's are records[offset[k], offset[k + 1]), in rank order. Empty when not asked.
struct SubRanked {
  std::span<const Candidate> records;
  std::span<const std::uint32_t> offset;
  bool asked() const { return !offset.empty(); }
};

/// Where the returned page is, and how many results there are in all.
struct Collected {
  std::uint64_t total = 0;  ///< results after distinct, the pinned landing page included
  std::size_t start = 0;    ///< the page is `ranked` from here on (nothing when past its end)
  SubRanked sub;            ///< in `s.sub_ranked` and `s.sub_offset`
  std::vector<Facet> facets;  ///< SearchRequest::facets counted over every result
  /// The records pinned first, in order, and who pinned each: a curation rule (its index in
  /// CompiledRules::source) or, below 0, the landing page -1 - k (landing_pages[k]).
  struct Pinned {
    std::uint32_t doc;
    std::int64_t by;
  };
  std::vector<Pinned> pinned;
};

struct ActiveRules;

/// Collects `s.cands` (scored by the ranking rules) into `s.ranked`: the best `start + num`
/// (at most limits::max_results_window) in rank order. With request.sub_results, results are
/// distinct by page and each returned one gets its page's best other section records (at most
/// sub_results, at most limits::max_sub_results) in `s.sub_ranked`: the records of that page a
/// search without distinct would rank, in its order. RequestError "invalid_parameter" for
/// sub_results with distinct = false. Records `s.allows` refuses are never pinned. Facet counts
/// go over every result before the top is cut. `s.cands` is left unspecified. `active`: the
/// curation pins (and hides, which a pin never overrides) this query fires; null: none.
/// What a search over segments asks of each segment's collect.
struct CollectOptions {
  /// Every value of a facet, not the most frequent limits::max_facet_values (summed over segments).
  bool every_facet_value = false;
  /// The landing page to pin, landing_pages[k], decided for the whole site (-1: none); unset: this
  /// index's first whose query fires.
  std::optional<std::int64_t> landing;
};
Collected collect(const Index& index, const SearchRequest& request, Scratch& s, const ActiveRules* active = nullptr,
                  const CollectOptions& options = {});
/// The landing page the query fires (landing_pages[k], its record in `d`): the first whose page
/// `d` has, or k -1.
std::pair<std::int64_t, std::size_t> landing_page(const Index::Data& d, const SearchRequest& request, const ActiveRules* active);

}  // namespace siteseek::detail
