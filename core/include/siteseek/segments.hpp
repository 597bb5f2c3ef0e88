#pragma once
// A site's index as segments: immutable indexes in order, each with the records deleted from it
// since it was built. A search over them gives what one index of their live records (built in
// the same order) gives: every word is expanded against the union of their dictionaries, and the
// collection statistics (document frequencies, the number of records, average field lengths) are
// over all of them, net of deletions.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "siteseek/index.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {

struct LengthTotals;  ///< defined in core/src/index/index_data.hpp
namespace detail {
struct Deletions;      ///< defined in core/src/index/segments.hpp
class SegmentTotals;  ///< defined in core/src/index/segments.hpp
struct UnionDictionary;  ///< defined in core/src/index/segments.hpp
struct DictionarySlot;   ///< defined in core/src/index/segments.hpp
}

class SegmentedIndex {
 public:
  /// One segment: an index and what has been deleted from it (null: nothing).
  struct Segment {
    std::shared_ptr<const Index> index;
    std::shared_ptr<const detail::Deletions> deleted;
    /// The file save_segments wrote it to or load_segments read it from (name only; empty: not
    /// saved): a save writes only the segments without one.
    std::string file;
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

  /// The index after a change: `documents` replace every record of their pages (a page is its
  /// URL without fragment), and the pages at `deleted` (URLs, fragment ignored) are removed. The
  /// documents become a new last segment, built with the length averages of the live records
  /// with them. `changed`, when given, gets the records deleted (replaced ones included).
  /// Throws as IndexBuilder does.
  SegmentedIndex updated(const SiteSettings& site, std::vector<Document> documents, const std::vector<std::string>& deleted,
                         std::uint64_t* removed = nullptr) const;
  /// The segments a merge should join now, [first, last), or first == last when none: from the
  /// oldest segment holding at most twice the live records of all the segments after it (so each
  /// holds more than twice what follows it, and they stay few: about log2 of the records), or
  /// from the first segment most of whose records are deleted, or whose length averages drifted
  /// by more than max_length_drift, or past max_segments, to the last.
  std::pair<std::size_t, std::size_t> merge_candidate() const;
  /// One index of the live records of segments [first, last), in order, built with this index's
  /// length averages (the records read back: Index::document). As long as a build: run it apart
  /// from searches and updates. `cancel`, when set while it runs, stops it (BuildCancelled).
  std::shared_ptr<const Index> merge_build(std::size_t first, std::size_t last, const SiteSettings& site,
                                           const std::atomic<bool>* cancel = nullptr) const;
  /// This index with segments [first, last) replaced by `merged`, which merge_build made from
  /// `from` (an earlier state of this index: the same segments, fewer deletions and maybe fewer
  /// segments after them). Records deleted since `from` are deleted from `merged` too.
  /// `file`: where a store already wrote `merged` (Store::write_segment), else empty.
  SegmentedIndex with_merged(const SegmentedIndex& from, std::size_t first, std::size_t last,
                             std::shared_ptr<const Index> merged, std::string file = {}) const;

  /// What a store that numbers the versions of a site's index (Redis) calls the stored state
  /// this index is, or was changed from: updates and merges carry it, so that the store can
  /// refuse to keep a change made on top of a state that is no longer the stored one. Empty:
  /// none (files, memory).
  const std::string& stored_version() const noexcept { return stored_version_; }
  /// A copy naming `version` as its stored state.
  SegmentedIndex with_stored_version(std::string version) const;
  /// A copy in which every segment without a file has a new one, `<name>.<16 hex digits>.segment`.
  SegmentedIndex with_new_files(const std::string& name) const;
  /// A copy with no files and no stored version: saved again whole by the next save_updates
  /// (after the store lost what it held).
  SegmentedIndex as_unsaved() const;

  /// One segment as a manifest names it (save_segments' format).
  struct ManifestEntry {
    std::string file;
    std::uint64_t records = 0;
    std::int64_t built_at = 0;  ///< Index::built_at in nanoseconds since the epoch
    std::vector<std::uint32_t> deleted;
  };
  /// The index a manifest describes: each segment taken from `have` when it holds that file with
  /// the same records and build time (nothing read; its deletions and totals kept), else opened
  /// by `open`; then the manifest's deletions applied. Throws SnapshotError naming `source` when
  /// an opened segment is not the one named, std::out_of_range for a deleted record it lacks.
  static SegmentedIndex from_manifest(const std::vector<ManifestEntry>& entries, const SegmentedIndex* have,
                                      const std::function<std::shared_ptr<const Index>(const ManifestEntry&)>& open,
                                      const std::string& source);

