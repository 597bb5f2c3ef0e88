// A store that keeps nothing but, for the process's next crawl, the validators of the last one.
#include "siteseek/store.hpp"
#include "store/store_json.hpp"

namespace siteseek {

std::string MemoryStore::describe() const { return "memory (nothing persisted)"; }
AppSettings MemoryStore::effective_settings(const AppSettings& local) { return local; }
void MemoryStore::put_site(const SiteSettings&) {}

void MemoryStore::remove_site(const std::string& name) {
  std::lock_guard lock(mutex_);
  validators_.erase(name);
}

std::optional<StoredIndex> MemoryStore::load(const SiteSettings&) { return std::nullopt; }
StoredIndex MemoryStore::save(const SiteSettings& site, const Index&) { return {nullptr, 0, where(site.name)}; }
std::string MemoryStore::where(const std::string& site) const { return "memory (site " + site + ")"; }

// Kept as the other stores keep them, so a page answered 304 gets its documents from the index.
CrawlState MemoryStore::load_validators(const SiteSettings& site, const Index* reusable) {
  std::lock_guard lock(mutex_);
  auto it = validators_.find(site.name);
  return reusable && it != validators_.end() ? validators_from_json(it->second, *reusable) : CrawlState{};
}

void MemoryStore::save_validators(const SiteSettings& site, const CrawlState& state) {
  auto text = validators_to_json(state);
  std::lock_guard lock(mutex_);
  validators_[site.name] = std::move(text);
}

std::unique_ptr<StoreWatch> MemoryStore::watch(Engine&, StoreChange) { return nullptr; }
void MemoryStore::remove_leftovers() {}

}  // namespace siteseek
