#pragma once
// What a segment of a SegmentedIndex has lost to deletions (siteseek/segments.hpp): the records,
// and what they took from the collection statistics.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include "index/index_data.hpp"

namespace siteseek::detail {

/// A segment's records' lengths summed, read from its records the first time they are asked
/// for (by an update or a merge): publishing an index opened from a snapshot does not read all of
/// its records.
class SegmentTotals {
 public:
  explicit SegmentTotals(const Index& index) : index_(&index) {}
  const LengthTotals& get() const {
    std::call_once(once_, [this] {
      const auto& d = index_->data();
      for (std::uint32_t doc = 0; doc < d.docs.size(); ++doc) totals_.add(d.record(doc));
    });
    return totals_;
  }

 private:
  const Index* index_;  // the segment's, which every SegmentedIndex holding these totals holds
  mutable std::once_flag once_;
  mutable LengthTotals totals_;
};

struct Deletions {
  std::vector<std::uint64_t> bits;  ///< a bit per record of the segment
  std::uint32_t records = 0;        ///< bits set
  /// (term, deleted records holding it), ascending by term: the segment's term_df less these
  /// is what its live records hold.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> df;
  LengthTotals lengths;  ///< of the deleted records

  bool has(std::uint32_t doc) const noexcept { return doc / 64 < bits.size() && (bits[doc / 64] >> (doc % 64) & 1); }
  std::uint32_t df_of(std::uint32_t term) const noexcept {
    const auto it = std::lower_bound(df.begin(), df.end(), term, [](const auto& p, std::uint32_t t) { return p.first < t; });
    return it != df.end() && it->first == term ? it->second : 0;
  }
};

/// The union of a site's segments' dictionaries: a search expands each word once against it (a
/// prefix range, one typo walk, one lookup) instead of once per segment (search/lexicon.hpp).
/// Deletions do not change it: a term's live frequency is still summed per segment at search.
struct UnionDictionary {
  /// Only its term tables: the texts, their frequencies over every record (deleted ones too),
  /// their flags (term_no_typo only where every segment holding the term says so, as a typo
  /// lookup in each would find it), and the tables for lookups and typo walks.
  std::shared_ptr<const Index> terms;
  /// [segment][union id]: the term's id in that segment, or -1.
  std::vector<std::vector<std::int32_t>> local;
  /// The union of `segments`' dictionaries, in their order.
  static std::shared_ptr<const UnionDictionary> build(std::span<const Index* const> segments);
  /// The union of `base`'s segments and one more after them: one pass over both (an update
  /// adds its segment so).
  static std::shared_ptr<const UnionDictionary> extend(const UnionDictionary& base, const Index& added);
};

/// Where a SegmentedIndex keeps its union dictionary once built: shared by the copies that have
/// the same segments (deletions, files and stored versions aside).
struct DictionarySlot {
  std::atomic<std::shared_ptr<const UnionDictionary>> built;
  std::mutex building;  ///< one build at a time
  /// The union of all segments but the last, when built: what build_dictionary extends by the
  /// last segment instead of merging all of them again (dropped once used).
  std::shared_ptr<const UnionDictionary> base;
};

}  // namespace siteseek::detail
