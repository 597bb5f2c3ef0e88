#pragma once
// Engine internals, shared by engine.cpp (search, publish, build) and engine_ops.cpp (reindex,
// snapshots). The set of sites is fixed at construction, so the map itself is never written
// after that: only each slot's index pointer changes, atomically.
#include <atomic>
#include <map>
#include <mutex>
#include <memory>
#include <string>

#include "siteseek/engine.hpp"
#include "siteseek/index.hpp"
#include "engine/result_cache.hpp"
#ifdef SITESEEK_WITH_REDIS
#include "siteseek/redisearch.hpp"
#include "siteseek/store.hpp"
#endif

namespace siteseek {

/// One site's current index. Readers load it atomically and keep their own reference, so a
/// publish never frees an index a search is still using.
struct SiteSlot {
  SiteSettings settings;
  std::atomic<std::shared_ptr<const Index>> index;
  /// Bumped after each publish (after the index is stored): cached answers carry the generation
  /// they were computed on, and one read before the index is never newer than that index.
  std::atomic<std::uint64_t> generation{0};
  std::mutex reindex_mutex;  ///< one reindex of a site at a time
};

struct Engine::Impl {
  explicit Impl(std::size_t cache_bytes) : cache(cache_bytes) {}

  AppSettings settings;
  std::map<std::string, std::unique_ptr<SiteSlot>, std::less<>> sites;
  std::string default_site;
  mutable ResultCache cache;
#ifdef SITESEEK_WITH_REDIS
  std::unique_ptr<RedisStore> store;  ///< storage = "redis": snapshots go to and come from Redis
  std::unique_ptr<RediSearchBackend> redisearch;  ///< backend = "redisearch": searches go there
#endif

  /// The slot of `name` (empty: the default site); throws UnknownSiteError.
  SiteSlot& slot(std::string_view name) const;
  struct Lookup;
  /// `request`'s site's current index and, when the result cache is on, its cached answer
  /// under ResultCache::key(site, request, key_args...) (defined and used in engine.cpp).
  template <class Request, class... KeyArgs>
  Lookup lookup(const Request& request, KeyArgs... key_args) const;
};

}  // namespace siteseek
