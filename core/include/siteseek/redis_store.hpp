#pragma once
// Shared state in Redis (storage = "redis"): the settings every node uses and each site's current
// index snapshot with a version. Publishing a snapshot notifies every node on a pub/sub channel;
// IndexWatcher keeps an Engine on the newest version (messages, plus a periodic version check for
// messages missed while disconnected).
//
// Keys, under a prefix (default "siteseek:"): settings (JSON), index:<site> (hash: version, epoch,
// data and built_at: the whole index; segments: after live updates, the manifest of the site's
// segments, siteseek/segments.hpp, naming `<site>.snapshot` for `data`), segment:<site>.<16 hex>
// .segment (a segment's snapshot bytes, never changed once written), segments:<site> (the set of
// those keys), ahead:<site> (segment keys written ahead of the save naming them, with an
// expiry until it does: RedisStore::write_segment), chunk:<site>:<random>:<n> (the pieces of a value over max_value_bytes: `data` is
// then `data_chunks` and a segment key's value is the list of its chunk keys), validators:<site> (the last crawl's validators, JSON), channel "indexes" (messages
// "<site> <version> <origin>", the origin naming the store that saved it); API keys: keys (hash: id -> record JSON), keys:pepper (32 bytes, set once
// with NX), keys:version (counts every change: nodes poll it).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "siteseek/redis.hpp"
#include "siteseek/settings.hpp"
#include "siteseek/store.hpp"

namespace siteseek {

class Engine;
class Index;

/// Settings and snapshots in Redis, through a blocking connection (calls from several threads
/// take turns on it).
class RedisStore final : public Store {
 public:
  /// Values over `max_value_bytes` (a large site's index, a merged segment) are written in
  /// chunks of that size, so that no command or value meets Redis's limits (512 MB a value, 1 GB
  /// a command) or the client's command timeout.
  static constexpr std::size_t default_max_value_bytes = std::size_t{4} << 20;
  explicit RedisStore(RedisOptions options, std::string prefix = "siteseek:", std::size_t max_value_bytes = default_max_value_bytes);
  ~RedisStore() override;
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  /// Store settings as JSON (the API key masked unless `secrets` is include).
  void save_settings(const AppSettings& settings, SecretPolicy secrets = SecretPolicy::mask);
  /// The stored settings, or nothing when none were stored. Throws ConfigError (paths prefixed
  /// with the Redis key) when they do not parse.
  std::optional<AppSettings> load_settings();

  /// Store a site's snapshot as its next version (its segments go) and notify the other nodes;
  /// returns the version.
  std::uint64_t publish(const std::string& site, const Index& index);
  /// publish, returning the version and its epoch.
  std::pair<std::uint64_t, std::string> publish_tagged(const std::string& site, const Index& index);
  /// The stored version of a site's snapshot (0: none).
  std::uint64_t version(const std::string& site);
  /// A stored snapshot and its version.
  struct Snapshot {
    std::uint64_t version = 0;
    std::string epoch;  ///< changes when the key is created anew (a Redis that lost its data)
    std::shared_ptr<const Index> index;  ///< the first segment
    /// The index as stored (one segment, or the manifest's after live updates), its stored
    /// version "<epoch>/<version>".
    std::shared_ptr<const SegmentedIndex> segments;
  };
  /// The site's snapshot when it is newer than (`epoch`, `newer_than`): another epoch, or a higher
  /// version in the same one. Segments `have` holds (by file, records and build time) are taken
  /// from it, not read: after a live update only its new segment travels. Throws SnapshotError
  /// when the stored bytes are corrupt.
  std::optional<Snapshot> load_newer(const SiteSettings& site, std::uint64_t newer_than = 0, const std::string& epoch = {},
                                     const SegmentedIndex* have = nullptr);

  // Store: the shared settings, snapshots published to every node, validators per site.
  std::string describe() const override;
  AppSettings effective_settings(const AppSettings& local) override;
  void put_site(const SiteSettings& site) override;
  void remove_site(const std::string& name) override;
  std::optional<StoredIndex> load(const SiteSettings& site, const SegmentedIndex* have = nullptr) override;
  StoredIndex save(const SiteSettings& site, std::shared_ptr<const Index> index) override;
  /// The segments not stored yet and the manifest, as the next version, in one script: only on
  /// top of the version `index` was made on (SegmentedIndex::stored_version), else ConflictError.
  SegmentedIndex save_updates(const SiteSettings& site, const SegmentedIndex& index) override;
  /// segment:<file>, with an expiry until the save_updates naming it makes it permanent.
  std::string write_segment(const SiteSettings& site, const Index& segment) override;
  std::string where(const std::string& site) const override;
  CrawlState load_validators(const SiteSettings& site, const SegmentedIndex* reusable) override;
  void save_validators(const SiteSettings& site, const CrawlState& state) override;
  /// An IndexWatcher on its own connections (poll every 5 s besides the channel's messages).
  std::unique_ptr<StoreWatch> watch(Engine& engine, StoreChange on_change) override;
  void remove_leftovers() override {}
  std::string key_pepper() override;
  std::vector<KeyRecord> load_keys() override;
  void put_key(const KeyRecord& record) override;
  bool remove_key(const std::string& id) override;
  std::string keys_version() override;
  /// Curation rules: the hash PREFIX:rules, a field per site ({"rules":[...]}), and the counter
  /// PREFIX:rules:version; a change is WATCHed on the counter and retried when another node won.
  std::map<std::string, std::string> load_rules() override;
  void update_rules(const std::string& site, const std::function<std::string(const std::string&)>& change) override;
  std::string rules_version() override;

  /// The notification channel and a key, with the prefix.
  std::string channel() const;
  std::string key(const std::string& name) const;
  RedisConnection& connection();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The node-local keys of `local` with the shared keys (sites, default_site, limits, CORS,
/// backend) taken from `shared`: what a node runs with when Redis holds settings.
AppSettings merge_shared_settings(const AppSettings& local, const AppSettings& shared);

/// Keeps an engine's sites on the newest snapshot in Redis: listens on the channel (own thread and
/// connections) and checks every site's version every `poll` as well. Sites added, changed or
/// removed in the shared settings (RedisStore::put_site, remove_site; message "!settings") are
/// added, changed or removed in the engine. Stops on destruction.
class IndexWatcher final : public StoreWatch {
 public:
  struct Options {
    std::chrono::milliseconds poll{5000};
    std::string prefix = "siteseek:";
    /// Called after a site was swapped to a new version (site, version), or when a load failed
    /// (site, 0, error text). Runs on the watcher's thread.
    std::function<void(const std::string& site, std::uint64_t version, const std::string& error)> on_change;
    /// Notices from this origin (the store that made the watcher: "<site> <version> <origin>")
    /// are of this node's own saves, which its engine has: not read back.
    std::string origin;
  };
  IndexWatcher(Engine& engine, RedisOptions redis, Options options);
  ~IndexWatcher() override;
  IndexWatcher(const IndexWatcher&) = delete;
  IndexWatcher& operator=(const IndexWatcher&) = delete;

  /// The version each site is on (0: not from Redis yet).
  std::uint64_t version(const std::string& site) const override;
  /// Whether the subscription connection is up (for /health).
  bool connected() const noexcept override;
  /// The last Redis error, "" when connected.
  std::string last_error() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace siteseek
