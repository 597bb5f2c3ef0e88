#pragma once
// Engine internals. The sites are an immutable map swapped as a whole (put_site, remove_site):
// a search loads the map once and keeps it, so a site removed meanwhile stays valid until the
// search ends. Within a slot only the index pointer changes, atomically.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "siteseek/engine.hpp"
#include "siteseek/index.hpp"
#include "siteseek/segments.hpp"
#include <thread>
#include "engine/result_cache.hpp"
#include "search/curation_apply.hpp"

namespace siteseek {

/// One site's current index. Readers load it atomically and keep their own reference, so a
/// publish never frees an index a search is still using.
struct SiteSlot {
  explicit SiteSlot(SiteSettings s) : settings(std::move(s)) {}
  const SiteSettings settings;
  std::atomic<std::shared_ptr<const Index>> index;
  /// The index as segments, stored before `index` (its first segment) at each change; null
  /// until the site has an index.
  std::atomic<std::shared_ptr<const SegmentedIndex>> segments;
  /// Set at each publish from the engine's counter (after the index is stored), so generations
  /// never repeat, not even for a site removed and added again: cached answers carry the
  /// generation they were computed on, and one read before the index is never newer than it.
  std::atomic<std::uint64_t> generation{0};
  /// The site's curation rules (null: none), stored before the generation is bumped; and the
  /// last set compiled against an index (made again by the first search after either changes).
  std::atomic<std::shared_ptr<const std::vector<Rule>>> rules;
  mutable std::atomic<std::shared_ptr<const detail::CompiledRules>> compiled;
  /// The rules compiled for `index` (null: none).
  std::shared_ptr<const detail::CompiledRules> rules_for(const std::shared_ptr<const Index>& index) const;
  /// The rules compiled for each segment (empty: none), kept for the segments that stay.
  struct SegmentRules {
    std::shared_ptr<const std::vector<Rule>> source;
    std::vector<std::shared_ptr<const detail::CompiledRules>> compiled;
  };
  mutable std::atomic<std::shared_ptr<const SegmentRules>> segment_rules;
  std::shared_ptr<const SegmentRules> rules_for(const SegmentedIndex& index) const;
};

/// Whether a site's segments need the search over segments (else its one index is searched).
inline bool several(const SegmentedIndex* s) {
  return s && (s->segments().size() > 1 || s->segments().front().deleted);
}

/// The sites at one moment: never changed once published.
struct SiteSet {
  std::shared_ptr<const AppSettings> settings;
  std::map<std::string, std::shared_ptr<SiteSlot>, std::less<>> slots;
  std::string default_site;  ///< settings->default_site, else the first site

  /// The slot of `name` (empty: the default site); throws UnknownSiteError.
  SiteSlot& slot(std::string_view name) const;
};

struct Engine::Impl {
  explicit Impl(std::size_t cache_bytes) : cache(cache_bytes) {}

  std::atomic<std::shared_ptr<const SiteSet>> sites;
  std::mutex change_mutex;  ///< one put_site/remove_site at a time (readers never take it)
  std::atomic<std::uint64_t> generations{0};
  mutable ResultCache cache;

  // Background merges and union dictionaries: one thread, started by the first request, joined
  // at destruction. Each queued site with whether to merge it (an update's) or only to build
  // its union dictionary (an index published whole or read from a store, which another process
  // merges).
  mutable std::mutex merge_mutex;
  mutable std::condition_variable merge_cv, merge_idle;
  std::deque<std::pair<std::string, bool>> merge_queue;
  bool merging = false;
  std::atomic<bool> stopping{false};
  std::thread merger;
  Engine::SegmentKeeper keeper;  ///< set before any update; called under change_mutex
  Engine::SegmentWriter writer;  ///< set with the keeper; called by merges without any lock
  std::atomic<bool> union_dictionaries{true};  ///< built in the background (set_union_dictionaries)
  void request_merge(const std::string& site, bool merge = true);
  void merge_loop();
  void merge_site(const std::string& site, bool merge);
  /// Store a site's new segments (and their first as its index), bump its generation, drop its
  /// cached answers. Under change_mutex.
  void store(SiteSlot& slot, std::shared_ptr<const SegmentedIndex> segments);

  std::shared_ptr<const SiteSet> current_sites() const { return sites.load(std::memory_order_acquire); }
  /// Publish a new site set made from `settings`, keeping the slots of `keep` (by name).
  void install(AppSettings settings, const SiteSet* keep, std::string_view changed = {});
  struct Lookup;
  /// A search of several sites (SearchRequest::site = "a,b").
  SearchResponse search_sites(const SearchRequest& request) const;
  /// `request`'s site's current index and, when the result cache is on, its cached answer
  /// under ResultCache::key(site, request, key_args...) (defined and used in engine.cpp).
  template <class Request, class... KeyArgs>
  Lookup lookup(const Request& request, KeyArgs... key_args) const;
};

}  // namespace siteseek
