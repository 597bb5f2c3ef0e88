#pragma once
// Where a node keeps what outlives the process: each site's settings, its index and the crawl's
// validators. One interface, two stores: files in data_dir (storage = "embedded", the default) and
// Redis (storage = "redis", shared by every node, siteseek/redis_store.hpp). The node (node.hpp)
// is the only caller; the engine knows no store.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "siteseek/crawler.hpp"
#include "siteseek/keys.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {

class Engine;
class Index;
class SegmentedIndex;

/// A site's index as a store holds it.
struct StoredIndex {
  std::shared_ptr<const Index> index;  ///< with segments: the first of them
  /// The index as segments as the store keeps them (their files named, its stored version set):
  /// what a node publishes; always set by load(). After live updates (files: `where` names the
  /// manifest) it has more than one. Null from save(): publish the index given (MemoryStore).
  std::shared_ptr<const SegmentedIndex> segments;
  std::uint64_t version = 0;  ///< Redis: the site's version (counts up per publish); files: 0
  std::string where;          ///< for people: "data/python.snapshot", "redis key siteseek:index:python (version 3)"
};

/// Follows the indexes other nodes store: while it lives, every site of the engine is moved to
/// the newest stored index. Stores without other writers (files) return none.
class StoreWatch {
 public:
  virtual ~StoreWatch() = default;
  /// Whether the store can be reached now (for /health).
  virtual bool connected() const noexcept = 0;
  /// The last error talking to the store, "" while connected.
  virtual std::string last_error() const = 0;
  /// The version each site is on (0: not from the store yet).
  virtual std::uint64_t version(const std::string& site) const = 0;
};

/// Called by a StoreWatch after it moved a site to a new version (error empty), or failed to.
using StoreChange = std::function<void(const std::string& site, std::uint64_t version, const std::string& error)>;

/// A snapshot a store refused at load, and why.
struct RefusedIndex {
  std::string site;
  std::string where;
  std::string reason;
};

class Store {
 public:
  virtual ~Store() = default;

  /// For logs: "files in data/", "redis at 127.0.0.1:6379".
  virtual std::string describe() const = 0;
  /// The settings a node runs with: `local` completed from the store. Redis: the shared keys
  /// (sites, limits, CORS, backend) when settings were pushed. Files: the sites added at run time
  /// (put_site) besides the configured ones, or, when `local` configures no site, every site
  /// with an index here (a data directory describes itself).
  virtual AppSettings effective_settings(const AppSettings& local) = 0;
  /// Keep a site added or changed at run time, so that a restart finds it.
  virtual void put_site(const SiteSettings& site) = 0;
  /// Forget a site: its settings, index and validators.
  virtual void remove_site(const std::string& name) = 0;

  /// The site's stored index, or nothing. Throws SnapshotError when the stored bytes are corrupt.
  /// `have`: the index this process serves; segments of it the store still names are taken from
  /// it rather than read again (Redis: only the others travel).
  virtual std::optional<StoredIndex> load(const SiteSettings& site, const SegmentedIndex* have = nullptr) = 0;
  /// Persist a newly built index, before it is published (a failure leaves the stored one);
  /// returns it as stored (`segments`: publish that). Redis: every other node is told and swaps
  /// to it.
  virtual StoredIndex save(const SiteSettings& site, std::shared_ptr<const Index> index) = 0;
  /// Keep a site's index after a live update or a merge (Engine::SegmentKeeper): durable when
  /// this returns; returns it with its segments' files set. A later save() replaces it whole.
  /// Files: save_segments in data_dir. Memory: nothing kept. Redis: the new segments and a
  /// manifest, shipped to every node (RedisStore). Throws ConflictError, keeping nothing, when
  /// the stored index is no longer the one `index` was changed from (another process or node
  /// saved since): load it again and make the change on that.
  virtual SegmentedIndex save_updates(const SiteSettings& site, const SegmentedIndex& index) = 0;
  /// Write a merged segment ahead of the save_updates that keeps the merge (Engine::SegmentWriter,
  /// called without the engine's lock, so that updates do not wait for a large write): durable,
  /// under a new file name that nothing names yet; returns that name, to be set on the segment
  /// (SegmentedIndex::with_merged). A segment written so and never named (the merge dropped) is
  /// removed later (files: by a save of this process once it is an hour old, or of another;
  /// Redis: it expires). "" when nothing is kept (memory): save_updates then has it unnamed.
  virtual std::string write_segment(const SiteSettings& site, const Index& segment);
  /// A segment file write_segment wrote (or the site's snapshot, which a manifest names as its
  /// first segment), opened in place as load_snapshot opens a snapshot (files storage), to be
  /// served instead of the index built in memory; null when the store keeps no files, or the
  /// file does not open.
  virtual std::shared_ptr<const Index> open_segment(const SiteSettings& site, const std::string& file);
  /// Where a site's index is or would be stored, for people.
  virtual std::string where(const std::string& site) const = 0;

