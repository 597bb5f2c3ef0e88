#pragma once
// The immutable in-memory index of one site: term dictionary (exact, prefix and typo lookup),
// postings with per-field term frequencies and positions, and the stored fields of every
// document. Built once by IndexBuilder, then shared read-only between any number of searches.
#include <array>
#include <atomic>
#include <exception>
#include <chrono>
#include <optional>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "siteseek/document.hpp"

namespace siteseek {

struct SiteSettings;
class Analyzer;

/// The indexed fields, in BM25F order. Hierarchy is stored but not indexed.
enum class Field : std::uint8_t { title = 0, section_title = 1, body = 2, url = 3 };
inline constexpr std::size_t field_count = 4;

/// Format version written into snapshots; a file of another version is refused.
inline constexpr std::uint32_t snapshot_format_version = 11;

/// A dictionary term found by a typo lookup, with its edit distance (Damerau, on bytes).
struct TypoMatch {
  std::uint32_t term = 0;
  std::uint8_t distance = 0;
  /// An identifier with punctuation, which only a lookup with `names` returns (no word's correction).
  bool name = false;
};

class Index {
 public:
  struct Data;  ///< the arrays; defined in core/src/index/index_data.hpp for the search module
  explicit Index(std::unique_ptr<Data> data);
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  /// Number of documents (pages and sections).
  std::uint32_t size() const noexcept;
  /// Number of distinct terms (surface forms, not counting stems).
  std::uint64_t term_count() const noexcept;
  /// Bytes of memory held: stored text, dictionary, postings and per-document tables (for an
  /// index opened from a snapshot, mostly the mapped file's pages, resident as they are read).
  std::uint64_t memory_bytes() const noexcept;
  /// memory_bytes() by part ("text", "postings", "positions", "records", "impacts", ...),
  /// largest first: what an index's bytes are spent on.
  std::vector<std::pair<std::string, std::uint64_t>> memory_parts() const;
  std::chrono::system_clock::time_point built_at() const noexcept;
  /// The site settings this index was built with (search reads options and weights from here).
  const SiteSettings& settings() const noexcept;
  /// The analyzer used at build time; queries must be analysed with the same one.
  const Analyzer& analyzer() const noexcept;
  /// Snapshot format version this index was loaded from or will be saved as.
  std::uint32_t snapshot_version() const noexcept;
  /// Whether it is compact: its bodies compressed and its postings packed (a site's
  /// compact_above_mb, docs/performance.md).
  bool compact() const noexcept;
  /// Key paths of the settings that shape an index (ingestion, analysis, static boosts; not
  /// weights, synonyms or search options, which are read at search time) whose value in `current`
  /// differs from the one this index was built with ("boosts.link_list"). Empty: up to date.
  std::vector<std::string> settings_changes(const SiteSettings& current) const;

  /// A stored document, materialised (for results and tests; not for hot loops). Built again, it
  /// gives the same index; its anchors come back as one text, joined by spaces. `with_body`
  /// false: its body is left empty (most of its bytes; body() reads it where it is needed).
  Document document(std::uint32_t doc, bool with_body = true) const;
  std::string_view url(std::uint32_t doc) const;
  std::string_view title(std::uint32_t doc) const;
  std::string_view section_title(std::uint32_t doc) const;
  std::string body(std::uint32_t doc) const;  ///< a copy: a large index keeps its bodies compressed
  DocumentType type(std::uint32_t doc) const;

  // --- term dictionary -----------------------------------------------------------------------
  /// The term with this id (ids are the sorted order of the dictionary).
  std::string_view term(std::uint32_t id) const;
  /// Documents containing the term.
  std::uint32_t doc_freq(std::uint32_t id) const;
  /// Exact lookup: the id of `term`, or -1.
  std::int64_t find(std::string_view term) const;
  /// Ids [first, last) of the terms starting with `prefix` (sorted order makes them contiguous).
  std::pair<std::uint32_t, std::uint32_t> prefix_range(std::string_view prefix) const;
  /// Terms within `max_edits` (1 or 2) of `word`, excluding the word itself, closest first and
  /// then by document frequency; at most `cap`. Walks the sorted dictionary as an implicit trie
  /// with a Damerau-Levenshtein row per node, pruning subtrees that cannot come within reach.
  /// With max_edits 2 the first byte must be right (that restriction keeps the walk small).
  /// Words are corrected to words; with `names`, also to identifiers with punctuation (marked
  /// TypoMatch::name), which words never correct to: what a name typed whole with a typo
  /// (wal_levl), or typed without its separators (sharedbuffers), is looked up among.
  std::vector<TypoMatch> typo_lookup(std::string_view word, unsigned max_edits, std::size_t cap, bool names = false) const;
  /// Ids of the terms whose stem is `stem` (the analyzer's stem of a folded word).
  std::vector<std::uint32_t> stem_variants(std::string_view stem) const;

