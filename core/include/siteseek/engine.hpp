#pragma once
// The engine: every site's current index, searched lock-free, replaced atomically; sites added,
// changed and removed at run time. (The result cache's shards have mutexes that searches only
// try: a search never waits.) Storage, jobs and backends are the node's (siteseek/node.hpp).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "siteseek/curation.hpp"
#include "siteseek/ingest.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {

class Index;
class SegmentedIndex;
namespace detail {
struct CompiledRules;  ///< defined in core/src/search/curation_apply.hpp
}

/// A site's state as seen by /sites and health checks.
struct SiteStatus {
  std::string name;
  std::string url;
  bool has_index = false;
  std::uint64_t documents = 0;
  std::uint64_t terms = 0;
  std::uint64_t memory_bytes = 0;
  std::chrono::system_clock::time_point built_at{};
  std::uint32_t snapshot_version = 0;  ///< format version of the snapshot it came from or was saved as
  bool compact = false;                ///< its largest segment is compact (Index::compact)
};

/// The result cache's counters (AppSettings::result_cache_mb bounds it; 0 turns it off).
struct ResultCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t evictions = 0;  ///< entries dropped to stay under the bound
  std::uint64_t busy = 0;       ///< lookups (counted as misses too) and stores skipped: shard held by another thread
  /// Answers not stored because their search ran past the site's search.time_budget_ms (some
  /// words got no typo neighbours): many of them say the budget is short for this machine.
  std::uint64_t out_of_time = 0;
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;      ///< about: the responses' strings and their bookkeeping
  std::uint64_t max_bytes = 0;
};

/// What Engine::update did.
struct UpdateReport {
  std::uint64_t added = 0;     ///< records of the documents given
  std::uint64_t removed = 0;   ///< records deleted: those of the pages replaced or deleted
  std::uint64_t segments = 0;  ///< the site's segments after it (background merges join them)
  std::string site;            ///< Node::update_documents: the site's name (as resolved from a URL or "")
};

/// Holds sites -> current index. search() is thread-safe and never waits: not for a build, not
/// for publish() (which holds each result-cache shard while dropping the site's cached answers;
/// a search that finds its shard held skips the cache), not for another search, not for a site
/// being added or removed (the set of sites is replaced as a whole).
class Engine {
 public:
  explicit Engine(AppSettings settings);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// The settings in force, with the sites as they are now. Keep the pointer while using what
  /// it points to (`auto s = engine.settings(); for (auto& site : s->sites)`): a site change
  /// replaces the whole object.
  std::shared_ptr<const AppSettings> settings() const noexcept;
  /// The name of the site a request without one goes to ("" when there are no sites).
  std::string default_site() const;

  /// Add a site, or replace a site's settings. A changed site keeps serving its current index
  /// until the next publish (an index is built with the settings of its time); its cached answers
  /// are dropped. Throws ConfigError (key paths as in a settings file) when invalid.
  void put_site(SiteSettings site);
  /// Remove a site and its index; searches already running finish on it. Throws UnknownSiteError.
  void remove_site(const std::string& name);

  /// Search one site. Throws UnknownSiteError, RequestError; an unindexed site has no results.
  /// Repeated requests are answered from the result cache until the site's index is replaced
  /// (took_ms is then the lookup's time).
  SearchResponse search(const SearchRequest& request) const;
  /// search() written onto `out` as append_json writes it; a cached answer's JSON is reused,
  /// not written again. Returns the response's total.
  std::uint64_t search_json(const SearchRequest& request, std::string& out) const;
  /// Completions for a search box; repeats come from the result cache, as for search().
  std::vector<Suggestion> suggest(const SuggestRequest& request) const;