  /// The last crawl's validators and links per page (conditional requests, 304 pages still
  /// counted as linking); the documents of a page answered 304 come from `reusable`, so without
  /// an index built with the current settings the state is empty and every page is fetched.
  /// Of each page only its first live record is read, without its body (Index::document(doc,
  /// false)), with the anchors of all its records (CrawlState::Page::anchors): a page kept
  /// unchanged needs no more, and the caller reads those it builds again from `reusable`.
  virtual CrawlState load_validators(const SiteSettings& site, const SegmentedIndex* reusable) = 0;
  /// Keep a crawl's validators for the next one.
  virtual void save_validators(const SiteSettings& site, const CrawlState& state) = 0;

  /// Follow what other nodes store (see StoreWatch); null for a store only this node writes.
  virtual std::unique_ptr<StoreWatch> watch(Engine& engine, StoreChange on_change) = 0;
  /// Remove what writers that died left behind (temporary files whose process is gone).
  virtual void remove_leftovers() = 0;

  /// API keys (siteseek/keys.hpp). The pepper their hashes are keyed with: 32 random bytes made
  /// at the first call and kept, the same for every process using the store afterwards.
  virtual std::string key_pepper() = 0;
  /// Every key's record (no key itself is ever stored).
  virtual std::vector<KeyRecord> load_keys() = 0;
  /// Keep a new key's record.
  virtual void put_key(const KeyRecord& record) = 0;
  /// Forget a key (revoke it); false when there is no key of that id.
  virtual bool remove_key(const std::string& id) = 0;
  /// A value that changes whenever the keys change, whoever changed them: a node compares it
  /// (cheaply, on a timer) to know when to load the keys again.
  virtual std::string keys_version() = 0;

  /// Curation rules (siteseek/curation.hpp), per site as the text {"rules":[...]}. Every
  /// site's that has rules.
  virtual std::map<std::string, std::string> load_rules() = 0;
  /// Change one site's rules atomically: `change` gets the stored text ("" when none) and returns
  /// the new one ("": remove them). It may run more than once (Redis: again when another node
  /// changed the rules meanwhile) and may throw to change nothing.
  virtual void update_rules(const std::string& site, const std::function<std::string(const std::string&)>& change) = 0;
  /// A value that changes whenever any site's rules change (compared on the keys' timer).
  virtual std::string rules_version() = 0;
};

