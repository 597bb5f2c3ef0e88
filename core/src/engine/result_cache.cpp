#include "engine/result_cache.hpp"

#include <functional>

namespace siteseek {

namespace {

// Strings go in with their length first, so no two different requests share a key.
void put(std::string& out, std::string_view s) {
  auto n = static_cast<std::uint32_t>(s.size());
  out.append(reinterpret_cast<const char*>(&n), sizeof n);
  out.append(s);
}

void put(std::string& out, std::uint32_t n) { out.append(reinterpret_cast<const char*>(&n), sizeof n); }

void put(std::string& out, const std::optional<bool>& b) { out += !b ? '\2' : *b ? '\1' : '\0'; }

// What an entry holds, about: its strings and the objects around them.
std::size_t footprint(const std::string& key, const CachedAnswer& a) {
  const auto& r = a.response;
  // The key twice (entry and map node), the JSON, the objects and their bookkeeping.
  std::size_t bytes = 2 * key.size() + a.json_head.size() + sizeof(CachedAnswer) + 128;
  for (const auto& x : r.results) {
    bytes += sizeof(SearchResult) + x.title.size() + x.section_title.size() + x.body.size() + x.url.size();
    for (const auto& h : x.hierarchy) bytes += sizeof(std::string) + h.size();
    if (x.sub_results)
      for (const auto& s : *x.sub_results) bytes += sizeof(SubResult) + s.title.size() + s.url.size() + s.body.size();
  }
  for (const auto& f : r.facets)
    for (const auto& v : f.values) bytes += sizeof(FacetValue) + v.value.size();
  for (const auto& c : r.context) bytes += sizeof(Attribute) + c.name.size() + c.value.size();
  for (const auto& x : a.suggestions) bytes += sizeof(Suggestion) + x.text.size() + x.url.size();
  return bytes;
}

}  // namespace

ResultCache::ResultCache(std::size_t max_bytes) : max_bytes_(max_bytes), shard_bytes_(max_bytes / shard_count) {}

std::string ResultCache::key(std::string_view site, const SearchRequest& q, bool json) {
  std::string k;
  k.reserve(site.size() + q.q.size() + q.from_url.size() + 48);
  put(k, site);
  put(k, q.q);
  put(k, q.from_url);
  put(k, q.start);
  put(k, q.num);
  put(k, q.prefix);
  put(k, q.typo);
  put(k, q.distinct);
  k += q.highlight_pre_tag ? '\1' : '\0';
  if (q.highlight_pre_tag) put(k, *q.highlight_pre_tag);
  k += q.highlight_post_tag ? '\1' : '\0';
  if (q.highlight_post_tag) put(k, *q.highlight_post_tag);
  k += q.snippet_length ? '\1' : '\0';
  if (q.snippet_length) put(k, *q.snippet_length);
  put(k, q.sub_results);
  put(k, q.filters);
  put(k, static_cast<std::uint32_t>(q.facets.size()));
  for (const auto& f : q.facets) put(k, f);
  k += q.explain ? 'e' : '-';
  k += json ? 'j' : 'r';  // last: erase_site matches keys by their site prefix
  return k;
}

std::string ResultCache::key(std::string_view site, const SuggestRequest& q) {
  std::string k;
  k.reserve(site.size() + q.q.size() + 16);
  put(k, site);
  put(k, q.q);
  put(k, q.num);
  k += 's';  // last, as for searches
  return k;
}

ResultCache::Shard& ResultCache::shard_of(std::string_view key) {
  return shards_[std::hash<std::string_view>{}(key) % shard_count];
}

void ResultCache::erase(Shard& s, std::list<Entry>::iterator it) {
  s.map.erase(std::string_view(it->key));
  s.bytes -= it->bytes;
  s.lru.erase(it);
}

std::shared_ptr<const CachedAnswer> ResultCache::find(const std::string& key, std::uint64_t generation) {
  if (!enabled()) return nullptr;
  auto& s = shard_of(key);
  {
    // A search never waits: a shard another thread holds counts as a miss.
    std::unique_lock lock(s.mutex, std::try_to_lock);
    if (!lock.owns_lock()) {
      busy_.fetch_add(1, std::memory_order_relaxed);
      misses_.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    auto it = s.map.find(std::string_view(key));
    if (it != s.map.end()) {
      if (it->second->generation == generation) {
        s.lru.splice(s.lru.begin(), s.lru, it->second);
        hits_.fetch_add(1, std::memory_order_relaxed);
        return it->second->answer;
      }
      if (it->second->generation < generation) erase(s, it->second);  // computed on a replaced index
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return nullptr;
}

void ResultCache::insert(std::string key, std::uint64_t generation, std::shared_ptr<const CachedAnswer> answer) {
  if (!enabled() || !answer) return;
  std::size_t bytes = footprint(key, *answer);
  if (bytes > shard_bytes_) return;  // would evict a whole shard for one answer
  auto& s = shard_of(key);
  std::shared_ptr<const CachedAnswer> dropped;  // freed after the lock is released
  std::unique_lock lock(s.mutex, std::try_to_lock);
  if (!lock.owns_lock()) {  // held by another thread: not stored, rather than waiting
    busy_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  auto it = s.map.find(std::string_view(key));
  if (it != s.map.end()) {
    if (it->second->generation > generation) return;  // a newer index's answer is already there
    dropped = std::move(it->second->answer);
    erase(s, it->second);
  }
  s.lru.push_front(Entry{std::move(key), generation, bytes, std::move(answer)});
  s.map.emplace(std::string_view(s.lru.front().key), s.lru.begin());
  s.bytes += bytes;
  while (s.bytes > shard_bytes_ && s.lru.size() > 1) {
    erase(s, std::prev(s.lru.end()));
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
}

void ResultCache::erase_site(std::string_view site) {
  if (!enabled()) return;
  std::string prefix;
  put(prefix, site);
  for (auto& s : shards_) {
    std::list<Entry> dropped;  // freed after the lock is released
    std::lock_guard lock(s.mutex);
    for (auto it = s.lru.begin(); it != s.lru.end();) {
      auto next = std::next(it);
      if (std::string_view(it->key).starts_with(prefix)) {
        s.map.erase(std::string_view(it->key));
        s.bytes -= it->bytes;
        dropped.splice(dropped.end(), s.lru, it);
      }
      it = next;
    }
  }
}

ResultCacheStats ResultCache::stats() const {
  ResultCacheStats st;
  st.hits = hits_.load(std::memory_order_relaxed);
  st.misses = misses_.load(std::memory_order_relaxed);
  st.evictions = evictions_.load(std::memory_order_relaxed);
  st.busy = busy_.load(std::memory_order_relaxed);
  st.out_of_time = out_of_time_.load(std::memory_order_relaxed);
  st.max_bytes = max_bytes_;
  for (const auto& s : shards_) {
    std::lock_guard lock(s.mutex);
    st.entries += s.lru.size();
    st.bytes += s.bytes;
  }
  return st;
}

}  // namespace siteseek
