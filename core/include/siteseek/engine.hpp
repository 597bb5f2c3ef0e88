#pragma once
// The engine: every configured site's current index, searched lock-free, replaced atomically.
// (The result cache's shards have mutexes that searches only try: a search never waits.)
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "siteseek/ingest.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {

class Index;

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
};

/// The result cache's counters (AppSettings::result_cache_mb bounds it; 0 turns it off).
struct ResultCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t evictions = 0;  ///< entries dropped to stay under the bound
  std::uint64_t busy = 0;       ///< lookups (counted as misses too) and stores skipped: shard held by another thread
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;      ///< about: the responses' strings and their bookkeeping
  std::uint64_t max_bytes = 0;
};

/// Holds sites -> current index. search() is thread-safe and never waits: not for a build, not
/// for publish() (which holds each result-cache shard while dropping the site's cached answers;
/// a search that finds its shard held skips the cache), not for another search.
/// The site settings it returns (settings().sites) live as long as the engine.
class Engine {
 public:
  explicit Engine(AppSettings settings);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const AppSettings& settings() const noexcept;

  /// Search one site. Throws UnknownSiteError, RequestError; an unindexed site has no results.
  /// Repeated requests are answered from the result cache until the site's index is replaced
  /// (took_ms is then the lookup's time). With backend = "redisearch" this asks RediSearch
  /// every time (a blocking call; RedisError when it is away).
  SearchResponse search(const SearchRequest& request) const;
  /// search() written onto `out` as append_json writes it; a cached answer's JSON is reused,
  /// not written again. Returns the response's total.
  std::uint64_t search_json(const SearchRequest& request, std::string& out) const;
  /// Completions for a search box; repeats come from the result cache, as for search().
  std::vector<Suggestion> suggest(const SuggestRequest& request) const;

  /// Replace a site's index atomically: searches in flight finish on the old one.
  void publish(const std::string& site, std::shared_ptr<const Index> index);
  /// The site's current index, or null when it has none yet.
  std::shared_ptr<const Index> current(const std::string& site) const;
  std::vector<SiteStatus> sites() const;
  ResultCacheStats result_cache_stats() const;

  /// Build an index from documents with the site's analysis settings (does not publish).
  std::shared_ptr<const Index> build(const std::string& site, std::vector<Document> documents) const;
  /// Ingest a site (its directory, else a crawl), build, publish and save the snapshot under
  /// data_dir. Leaves the current index untouched and throws when nothing could be indexed.
  IngestReport reindex(const std::string& site, const ProgressCallback& progress = {});
  /// A snapshot that was refused at load, and why.
  struct RefusedSnapshot {
    std::string site;
    std::string path;
    std::string reason;  ///< "snapshot data/x.snapshot is truncated (...)"
  };
  /// Load each site's snapshot from data_dir (or Redis) when present; returns the sites loaded.
  /// Stale temporary files of writers that died are removed. A truncated or corrupt snapshot
  /// throws SnapshotError, unless `refused` is given: then it is listed there, its site stays
  /// without an index, and the other sites still load.
  std::vector<std::string> load_snapshots(std::vector<RefusedSnapshot>* refused = nullptr);
  /// data_dir/<site>.snapshot
  std::string snapshot_path(const std::string& site) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace siteseek
