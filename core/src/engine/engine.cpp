// The engine facade: sites -> current index, lock-free search, atomic publish, build.
#include "engine/engine_impl.hpp"

#include <algorithm>
#include <tuple>

#include "siteseek/error.hpp"
#include "siteseek/search.hpp"
#include "search/filter.hpp"
#include "search/merge.hpp"
#include "search/response_json.hpp"
#include "search/segments.hpp"
#include "siteseek/document.hpp"
#include "siteseek/limits.hpp"
#include "siteseek/policy.hpp"

namespace siteseek {

SiteSlot& SiteSet::slot(std::string_view name) const {
  if (name.empty()) name = default_site;
  auto it = slots.find(name);
  if (it == slots.end()) {
    std::vector<std::string> known;
    for (const auto& [n, s] : slots) known.push_back(n);
    throw UnknownSiteError(std::string(name), std::move(known));
  }
  return *it->second;
}

void Engine::Impl::install(AppSettings settings, const SiteSet* keep, std::string_view changed) {
  auto next = std::make_shared<SiteSet>();
  for (const auto& site : settings.sites) {
    const SiteSlot* old = nullptr;
    if (keep) {
      auto it = keep->slots.find(site.name);
      if (it != keep->slots.end() && site.name != changed) {
        next->slots.emplace(site.name, it->second);
        continue;
      }
      if (it != keep->slots.end()) old = it->second.get();
    }
    // A new slot: a changed site keeps serving its index (built with the settings it had) until
    // it is published again; the new generation makes answers cached under the old settings miss.
    auto slot = std::make_shared<SiteSlot>(site);
    if (old) {
      slot->segments.store(old->segments.load(std::memory_order_acquire));
      slot->index.store(old->index.load(std::memory_order_acquire));
      slot->rules.store(old->rules.load(std::memory_order_acquire));
    }
    slot->generation.store(generations.fetch_add(1, std::memory_order_acq_rel) + 1, std::memory_order_release);
    next->slots.emplace(site.name, std::move(slot));
  }
  next->default_site = settings.default_site.empty() && !settings.sites.empty() ? settings.sites.front().name
                                                                                : settings.default_site;
  next->settings = std::make_shared<const AppSettings>(std::move(settings));
  sites.store(std::move(next), std::memory_order_release);
  if (!changed.empty()) cache.erase_site(changed);
}

Engine::Engine(AppSettings settings)
    : impl_(std::make_unique<Impl>(std::size_t{settings.result_cache_mb} << 20)) {
  impl_->install(std::move(settings), nullptr);
}

Engine::~Engine() {
  {
    std::lock_guard lock(impl_->merge_mutex);
    impl_->stopping.store(true);
  }
  impl_->merge_cv.notify_all();
  if (impl_->merger.joinable()) impl_->merger.join();  // a merge being built stops (BuildCancelled)
}

std::shared_ptr<const AppSettings> Engine::settings() const noexcept { return impl_->current_sites()->settings; }

void Engine::put_site(SiteSettings site) {
  std::lock_guard lock(impl_->change_mutex);
  auto now = impl_->current_sites();
  const std::string name = site.name;
  AppSettings next = with_site(*now->settings, std::move(site));
  if (next == *now->settings) return;  // unchanged: keep the slot and its cache
  validate(next);  // ConfigError naming sites[i]... as in a settings file
  impl_->install(std::move(next), now.get(), name);
}

void Engine::remove_site(const std::string& name) {
  std::lock_guard lock(impl_->change_mutex);
  auto now = impl_->current_sites();
  impl_->install(without_site(*now->settings, name), now.get(), name);  // UnknownSiteError when absent
}

std::shared_ptr<const detail::CompiledRules> SiteSlot::rules_for(const std::shared_ptr<const Index>& index) const {
  auto source = rules.load(std::memory_order_acquire);
  if (!source || source->empty() || !index) return nullptr;
  auto c = compiled.load(std::memory_order_acquire);
  if (c && c->compiled_for(source, index)) return c;
  // Two searches may both compile after a change; either result is right, the last one stays.
  c = detail::compile_rules(std::move(source), index);
  compiled.store(c, std::memory_order_release);
  return c;
}

std::shared_ptr<const SiteSlot::SegmentRules> SiteSlot::rules_for(const SegmentedIndex& index) const {
  auto source = rules.load(std::memory_order_acquire);
  if (!source || source->empty()) return nullptr;
  auto c = segment_rules.load(std::memory_order_acquire);
  const auto& segs = index.segments();
  if (c && c->source == source && c->compiled.size() == segs.size()) {
    bool all = true;
    for (std::size_t k = 0; k < segs.size() && all; ++k) all = c->compiled[k]->compiled_for(source, segs[k].index);
    if (all) return c;
  }
  // Compiled again for the segments that are new; the others' are kept.
  auto next = std::make_shared<SegmentRules>();
  next->source = source;
  for (const auto& seg : segs) {
    std::shared_ptr<const detail::CompiledRules> found;
    if (c && c->source == source)
      for (const auto& x : c->compiled)
        if (x->compiled_for(source, seg.index)) found = x;
    next->compiled.push_back(found ? found : detail::compile_rules(source, seg.index));
  }
  segment_rules.store(next, std::memory_order_release);
  return next;
}

void Engine::set_rules(const std::string& site, std::vector<Rule> rules) {
  validate_rules(rules);
  std::lock_guard lock(impl_->change_mutex);
  auto sites = impl_->current_sites();
  auto& slot = sites->slot(site);
  slot.rules.store(rules.empty() ? nullptr : std::make_shared<const std::vector<Rule>>(std::move(rules)), std::memory_order_release);
  // As publish(): a new generation, so answers cached under the old rules miss, then dropped.
  slot.generation.store(impl_->generations.fetch_add(1, std::memory_order_acq_rel) + 1, std::memory_order_release);
  impl_->cache.erase_site(slot.settings.name);
}

std::vector<Rule> Engine::rules(const std::string& site) const {
  auto sites = impl_->current_sites();
  auto r = sites->slot(site).rules.load(std::memory_order_acquire);
  return r ? *r : std::vector<Rule>{};
}

std::shared_ptr<const detail::CompiledRules> Engine::compiled_rules(const std::string& site,
                                                                    const std::shared_ptr<const Index>& index) const {
  auto sites = impl_->current_sites();
  return sites->slot(site).rules_for(index);
}

namespace {
// A search over a site's segments, with its curation rules compiled for each (null: none).
SearchResponse search_segments_with_rules(const SegmentedIndex& segments, const SearchRequest& request,
                                          const SiteSlot::SegmentRules* rules, std::size_t* pinned = nullptr) {
  std::vector<const detail::CompiledRules*> each;
  if (rules)
    for (const auto& c : rules->compiled) each.push_back(c.get());
  return detail::search_segments_impl(segments, request, nullptr, 0, each, pinned);
}
}  // namespace

// A request's index and its cached answer, if any. The generation is read before the index (see
// SiteSlot), so an answer stored under it never comes from an index older than the one read.
struct Engine::Impl::Lookup {
  std::shared_ptr<const SiteSet> sites;  ///< keeps the slot alive while a site is removed
  std::shared_ptr<const Index> index;
  std::shared_ptr<const detail::CompiledRules> rules;  ///< the site's curation rules for `index`
  /// With several segments (or deletions): them, and their rules; else null.
  std::shared_ptr<const SegmentedIndex> segments;
  std::shared_ptr<const SiteSlot::SegmentRules> segment_rules;
  SearchResponse run(const SearchRequest& request) const {
    if (!segments) return detail::search_index_with_rules(*index, request, rules.get());
    return search_segments_with_rules(*segments, request, segment_rules.get());
  }
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
  l.sites = current_sites();
  auto& s = l.sites->slot(request.site);
  l.generation = s.generation.load(std::memory_order_acquire);
  l.segments = s.segments.load(std::memory_order_acquire);
  l.index = l.segments ? l.segments->segments().front().index : nullptr;
  if (!several(l.segments.get())) l.segments = nullptr, l.rules = s.rules_for(l.index);  // after the generation, as the index
  else l.segment_rules = s.rules_for(*l.segments);
  if (l.index && cache.enabled()) {
    l.key = ResultCache::key(s.settings.name, request, key_args...);
    l.hit = cache.find(l.key, l.generation);
  }
  return l;
}

// Several sites: each searched for the first start + num of its results (not cached: the cache
// forgets a site's answers by its name alone), then merged. A filter attribute some site lacks
// is an error only when every site lacks it.
SearchResponse Engine::Impl::search_sites(const SearchRequest& request) const {
  const auto names = site_list(request.site);
  if (names.size() > limits::max_sites_per_search)
    throw RequestError("invalid_parameter", "site names at most " + std::to_string(limits::max_sites_per_search) +
                                                " sites, got " + std::to_string(names.size()));
  if (std::find(names.begin(), names.end(), "") != names.end())
    throw RequestError("invalid_parameter", "site lists sites separated by commas; one of them is empty");
  const auto set = current_sites();
  std::vector<std::pair<std::string, SearchResponse>> answers;
  std::vector<std::size_t> pinned;  // per answer: its leading pinned results
  std::exception_ptr missing_attribute;
  for (const auto& name : names) {
    auto& slot = set->slot(name);
    const auto segments = slot.segments.load(std::memory_order_acquire);
    if (!segments) continue;
    const auto& index = segments->segments().front().index;
    SearchRequest one = request;
    one.site = slot.settings.name;
    one.start = 0;
    one.num = static_cast<std::uint32_t>(std::min<std::size_t>(std::size_t{request.start} + request.num, limits::max_results_window));
    try {
      std::size_t leading = 0;
      SearchResponse answer;
      if (several(segments.get())) {
        answer = search_segments_with_rules(*segments, one, slot.rules_for(*segments).get(), &leading);
      } else {
        answer = detail::search_index_with_rules(*index, one, slot.rules_for(index).get(), &leading);
      }
      answers.emplace_back(one.site, std::move(answer));
      pinned.push_back(leading);
    } catch (const detail::UnknownAttributeError&) {  // another site's records may carry it
      missing_attribute = std::current_exception();
    }
  }
  if (answers.empty() && missing_attribute) std::rethrow_exception(missing_attribute);
  return detail::merge_responses(std::move(answers), request.start, request.num, pinned);
}

SearchResponse Engine::search(const SearchRequest& request) const {
  if (request.site.find(',') != std::string::npos) return impl_->search_sites(request);
  auto l = impl_->lookup(request, false);
  if (!l.index) return {};
  if (l.hit) {
    SearchResponse r = l.hit->response;
    r.took_ms = l.elapsed_ms();
    return r;
  }
  auto r = l.run(request);
  if (impl_->cache.enabled() && impl_->cache.admits(r.out_of_time))
    impl_->cache.insert(std::move(l.key), l.generation, std::make_shared<const CachedAnswer>(CachedAnswer{r, {}, {}}));
  return r;
}

namespace {
constexpr std::size_t json_tail_room = 96;
}  // namespace

std::uint64_t Engine::search_json(const SearchRequest& request, std::string& out) const {
  if (request.site.find(',') != std::string::npos) {
    const auto r = impl_->search_sites(request);
    append_json(out, r);
    return r.total;
  }
  auto l = impl_->lookup(request, true);
  if (l.hit) {
    // Room for the tail and for the `"query_id"` a node with analytics splices in after it: a
    // string grown by those few bytes would otherwise be copied whole.
    out.reserve(out.size() + l.hit->json_head.size() + json_tail_room);
    out += l.hit->json_head;
    append_json_tail(out, l.elapsed_ms(), l.hit->response.relaxed);
    return l.hit->response.total;
  }
  auto r = l.index ? l.run(request) : SearchResponse{};
  const auto at = out.size();
  append_json_head(out, r);
  if (l.index && impl_->cache.enabled() && impl_->cache.admits(r.out_of_time)) {
    auto answer = std::make_shared<CachedAnswer>();
    answer->response.total = r.total;
    answer->response.relaxed = r.relaxed;
    answer->json_head.assign(out, at);
    impl_->cache.insert(std::move(l.key), l.generation, std::move(answer));
  }
  out.reserve(out.size() + json_tail_room);
  append_json_tail(out, r.took_ms, r.relaxed, r.out_of_time);
  return r.total;
}

std::vector<Suggestion> Engine::suggest(const SuggestRequest& request) const {
  auto l = impl_->lookup(request);
  if (!l.index) return {};
  if (l.hit) return l.hit->suggestions;
  bool out_of_time = false;
  const auto run = [&] {
    return l.segments ? detail::suggest_segments_timed(*l.segments, request, &out_of_time)
                      : detail::suggest_index_timed(*l.index, request, &out_of_time);
  };
  if (!impl_->cache.enabled()) return run();
  auto answer = std::make_shared<CachedAnswer>();
  answer->suggestions = run();
  auto out = answer->suggestions;
  if (impl_->cache.admits(out_of_time)) impl_->cache.insert(std::move(l.key), l.generation, std::move(answer));
  return out;
}

void Engine::publish(const std::string& site, std::shared_ptr<const Index> index, const Keep& keep) {
  publish(site, index ? std::make_shared<const SegmentedIndex>(std::vector<std::shared_ptr<const Index>>{std::move(index)}) : nullptr, keep);
}

void Engine::publish(const std::string& site, std::shared_ptr<const SegmentedIndex> segments, const Keep& keep) {
  {
    std::lock_guard lock(impl_->change_mutex);  // after an update or a merge, not in their midst
    auto sites = impl_->current_sites();
    auto& slot = sites->slot(site);
    if (keep)
      if (auto saved = keep()) segments = std::move(saved);
    if (!segments || segments->segments().size() < 2) return impl_->store(slot, std::move(segments));
    impl_->store(slot, std::move(segments));
  }
  impl_->request_merge(site, false);  // its union dictionary, in the background
}

void Engine::set_union_dictionaries(bool build) noexcept { impl_->union_dictionaries.store(build); }

void Engine::set_keeper(SegmentKeeper keeper, SegmentWriter writer) {
  std::lock_guard lock(impl_->change_mutex);
  impl_->keeper = std::move(keeper);
  impl_->writer = std::move(writer);
}

void Engine::Impl::store(SiteSlot& slot, std::shared_ptr<const SegmentedIndex> next) {
  auto first = next ? next->segments().front().index : nullptr;
  slot.segments.store(std::move(next), std::memory_order_release);
  slot.index.store(std::move(first), std::memory_order_release);
  slot.generation.store(generations.fetch_add(1, std::memory_order_acq_rel) + 1, std::memory_order_release);
  cache.erase_site(slot.settings.name);
}

UpdateReport Engine::update(const std::string& site, std::vector<Document> documents, const std::vector<std::string>& deleted) {
  normalize_documents(documents);
  UpdateReport report;
  report.added = documents.size();
  {
    std::lock_guard lock(impl_->change_mutex);
    auto sites = impl_->current_sites();
    auto& slot = sites->slot(site);
    auto now = slot.segments.load(std::memory_order_acquire);
    std::shared_ptr<const SegmentedIndex> next;
    if (!now) {
      if (documents.empty()) return report;
      IndexBuilder b(slot.settings);
      b.add_all(std::move(documents));
      next = std::make_shared<const SegmentedIndex>(std::vector<std::shared_ptr<const Index>>{b.build()});
    } else {
      // Built with the settings the index was built with, which a changed site keeps serving.
      next = std::make_shared<const SegmentedIndex>(
          now->updated(now->segments().front().index->settings(), std::move(documents), deleted, &report.removed));
    }
    if (impl_->keeper) next = std::make_shared<const SegmentedIndex>(impl_->keeper(site, *next));
    report.segments = next->segments().size();
    impl_->store(slot, std::move(next));
  }
  impl_->request_merge(site);  // merges, if any, then the union dictionary of what they leave
  return report;
}

std::shared_ptr<const SegmentedIndex> Engine::segments(const std::string& site) const {
  return impl_->current_sites()->slot(site).segments.load(std::memory_order_acquire);
}

void Engine::wait_for_merges() const {
  std::unique_lock lock(impl_->merge_mutex);
  impl_->merge_idle.wait(lock, [&] { return impl_->merge_queue.empty() && !impl_->merging; });
}

void Engine::Impl::request_merge(const std::string& site, bool merge) {
  {
    std::lock_guard lock(merge_mutex);
    if (stopping.load()) return;
    const auto queued = std::find_if(merge_queue.begin(), merge_queue.end(), [&](const auto& q) { return q.first == site; });
    if (queued == merge_queue.end()) merge_queue.emplace_back(site, merge);
    else queued->second = queued->second || merge;
    if (!merger.joinable()) merger = std::thread([this] { merge_loop(); });
  }
  merge_cv.notify_all();
}

void Engine::Impl::merge_loop() {
  for (;;) {
    std::string site;
    bool merge = false;
    {
      std::unique_lock lock(merge_mutex);
      merge_cv.wait(lock, [&] { return stopping.load() || !merge_queue.empty(); });
      if (stopping.load()) break;
      std::tie(site, merge) = std::move(merge_queue.front());
      merge_queue.pop_front();
      merging = true;
    }
    try {
      merge_site(site, merge);
    } catch (...) {
      // Stopped (BuildCancelled), the site removed meanwhile, or a build that failed: the
      // segments stay as they are, searched as they are.
    }
    {
      std::lock_guard lock(merge_mutex);
      merging = false;
    }
    merge_idle.notify_all();
  }
  {
    std::lock_guard lock(merge_mutex);
    merging = false;
    merge_queue.clear();
  }
  merge_idle.notify_all();
}

// Merge what the policy names until it names nothing, then build the union dictionary of the
// segments left (SegmentedIndex::build_dictionary): each merge is built from the state read
// at its start, without any lock, then stored if its segments are still there (records deleted
// meanwhile are deleted in it too); if the site's index was replaced meanwhile, it is dropped.
void Engine::Impl::merge_site(const std::string& site, bool merge) {
  while (!stopping.load()) {
    std::shared_ptr<const SegmentedIndex> from;
    {
      std::lock_guard lock(change_mutex);
      from = current_sites()->slot(site).segments.load(std::memory_order_acquire);
    }
    if (!from) return;
    const auto [first, last] = merge ? from->merge_candidate() : std::pair<std::size_t, std::size_t>{0, 0};
    if (first == last) {
      // Nothing (more) to merge: searches expand words against one dictionary from here on.
      if (union_dictionaries.load()) from->build_dictionary();
      return;
    }
    auto merged = from->merge_build(first, last, from->segments().front().index->settings(), &stopping);
    // Written out here, without the lock: under it, the keeper then only names the file (the
    // merged segment of a large site takes tens of milliseconds to write, which updates would
    // otherwise wait for).
    std::string file;
    if (writer) {
      try {
        file = writer(site, merged);
      } catch (...) {
        return;  // dropped, as when the keeper throws below
      }
    }
    std::lock_guard lock(change_mutex);
    auto sites = current_sites();
    auto& slot = sites->slot(site);
    const auto now = slot.segments.load(std::memory_order_acquire);
    if (!now || now->segments().size() < last) continue;
    bool same = true;
    for (std::size_t k = first; k < last && same; ++k) same = now->segments()[k].index == from->segments()[k].index;
    if (!same) continue;
    auto next = std::make_shared<const SegmentedIndex>(now->with_merged(*from, first, last, std::move(merged), file));
    if (keeper) {
      try {
        next = std::make_shared<const SegmentedIndex>(keeper(site, *next));
      } catch (...) {
        // Dropped, not served unsaved: the next update's save would have to write it, and a
        // merge the store cannot take (another node saved since, storage unreachable) would then
        // fail every update. The next update asks for merges again.
        return;
      }
    }
    store(slot, std::move(next));
  }
}

ResultCacheStats Engine::result_cache_stats() const { return impl_->cache.stats(); }

std::shared_ptr<const Index> Engine::current(const std::string& site) const {
  return impl_->current_sites()->slot(site).index.load(std::memory_order_acquire);
}

std::vector<SiteStatus> Engine::sites() const {
  auto sites = impl_->current_sites();
  std::vector<SiteStatus> out;
  for (const auto& site : sites->settings->sites) {
    SiteStatus st;
    st.name = site.name;
    st.url = site.url;
    auto segments = sites->slot(site.name).segments.load(std::memory_order_acquire);
    if (segments) {
      const auto& index = segments->segments().front().index;
      st.has_index = true;
      st.documents = segments->live_documents();
      st.terms = index->term_count();
      for (const auto& seg : segments->segments()) st.memory_bytes += seg.index->memory_bytes();
      st.built_at = index->built_at();
      st.snapshot_version = index->snapshot_version();
      st.compact = index->compact();
    }
    out.push_back(std::move(st));
  }
  return out;
}

std::string Engine::default_site() const { return impl_->current_sites()->default_site; }

std::shared_ptr<const Index> Engine::build(const std::string& site, std::vector<Document> documents) const {
  auto sites = impl_->current_sites();
  IndexBuilder builder(sites->slot(site).settings);
  builder.add_all(std::move(documents));
  return builder.build();
}

}  // namespace siteseek
