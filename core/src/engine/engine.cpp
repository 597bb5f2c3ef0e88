// The engine facade: sites -> current index, lock-free search, atomic publish, build.
#include "engine/engine_impl.hpp"

#include "siteseek/error.hpp"
#include "siteseek/search.hpp"
#include "search/response_json.hpp"

namespace siteseek {

SiteSlot& Engine::Impl::slot(std::string_view name) const {
  if (name.empty()) name = default_site;
  auto it = sites.find(name);
  if (it == sites.end()) {
    std::vector<std::string> known;
    for (const auto& [n, s] : sites) known.push_back(n);
    throw UnknownSiteError(std::string(name), std::move(known));
  }
  return *it->second;
}

Engine::Engine(AppSettings settings)
    : impl_(std::make_unique<Impl>(std::size_t{settings.result_cache_mb} << 20)) {
  impl_->settings = std::move(settings);
  for (const auto& site : impl_->settings.sites) {
    auto slot = std::make_unique<SiteSlot>();
    slot->settings = site;
    impl_->sites.emplace(site.name, std::move(slot));
  }
  impl_->default_site = impl_->settings.default_site.empty() && !impl_->settings.sites.empty()
                            ? impl_->settings.sites.front().name
                            : impl_->settings.default_site;
  if (impl_->settings.storage == "redis") {
#ifdef SITESEEK_WITH_REDIS
    impl_->store = std::make_unique<RedisStore>(parse_redis_url(impl_->settings.redis_url, "redis_url"));
#else
    throw ConfigError("storage", "\"redis\" needs a siteseek built with SITESEEK_WITH_REDIS=ON");
#endif
  }
  if (impl_->settings.backend == "redisearch") {
#ifdef SITESEEK_WITH_REDIS
    impl_->redisearch = std::make_unique<RediSearchBackend>(parse_redis_url(impl_->settings.redis_url, "redis_url"));
#else
    throw ConfigError("backend", "\"redisearch\" needs a siteseek built with SITESEEK_WITH_REDIS=ON");
#endif
  }
}

Engine::~Engine() = default;

const AppSettings& Engine::settings() const noexcept { return impl_->settings; }

// A request's index and its cached answer, if any. The generation is read before the index (see
// SiteSlot), so an answer stored under it never comes from an index older than the one read.
struct Engine::Impl::Lookup {
  std::shared_ptr<const Index> index;
  std::uint64_t generation = 0;
  std::string key;
  std::shared_ptr<const CachedAnswer> hit;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  double elapsed_ms() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  }
};

template <class Request, class... KeyArgs>
Engine::Impl::Lookup Engine::Impl::lookup(const Request& request, KeyArgs... key_args) const {
  Lookup l;
  auto& s = slot(request.site);
  l.generation = s.generation.load(std::memory_order_acquire);
  l.index = s.index.load(std::memory_order_acquire);
  if (l.index && cache.enabled()) {
    l.key = ResultCache::key(s.settings.name, request, key_args...);
    l.hit = cache.find(l.key, l.generation);
  }
  return l;
}

SearchResponse Engine::search(const SearchRequest& request) const {
#ifdef SITESEEK_WITH_REDIS
  if (impl_->redisearch) {
    auto& slot = impl_->slot(request.site);
    return impl_->redisearch->search(slot.settings, request, slot.index.load(std::memory_order_acquire).get());
  }
#endif
  auto l = impl_->lookup(request, false);
  if (!l.index) return {};
  if (l.hit) {
    SearchResponse r = l.hit->response;
    r.took_ms = l.elapsed_ms();
    return r;
  }
  auto r = search_index(*l.index, request);
  if (impl_->cache.enabled()) {
    impl_->cache.insert(std::move(l.key), l.generation, std::make_shared<const CachedAnswer>(CachedAnswer{r, {}, {}}));
  }
  return r;
}

std::uint64_t Engine::search_json(const SearchRequest& request, std::string& out) const {
#ifdef SITESEEK_WITH_REDIS
  if (impl_->redisearch) {
    auto r = search(request);
    append_json(out, r);
    return r.total;
  }
#endif
  auto l = impl_->lookup(request, true);
  if (l.hit) {
    out.reserve(out.size() + l.hit->json_head.size() + 40);
    out += l.hit->json_head;
    append_json_tail(out, l.elapsed_ms(), l.hit->response.relaxed);
    return l.hit->response.total;
  }
  auto r = l.index ? search_index(*l.index, request) : SearchResponse{};
  const auto at = out.size();
  append_json_head(out, r);
  if (l.index && impl_->cache.enabled()) {
    auto answer = std::make_shared<CachedAnswer>();
    answer->response.total = r.total;
    answer->response.relaxed = r.relaxed;
    answer->json_head.assign(out, at);
    impl_->cache.insert(std::move(l.key), l.generation, std::move(answer));
  }
  append_json_tail(out, r.took_ms, r.relaxed);
  return r.total;
}

std::vector<Suggestion> Engine::suggest(const SuggestRequest& request) const {
  auto l = impl_->lookup(request);
  if (!l.index) return {};
  if (l.hit) return l.hit->suggestions;
  if (!impl_->cache.enabled()) return suggest_index(*l.index, request);
  auto answer = std::make_shared<CachedAnswer>();
  answer->suggestions = suggest_index(*l.index, request);
  auto out = answer->suggestions;
  impl_->cache.insert(std::move(l.key), l.generation, std::move(answer));
  return out;
}

void Engine::publish(const std::string& site, std::shared_ptr<const Index> index) {
  auto& slot = impl_->slot(site);
  slot.index.store(std::move(index), std::memory_order_release);
  slot.generation.fetch_add(1, std::memory_order_acq_rel);
  impl_->cache.erase_site(slot.settings.name);
}

ResultCacheStats Engine::result_cache_stats() const { return impl_->cache.stats(); }

std::shared_ptr<const Index> Engine::current(const std::string& site) const {
  return impl_->slot(site).index.load(std::memory_order_acquire);
}

std::vector<SiteStatus> Engine::sites() const {
  std::vector<SiteStatus> out;
  for (const auto& site : impl_->settings.sites) {
    SiteStatus st;
    st.name = site.name;
    st.url = site.url;
    auto index = impl_->slot(site.name).index.load(std::memory_order_acquire);
    if (index) {
      st.has_index = true;
      st.documents = index->size();
      st.terms = index->term_count();
      st.memory_bytes = index->memory_bytes();
      st.built_at = index->built_at();
      st.snapshot_version = index->snapshot_version();
    }
    out.push_back(std::move(st));
  }
  return out;
}

std::shared_ptr<const Index> Engine::build(const std::string& site, std::vector<Document> documents) const {
  IndexBuilder builder(impl_->slot(site).settings);
  for (auto& d : documents) builder.add(std::move(d));
  return builder.build();
}

std::string Engine::snapshot_path(const std::string& site) const {
  auto dir = impl_->settings.data_dir.empty() ? std::string(".") : impl_->settings.data_dir;
  if (dir.back() != '/') dir += '/';
  return dir + site + ".snapshot";
}

}  // namespace siteseek