  /// What publish runs first under the lock updates and merges take (a node stores the index
  /// there, so that no update or merge is kept between that save and the publish): it returns
  /// the index to publish in its place, the same records as the store saved them (null: the one
  /// given). If it throws, nothing changes.
  using Keep = std::function<std::shared_ptr<const SegmentedIndex>()>;
  /// Replace a site's index atomically: searches in flight finish on the old one.
  void publish(const std::string& site, std::shared_ptr<const Index> index, const Keep& keep = {});
  /// Publish a site's index as segments (as load_segments read them), `keep` as above; their
  /// union dictionary is built afterwards on the merge thread (SegmentedIndex::build_dictionary).
  void publish(const std::string& site, std::shared_ptr<const SegmentedIndex> segments, const Keep& keep = {});
  /// How a site's segments are kept (a node's store): called with a site's next segments, one
  /// call at a time, before an update or a merge publishes them; returns them with their files
  /// set. An update whose keeper throws changes nothing and throws that; a merge whose keeper
  /// throws is dropped, and the site's merges wait for its next update (the engine serves what
  /// the store holds). None: nothing is kept.
  using SegmentKeeper = std::function<SegmentedIndex(const std::string& site, const SegmentedIndex& next)>;
  /// How a merged segment is written ahead of the keeper that keeps its merge (a node's store,
  /// Store::write_segment): called on the merge thread without the lock updates take, so that an
  /// update never waits for a merge's large write; returns the file the keeper is then to name
  /// ("" when it writes nothing), and may replace `merged` with what it wrote, opened (files
  /// storage: the file, mapped), which is then published instead of the segment built in memory.
  /// A merge whose writer throws is dropped, as above.
  using SegmentWriter = std::function<std::string(const std::string& site, std::shared_ptr<const Index>& merged)>;
  void set_keeper(SegmentKeeper keeper, SegmentWriter writer = {});
  /// A live update: `documents` replace every record of their pages (a page is its URL without
  /// fragment) and the pages at `deleted` (URLs) are removed, in the site's index as segments
  /// (siteseek/segments.hpp): the documents are built into a new segment with the index's own
  /// settings, and the change is searchable when this returns. A site without an index gets one
  /// of the documents. Background merges keep the segments few (SegmentedIndex::merge_candidate);
  /// they never block searches or updates, and stop when the engine is destroyed. The documents
  /// are checked as normalize_documents does (RequestError naming the first bad one).
  UpdateReport update(const std::string& site, std::vector<Document> documents, const std::vector<std::string>& deleted);
  /// The site's index as segments (null when it has none): a published index is one segment.
  std::shared_ptr<const SegmentedIndex> segments(const std::string& site) const;
  /// Off: after updates and merges, the union dictionary of a site's segments (with which a
  /// search looks each word up once, not segment by segment) is not built in the background,
  /// for a process that does not search (a one-shot `siteseek index`, which would otherwise
  /// wait for it before exiting). Searches are answered either way. On by default.
  void set_union_dictionaries(bool build) noexcept;
  /// Block until no merge is queued or running (tests and benchmarks).
  void wait_for_merges() const;
  /// The site's current index, or null when it has none yet (after live updates: its first
  /// segment; segments() has them all).
  std::shared_ptr<const Index> current(const std::string& site) const;
  std::vector<SiteStatus> sites() const;
  ResultCacheStats result_cache_stats() const;

  /// Replace a site's curation rules (siteseek/curation.hpp) atomically, in memory only (Node
  /// persists them): searches in flight finish with the old set, later ones (and no cached
  /// answer of before) see the new one. No reindexing: rules are applied at search time.
  /// Throws ConfigError naming the rule's field (validate_rules), UnknownSiteError.
  void set_rules(const std::string& site, std::vector<Rule> rules);
  /// A site's curation rules, in the order they were added (none: empty).
  std::vector<Rule> rules(const std::string& site) const;
  /// The site's rules compiled for `index` (its current one, current(site)), as its searches apply
  /// them (null: no rules or no index); compiled once per rule change or publish, then shared.
  /// For a backend searching the site elsewhere (RediSearchBackend::search) with the same rules.
  std::shared_ptr<const detail::CompiledRules> compiled_rules(const std::string& site,
                                                              const std::shared_ptr<const Index>& index) const;

  /// Build an index from documents with the site's analysis settings (does not publish).
  std::shared_ptr<const Index> build(const std::string& site, std::vector<Document> documents) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace siteseek