  /// Build the union of the segments' dictionaries, which searches then expand each word against
  /// once instead of once per segment (the same answers, sooner), when there are several
  /// segments holding at most union_dictionary_terms terms in all (a larger site's segments are
  /// searched each on its own). About as long as reading those terms: the engine runs it on its
  /// merge thread after an update and after publishing segments. Copies with the same segments
  /// share it; searches before it is built expand per segment.
  void build_dictionary() const;
  /// The union dictionary when built, else null.
  std::shared_ptr<const detail::UnionDictionary> dictionary() const noexcept;
  /// The most terms, over all segments, for which build_dictionary builds a union.
  static constexpr std::uint64_t union_dictionary_terms = 1'000'000;

  /// Segments past which merge_candidate merges the newest ones whatever their sizes.
  static constexpr std::size_t max_segments = 32;
  /// How far (relative) a segment's average field lengths may drift from its site's before
  /// merge_candidate has it built again: its records' scores differ from one index's by about
  /// that much until then.
  static constexpr double max_length_drift = 0.01;

 private:
  /// The lengths of the live records of every segment.
  LengthTotals live_totals() const;
  friend SegmentedIndex save_segments(const SegmentedIndex& index, const std::string& dir, const std::string& name,
                                      const std::vector<std::string>& keep_files);
  std::vector<Segment> segments_;
  /// Per segment: all its records' lengths (its deleted ones' are in its Deletions).
  std::vector<std::shared_ptr<const detail::SegmentTotals>> totals_;
  std::string stored_version_;
  /// The union dictionary of these segments (a fresh slot whenever the segments change).
  std::shared_ptr<detail::DictionarySlot> dictionary_;
};

/// The name of a site's whole snapshot, in a data_dir and as a manifest names it: "<name>.snapshot".
std::string snapshot_file(const std::string& name);
/// A new segment file name of a site: "<name>.<16 random hex digits>.segment".
std::string new_segment_file(const std::string& name);
/// The manifest of `index`, whose segments all have files (with_new_files): JSON text listing
/// each segment's file, records, build time and deleted records.
std::string segment_manifest(const SegmentedIndex& index);
/// A manifest's segments, checked for form (each file `<name>.snapshot` or a segment file of
/// `name`). Throws SnapshotError naming `source` when it is not a manifest.
std::vector<SegmentedIndex::ManifestEntry> parse_segment_manifest(std::string_view text, const std::string& name,
                                                                  const std::string& source);

/// Save a site's segments in `dir`: one snapshot file per segment not saved yet
/// (`<name>.<16 hex digits>.segment`, each written and synced on its own), then the manifest
/// `<name>.segments` (each segment's file, build time and deleted records), replaced in one
/// rename: after a crash the old set or the new one is there, whole. A segment saved before is not
/// written again, and a first segment that the site's snapshot `<name>.snapshot` holds (same build
/// time and records) is named, not copied. Then the files of `name` the manifest does not name are
/// removed (the snapshot too, once a merge took its records), but for `keep_files` (segments
/// written ahead of the save that will name them, Store::write_segment). Returns the index with
/// its segments' files set. Throws IoError.
SegmentedIndex save_segments(const SegmentedIndex& index, const std::string& dir, const std::string& name,
                             const std::vector<std::string>& keep_files = {});
/// After `<name>.snapshot` was saved whole: remove the manifest and the segment files of `name`
/// (the snapshot stays). Throws IoError.
void remove_segments(const std::string& dir, const std::string& name);
/// Open what save_segments saved: each segment mapped as load_snapshot maps it, its deletions
/// applied. Nothing when there is no manifest, or when it is older than the site's snapshot (it
/// names `<name>.snapshot` with another build time: a whole save stopped before removing it).
/// Throws SnapshotError naming the manifest or the segment file when one is corrupt, truncated or
/// missing, IoError when one cannot be read.
std::optional<SegmentedIndex> load_segments(const std::string& dir, const std::string& name, const SiteSettings& site);
/// Rewrite in the current format (upgrade_snapshot) each file the manifest `<name>.segments` in
/// `dir` names, in place; the manifest stays as it is (an upgrade keeps each file's records and
/// build time, which is what it names them by). Returns each file's path with the version it
/// had. Throws IoError when there is no manifest or it cannot be read, SnapshotError naming it
/// when it is not one, and what upgrade_snapshot throws for a file.
std::vector<std::pair<std::string, std::uint32_t>> upgrade_segments(const std::string& dir, const std::string& name,
                                                                    const SiteSettings& site);

/// Search every segment as one index (search_index's answer for one index of the live records).
SearchResponse search_segments(const SegmentedIndex& index, const SearchRequest& request);
/// Completions as suggest_index gives them for one index of the live records.
std::vector<Suggestion> suggest_segments(const SegmentedIndex& index, const SuggestRequest& request);

}  // namespace siteseek