/// Files in settings.data_dir: <site>.snapshot (the index), <site>.site.json (the settings it
/// was built with, or was given at run time), <site>.validators.json (the crawl's validators);
/// after live updates, <site>.segments and <site>.<16 hex>.segment (siteseek/segments.hpp) until
/// the next whole save.
/// Every file is written to a temporary file and renamed over the old one. API keys: keys.json
/// and keys.pepper, readable by the owner only.
class FileStore final : public Store {
 public:
  explicit FileStore(std::string data_dir);
  std::string describe() const override;
  AppSettings effective_settings(const AppSettings& local) override;
  void put_site(const SiteSettings& site) override;
  void remove_site(const std::string& name) override;
  std::optional<StoredIndex> load(const SiteSettings& site, const SegmentedIndex* have = nullptr) override;
  StoredIndex save(const SiteSettings& site, std::shared_ptr<const Index> index) override;
  /// Refused (ConflictError, nothing written) when another process saved the site since this
  /// one last read or saved it; under an flock(2) of data_dir itself, as save() is.
  SegmentedIndex save_updates(const SiteSettings& site, const SegmentedIndex& index) override;
  /// data_dir/<site>.<16 hex>.segment, written and synced; kept from this process's saves'
  /// clean-up until one names it, for an hour at most.
  std::string write_segment(const SiteSettings& site, const Index& segment) override;
  std::shared_ptr<const Index> open_segment(const SiteSettings& site, const std::string& file) override;
  std::string where(const std::string& site) const override;
  CrawlState load_validators(const SiteSettings& site, const SegmentedIndex* reusable) override;
  void save_validators(const SiteSettings& site, const CrawlState& state) override;
  std::unique_ptr<StoreWatch> watch(Engine& engine, StoreChange on_change) override;
  void remove_leftovers() override;
  /// data_dir/keys.pepper (mode 0600, created with link(2): two processes agree on one).
  std::string key_pepper() override;
  /// data_dir/keys.json (mode 0600), changed under an flock(2) of data_dir/keys.lock.
  std::vector<KeyRecord> load_keys() override;
  void put_key(const KeyRecord& record) override;
  bool remove_key(const std::string& id) override;
  /// keys.json's inode, size and modification time.
  std::string keys_version() override;
  /// data_dir/rules.json ({"version":1,"sites":{NAME:{"rules":[...]}}}), changed under an
  /// flock(2) of data_dir/rules.lock; its version is its inode, size and modification time.
  std::map<std::string, std::string> load_rules() override;
  void update_rules(const std::string& site, const std::function<std::string(const std::string&)>& change) override;
  std::string rules_version() override;

  /// data_dir/<site>.snapshot
  std::string snapshot_path(const std::string& site) const;

 private:
  void save_site_settings(const SiteSettings& site);
  std::string stored_state(const std::string& site) const;
  void remember(const std::string& site);
  std::string dir_;
  std::mutex seen_mutex_;
  std::map<std::string, std::string> seen_;  ///< per site: stored_state when this process last read or saved it
  /// Segment files written ahead of the save that names them (write_segment), and when.
  std::map<std::string, std::chrono::steady_clock::time_point> written_ahead_;
};

/// Nothing persisted (a library engine made without settings): no index or site settings are
/// kept; a crawl's validators stay in memory for the next crawl in the same process.
class MemoryStore final : public Store {
 public:
  std::string describe() const override;
  AppSettings effective_settings(const AppSettings& local) override;
  void put_site(const SiteSettings& site) override;
  void remove_site(const std::string& name) override;
  std::optional<StoredIndex> load(const SiteSettings& site, const SegmentedIndex* have = nullptr) override;
  StoredIndex save(const SiteSettings& site, std::shared_ptr<const Index> index) override;
  SegmentedIndex save_updates(const SiteSettings& site, const SegmentedIndex& index) override;
  std::string where(const std::string& site) const override;
  CrawlState load_validators(const SiteSettings& site, const SegmentedIndex* reusable) override;
  void save_validators(const SiteSettings& site, const CrawlState& state) override;
  std::unique_ptr<StoreWatch> watch(Engine& engine, StoreChange on_change) override;
  void remove_leftovers() override;
  std::string key_pepper() override;
  std::vector<KeyRecord> load_keys() override;
  void put_key(const KeyRecord& record) override;
  bool remove_key(const std::string& id) override;
  std::string keys_version() override;
  std::map<std::string, std::string> load_rules() override;
  void update_rules(const std::string& site, const std::function<std::string(const std::string&)>& change) override;
  std::string rules_version() override;

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> rules_;
  std::uint64_t rules_version_ = 0;
  std::map<std::string, std::string> validators_;  ///< site -> validators_to_json text
  std::string pepper_;
  std::map<std::string, KeyRecord> keys_;
  std::uint64_t keys_version_ = 0;
};

/// The store `settings.storage` names ("files" or "redis"). Throws ConfigError("storage") for
/// "redis" in a build without Redis.
std::unique_ptr<Store> make_store(const AppSettings& settings);

}  // namespace siteseek
