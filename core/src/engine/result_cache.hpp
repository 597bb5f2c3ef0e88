#pragma once
// The engine's cache of recent search responses, keyed by site and every field of the request.
// Entries carry the generation of the site's index they were computed on; a lookup under a newer
// generation misses, so a published index is never answered from the old one. Bounded in bytes,
// least recently used first out; split in shards, each behind its own mutex, which searches only
// try: a lookup or a store that finds its shard held by another thread (for the hash probe and
// splice it holds it) is a miss or is skipped, so a search never waits for another thread.
#include <array>
#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "siteseek/engine.hpp"
#include "siteseek/search.hpp"

namespace siteseek {

/// What the cache keeps of one answer. For Engine::search, the response; for search_json, which
/// never needs the results as objects, their JSON (append_json_head) and the response's total
/// and relaxed flag only (copying and freeing the results' strings costs a miss ~10 us).
struct CachedAnswer {
  SearchResponse response;
  std::string json_head;
  std::vector<Suggestion> suggestions;  ///< Engine::suggest's answers (a key of their own)
};

class ResultCache {
 public:
  /// max_bytes = 0: disabled (find misses without counting, insert drops).
  explicit ResultCache(std::size_t max_bytes);

  bool enabled() const noexcept { return max_bytes_ > 0; }

  /// The key of a request to `site` (the resolved site name, so "" and the default site share
  /// it); `json`: the answer kept as JSON (search_json), a separate entry from search()'s.
  static std::string key(std::string_view site, const SearchRequest& request, bool json);
  /// The key of a suggest request to `site`.
  static std::string key(std::string_view site, const SuggestRequest& request);

  /// The response stored for `key` on index generation `generation`, or null.
  std::shared_ptr<const CachedAnswer> find(const std::string& key, std::uint64_t generation);
  /// Store a response (replacing an older one under the same key), evicting the least recently
  /// used entries of its shard while the shard is over its share of the bound.
  void insert(std::string key, std::uint64_t generation, std::shared_ptr<const CachedAnswer> answer);
  /// Drop every entry of `site` (its index was replaced; they could never be hit again).
  void erase_site(std::string_view site);

  /// Whether an answer may be stored: not one whose search ran out of time (the next search may
  /// have the time), which is counted instead (ResultCacheStats::out_of_time).
  bool admits(bool out_of_time) noexcept {
    if (out_of_time) out_of_time_.fetch_add(1, std::memory_order_relaxed);
    return !out_of_time;
  }

  ResultCacheStats stats() const;

 private:
  friend struct ResultCacheTestAccess;  // tests/unit/engine/result_cache_test.cpp holds a shard's mutex
  struct Entry {
    std::string key;
    std::uint64_t generation;
    std::size_t bytes;
    std::shared_ptr<const CachedAnswer> answer;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> map;  // views into lru keys
    std::size_t bytes = 0;
  };
  static constexpr std::size_t shard_count = 16;

  Shard& shard_of(std::string_view key);
  static void erase(Shard& s, std::list<Entry>::iterator it);

  std::size_t max_bytes_;
  std::size_t shard_bytes_;
  std::array<Shard, shard_count> shards_;
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
  std::atomic<std::uint64_t> evictions_{0};
  std::atomic<std::uint64_t> busy_{0};
  std::atomic<std::uint64_t> out_of_time_{0};
};

}  // namespace siteseek
