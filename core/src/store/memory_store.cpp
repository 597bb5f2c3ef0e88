// A store that keeps nothing but, for the process's next crawl, the validators of the last one.
#include "siteseek/segments.hpp"
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

std::optional<StoredIndex> MemoryStore::load(const SiteSettings&, const SegmentedIndex*) { return std::nullopt; }
StoredIndex MemoryStore::save(const SiteSettings& site, std::shared_ptr<const Index>) { return {nullptr, nullptr, 0, where(site.name)}; }

SegmentedIndex MemoryStore::save_updates(const SiteSettings&, const SegmentedIndex& index) { return index; }

std::string MemoryStore::where(const std::string& site) const { return "memory (site " + site + ")"; }

// Kept as the other stores keep them, so a page answered 304 gets its documents from the index.
CrawlState MemoryStore::load_validators(const SiteSettings& site, const SegmentedIndex* reusable) {
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

// Keys for this process only (a library engine made without settings).
std::string MemoryStore::key_pepper() {
  std::lock_guard lock(mutex_);
  if (pepper_.empty()) pepper_ = random_pepper();
  return pepper_;
}

std::vector<KeyRecord> MemoryStore::load_keys() {
  std::lock_guard lock(mutex_);
  std::vector<KeyRecord> out;
  for (const auto& kv : keys_) out.push_back(kv.second);
  return out;
}

void MemoryStore::put_key(const KeyRecord& record) {
  std::lock_guard lock(mutex_);
  keys_[record.id] = record;
  ++keys_version_;
}

bool MemoryStore::remove_key(const std::string& id) {
  std::lock_guard lock(mutex_);
  ++keys_version_;
  return keys_.erase(id) > 0;
}

std::string MemoryStore::keys_version() {
  std::lock_guard lock(mutex_);
  return std::to_string(keys_version_);
}

std::map<std::string, std::string> MemoryStore::load_rules() {
  std::lock_guard lock(mutex_);
  return rules_;
}

void MemoryStore::update_rules(const std::string& site, const std::function<std::string(const std::string&)>& change) {
  std::lock_guard lock(mutex_);
  auto it = rules_.find(site);
  auto next = change(it == rules_.end() ? std::string() : it->second);
  if (next.empty()) rules_.erase(site);
  else rules_[site] = std::move(next);
  ++rules_version_;
}

std::string MemoryStore::rules_version() {
  std::lock_guard lock(mutex_);
  return std::to_string(rules_version_);
}

}  // namespace siteseek
