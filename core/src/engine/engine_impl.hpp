#pragma once
// Engine internals. The sites are an immutable map swapped as a whole (put_site, remove_site):
// a search loads the map once and keeps it, so a site removed meanwhile stays valid until the
// search ends. Within a slot only the index pointer changes, atomically.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "siteseek/engine.hpp"
#include "siteseek/index.hpp"
#include "engine/result_cache.hpp"
#include "search/curation_apply.hpp"

namespace siteseek {

/// One site's current index. Readers load it atomically and keep their own reference, so a
/// publish never frees an index a search is still using.
struct SiteSlot {
  explicit SiteSlot(SiteSettings s) : settings(std::move(s)) {}
  const SiteSettings settings;
  std::atomic<std::shared_ptr<const Index>> index;
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
};

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
