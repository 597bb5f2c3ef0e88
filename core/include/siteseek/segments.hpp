#pragma once
// A site's index as segments: immutable indexes in order, each with the records deleted from it
// since it was built. A search over them gives what one index of their live records (built in
// the same order) gives: every word is expanded against the union of their dictionaries, and the
// collection statistics (document frequencies, the number of records, average field lengths) are
// over all of them, net of deletions.
#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "siteseek/index.hpp"
#include "siteseek/search.hpp"

namespace siteseek {

namespace detail {
struct Deletions;  ///< defined in core/src/index/segments.hpp
}

class SegmentedIndex {
 public:
  /// One segment: an index and what has been deleted from it (null: nothing).
  struct Segment {
    std::shared_ptr<const Index> index;
    std::shared_ptr<const detail::Deletions> deleted;
  };
  /// Segments in order; all built with the same site settings. Throws std::invalid_argument when
  /// empty or holding a null index.
  explicit SegmentedIndex(std::vector<std::shared_ptr<const Index>> segments);
  explicit SegmentedIndex(std::vector<Segment> segments);

  const std::vector<Segment>& segments() const noexcept { return segments_; }
  /// Records not deleted, over all segments.
  std::uint64_t live_documents() const noexcept;
  /// Whether record `doc` of segment `segment` is deleted.
  bool deleted(std::size_t segment, std::uint32_t doc) const noexcept;
  /// A copy with these records of segment `segment` deleted too (records deleted already are
  /// left as they are). Their terms are found again from their stored text, so that the
  /// document frequencies leave them out. Throws std::out_of_range for a record it does not have.
  SegmentedIndex with_deleted(std::size_t segment, const std::vector<std::uint32_t>& docs) const;
  /// The records of the page at `url` (fragment ignored) in each segment, live ones only:
  /// (segment, record) pairs in order.
  std::vector<std::pair<std::size_t, std::uint32_t>> page_records(std::string_view url) const;
  /// Average token positions per field of the live records, [page, section][field] (at least 1),
  /// as one index of them computes its BM25F length normalisation: what a new segment is built
  /// with (IndexBuilder::set_length_averages) so that its scores are those of one index.
  std::array<std::array<double, field_count>, 2> length_averages() const;

 private:
  std::vector<Segment> segments_;
};

/// Search every segment as one index (search_index's answer for one index of the live records).
SearchResponse search_segments(const SegmentedIndex& index, const SearchRequest& request);
/// Completions as suggest_index gives them for one index of the live records.
std::vector<Suggestion> suggest_segments(const SegmentedIndex& index, const SuggestRequest& request);

}  // namespace siteseek