  /// Check every checksum of an index opened from a snapshot now (load_snapshot checks its
  /// small tables at once and the rest at first use). Throws SnapshotError naming what is corrupt.
  void verify() const;

  const Data& data() const noexcept { return *data_; }

 private:
  std::unique_ptr<Data> data_;
};

/// What IndexBuilder::build throws when its cancel flag (set_cancel) was set: the build was
/// abandoned (a merge stopped at shutdown).
class BuildCancelled : public std::exception {
 public:
  const char* what() const noexcept override { return "index build cancelled"; }
};

/// Collects documents, analyses them with the site's analyzer and builds an Index. Above the
/// site's compact_above_mb of body text, the index is compact: its bodies compressed (zstd, in
/// blocks of 2 KiB, with a dictionary trained on them; each result's snippet decompresses a block
/// or two) and most postings entries packed into one byte (walked a little slower while they are
/// in the CPU's caches).
class IndexBuilder {
 public:
  explicit IndexBuilder(const SiteSettings& site);
  ~IndexBuilder();
  IndexBuilder(IndexBuilder&&) noexcept;
  IndexBuilder& operator=(IndexBuilder&&) noexcept;

  /// Add one document. Documents with an empty url are ignored.
  void add(Document document);
  /// Add many documents, as add() each; the vector's storage is taken over when the builder is
  /// empty (no copy, and not two vectors of every document at once).
  void add_all(std::vector<Document> documents);
  /// Documents added so far.
  std::size_t size() const noexcept;
  /// Threads that analyse documents during build() (0, the default: the CPUs this process may
  /// run on, at most 8; a number set here is not capped). Any number gives the same index; at
  /// least 256 documents go to each thread, so small builds use fewer.
  void set_threads(unsigned threads) noexcept;
  /// Normalise field lengths by these averages, [page, section][field], instead of the index's
  /// own: a segment built with its site's (SegmentedIndex::length_averages) scores as one index
  /// of the whole site would.
  void set_length_averages(const std::array<std::array<double, field_count>, 2>& averages);
  /// Normalise field lengths by the averages of the built records together with other records
  /// whose field lengths sum to `lengths` and which number `records` ([page, section] each): a
  /// segment added to a site, given the site's other live records, scores as one index would,
  /// from one build (its own lengths are known only once it is analysed).
  void set_other_lengths(const std::array<std::array<double, field_count>, 2>& lengths, const std::array<double, 2>& records);
  /// A flag that, set while build() runs, makes it stop and throw BuildCancelled.
  void set_cancel(const std::atomic<bool>* cancel) noexcept;
  /// Build the index; the builder is empty afterwards.
  std::shared_ptr<const Index> build();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Write an index to `path` as one versioned, checksummed file: written to a temporary file in
/// the same directory, fsynced, then renamed over `path`. Throws IoError.
void save_snapshot(const Index& index, const std::string& path);
/// Open a snapshot written by save_snapshot: the file is mapped and used in place, so opening
/// reads only its small tables (checked then); the stored text, the dictionary's texts and the
/// postings are checked a block at a time when a search first reads them, and a corrupt block
/// throws SnapshotError then.
/// The analyzer options come from the file; `site` supplies everything else (weights, search
/// options). Throws SnapshotError when the file is truncated, corrupt or of another version
/// (formats 5 to 8 name the upgrade command), IoError when it cannot be read.
std::shared_ptr<const Index> load_snapshot(const std::string& path, const SiteSettings& site);
/// How an index opened from a snapshot is served: when it takes at most `bytes`, it is checked
/// whole now (verify(); true); a larger one is left to be checked as it is read (false), or by
/// a background check (a node's).
bool verify_if_small(const Index& index, std::uint64_t bytes);
/// The snapshot file's bytes, for storage elsewhere than a file (Redis).
std::string snapshot_bytes(const Index& index);
/// Open snapshot bytes as load_snapshot does, but checked whole at once (the index keeps a copy
/// of them); `source` names where they came from in errors.
std::shared_ptr<const Index> snapshot_from_bytes(std::string_view bytes, const SiteSettings& site, const std::string& source);
/// The same, keeping `bytes` as the index's backing instead of a copy (when they are 8-byte
/// aligned, as a string's heap buffer is).
std::shared_ptr<const Index> snapshot_from_bytes(std::string&& bytes, const SiteSettings& site, const std::string& source);
/// Rewrite a snapshot of format 5 to 8 in the current format, in place (atomically); a current
/// one is only verified whole. Returns the version the file had. Throws SnapshotError for another
/// version or a corrupt file, IoError when it cannot be read or written.
std::uint32_t upgrade_snapshot(const std::string& path, const SiteSettings& site);

}  // namespace siteseek
