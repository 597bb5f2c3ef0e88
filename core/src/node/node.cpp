// The node: engine + store + jobs + watcher + search backend, assembled from settings, and the
// request policy applied to every search. Reindexing lives here: source (directory or crawl) ->
// build -> store -> publish.
#include "siteseek/node.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include <boost/json.hpp>

#include "auth/crypto.hpp"
#include "common/unix_time.hpp"
#include "index/index_data.hpp"
#include "ingest/text.hpp"
#include "search/filter.hpp"
#include "siteseek/limits.hpp"
#include "siteseek/crawler.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/segments.hpp"
#include "siteseek/store.hpp"
#ifdef SITESEEK_WITH_REDIS
#include "siteseek/redis_analytics.hpp"
#include "siteseek/redis_jobs.hpp"
#include "siteseek/redis_store.hpp"
#include "siteseek/redisearch.hpp"
#endif

namespace siteseek {
namespace {

using detail::unix_now;

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

// Whether stored record `doc` is `given`. Ingestion hashes a record's text (title, section
// title, body, hierarchy, anchors, attributes: Document::content_hash), and the index keeps that
// hash: the text is compared by it, the other fields directly, so an unchanged page's text is
// not read back. A record without a hash (given by a caller, not ingested) is read back whole.
bool same_record(const Index& index, std::uint32_t doc, const Document& given) {
  const auto& d = index.data();
  const auto& r = d.record(doc);
  if (r.content_hash != given.content_hash || r.type != given.type || r.position != given.position ||
      r.boost != given.boost || r.inbound_links != given.inbound_links || d.slice(r.url) != given.url ||
      d.slice(r.id) != given.id || d.slice(r.section_key) != given.section_key)
    return false;
  if (given.content_hash != 0) return true;
  // Read back, its anchors come as the one text they are indexed as.
  Document stored = index.document(doc);
  std::string anchors;
  for (const auto& a : given.anchors) anchors += (anchors.empty() ? "" : " ") + a;
  if (stored.anchors != (anchors.empty() ? std::vector<std::string>{} : std::vector<std::string>{anchors})) return false;
  stored.anchors = given.anchors;
  return stored == given;
}

// Each of `pages`' documents among `documents`, and its live records in `source`, in order.
struct PageRecords {
  std::vector<Document*> documents;
  std::vector<std::pair<std::size_t, std::uint32_t>> records;
};
template <class Pages>
std::unordered_map<std::string_view, PageRecords> page_records(const SegmentedIndex& source, std::vector<Document>& documents,
                                                              const Pages& pages) {
  std::unordered_map<std::string_view, PageRecords> out;
  for (const auto& p : pages) out[p];
  for (auto& d : documents)
    if (const auto it = out.find(page_of(d.url)); it != out.end()) it->second.documents.push_back(&d);
  for (std::size_t k = 0; k < source.segments().size(); ++k) {  // one pass: a page's records may be anywhere
    const Index& part = *source.segments()[k].index;
    std::string_view last;
    PageRecords* found = nullptr;
    for (std::uint32_t doc = 0; doc < part.size(); ++doc) {
      if (const auto page = page_of(part.url(doc)); page != last) {  // looked up once per run of a page's records
        last = page;
        const auto it = out.find(page);
        found = it == out.end() ? nullptr : &it->second;
      }
      if (found && !source.deleted(k, doc)) found->records.emplace_back(k, doc);
    }
  }
  return out;
}

// The records `records` of `page` in `source`, whole, with the anchors the crawl's `state` keeps
// of them (the index keeps a record's anchors as one text): as the crawl that built them gave them.
std::vector<Document> read_page(const SegmentedIndex& source, std::string_view page,
                                const std::vector<std::pair<std::size_t, std::uint32_t>>& records, const CrawlState& state) {
  const auto kept = state.pages.find(std::string(page));
  std::vector<Document> out;
  for (const auto& [k, doc] : records) {
    auto& d = out.emplace_back(source.segments()[k].index->document(doc));
    if (kept == state.pages.end()) continue;
    if (const auto it = kept->second.anchors.find(d.url); it != kept->second.anchors.end()) d.anchors = it->second;
  }
  return out;
}

// The pages a crawl kept from the last one (answered 304, or not requested by their <lastmod>),
// as Node::reindex has them after complete_kept.
struct KeptPages {
  std::set<std::string, std::less<>> unchanged;  ///< left out of the documents: as `source` holds them
  std::uint64_t unchanged_records = 0;
};

// A kept page comes from the store as its first record only, without its body
// (Store::load_validators), with its title cut and its inbound links counted again by the crawl.
// One whose title, inbound links and ancestors' titles are still those `source` holds is
// unchanged: it leaves the documents (the index keeps its records). One the changed pages around
// it changed (a link to it added or removed, the titles' shared affix learnt anew, an ancestor
// renamed) is read back whole from `source`, given the new title, count and ancestors, and hashed
// again.
KeptPages complete_kept(const SegmentedIndex& source, std::vector<Document>& documents, const std::vector<std::string>& kept_pages,
                        const CrawlState& state) {
  KeptPages out;
  std::vector<bool> drop(documents.size(), false);
  std::vector<Document> added;
  for (const auto& [page, kept] : page_records(source, documents, kept_pages)) {
    if (kept.documents.empty() || kept.records.empty()) continue;
    const Document& first = *kept.documents.front();
    const auto& d = source.segments()[kept.records.front().first].index->data();
    const auto& r = d.record(kept.records.front().second);
    for (const auto* doc : kept.documents) drop[static_cast<std::size_t>(doc - documents.data())] = true;
    const std::string_view title = d.slice(r.title);
    // Its ancestors' titles as the index holds them, and as the crawl gave them now (when the
    // state knows which of its hierarchy they are: CrawlState::Page::ancestors).
    std::vector<std::string> before;
    const auto known = state.pages.find(std::string(page));
    if (known != state.pages.end() && known->second.ancestors >= 0 && first.type == DocumentType::page)
      before = d.hierarchy_of(r);
    else
      before = first.hierarchy;
    if (first.url == d.slice(r.url) && first.title == title && first.inbound_links == r.inbound_links &&
        first.hierarchy == before) {
      out.unchanged.emplace(page);
      out.unchanged_records += kept.records.size();
      continue;
    }
    auto records = read_page(source, page, kept.records, state);
    for (auto& doc : records) {
      auto own = doc.hierarchy.begin();  // what follows its ancestors
      if (doc.hierarchy.size() >= before.size() && std::equal(before.begin(), before.end(), doc.hierarchy.begin())) {
        doc.hierarchy.erase(doc.hierarchy.begin(), doc.hierarchy.begin() + static_cast<std::ptrdiff_t>(before.size()));
        doc.hierarchy.insert(doc.hierarchy.begin(), first.hierarchy.begin(), first.hierarchy.end());
        own = doc.hierarchy.begin() + static_cast<std::ptrdiff_t>(first.hierarchy.size());
      }
      for (auto h = own; h != doc.hierarchy.end(); ++h)
        if (*h == title) *h = first.title;  // as strip_site_titles cuts a breadcrumb's own title
      doc.title = first.title;             // every record carries its page's
      doc.inbound_links = first.inbound_links;
      doc.content_hash = ingest_detail::hash_document(doc);
    }
    std::move(records.begin(), records.end(), std::back_inserter(added));
  }
  std::size_t n = 0;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    if (drop[i]) continue;
    if (n != i) documents[n] = std::move(documents[i]);
    ++n;
  }
  documents.resize(n);
  std::move(added.begin(), added.end(), std::back_inserter(documents));
  return out;
}

// The records of the kept pages left unchanged, read back whole from `source` into `documents`:
// the whole index is built from these.
void read_unchanged(const SegmentedIndex& source, std::vector<Document>& documents, const KeptPages& kept, const CrawlState& state) {
  if (kept.unchanged.empty()) return;
  std::vector<Document> added;
  for (const auto& [page, found] : page_records(source, documents, kept.unchanged)) {
    auto records = read_page(source, page, found.records, state);
    std::move(records.begin(), records.end(), std::back_inserter(added));
  }
  std::move(added.begin(), added.end(), std::back_inserter(documents));
}

// What a run's documents change in the index in use, page by page (a page: a URL without its
// fragment, with its records in order).
struct PageChanges {
  std::vector<Document> documents;   ///< of the pages that changed or are new
  std::vector<std::string> removed;  ///< pages the run did not find
  std::uint64_t pages_changed = 0;
  std::uint64_t records = 0;         ///< records to build and to delete
};

// `unchanged`: pages the run kept as the index holds them (not among `documents`).
PageChanges page_changes(const SegmentedIndex& index, const std::vector<Document>& documents,
                         const std::set<std::string, std::less<>>& unchanged) {
  std::map<std::string_view, std::vector<std::pair<std::size_t, std::uint32_t>>> held;
  for (std::size_t k = 0; k < index.segments().size(); ++k) {
    const Index& part = *index.segments()[k].index;
    std::string_view last;
    std::vector<std::pair<std::size_t, std::uint32_t>>* records = nullptr;
    for (std::uint32_t doc = 0; doc < part.size(); ++doc) {
      if (index.deleted(k, doc)) continue;
      if (const auto page = page_of(part.url(doc)); page != last) {  // a page's records follow each other
        last = page;
        records = unchanged.count(page) ? nullptr : &held[page];
      }
      if (records) records->emplace_back(k, doc);
    }
  }
  std::map<std::string_view, std::vector<const Document*>> given;
  for (const auto& d : documents) given[page_of(d.url)].push_back(&d);
  PageChanges out;
  for (const auto& [page, docs] : given) {
    const auto it = held.find(page);
    bool same = it != held.end() && it->second.size() == docs.size();
    for (std::size_t i = 0; same && i < docs.size(); ++i) {
      const auto [k, doc] = it->second[i];
      same = same_record(*index.segments()[k].index, doc, *docs[i]);
    }
    if (same) continue;
    ++out.pages_changed;
    out.records += docs.size() + (it == held.end() ? 0 : it->second.size());
    for (const auto* d : docs) out.documents.push_back(*d);
  }
  for (const auto& [page, records] : held) {
    if (given.count(page)) continue;
    out.removed.emplace_back(page);
    out.records += records.size();
  }
  return out;
}

// A run changing at most this share of the live records is applied as a live update; beyond it
// a whole build costs about as much, and leaves one segment (a large new segment would be merged
// with the rest soon anyway).
constexpr double update_in_place_share = 0.1;

// Work run in the order posted on one thread of its own, started by the first post; stop() runs
// what was posted before it, then joins. A post after stop() throws RequestError("unavailable").
class SerialQueue {
 public:
  ~SerialQueue() { stop(); }
  void post(std::function<void()> work) {
    std::lock_guard lock(mutex_);
    if (stopping_) throw RequestError("unavailable", "the node is stopping");
    queue_.push_back(std::move(work));
    if (!thread_.joinable()) {
      thread_ = std::thread([this] {
        for (;;) {
          std::unique_lock lock(mutex_);
          ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
          if (queue_.empty()) return;  // stopping, and nothing left to run
          auto next = std::move(queue_.front());
          queue_.pop_front();
          lock.unlock();
          next();
        }
      });
    }
    ready_.notify_one();
  }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

struct Node::Impl {
  NodeOptions options;
  std::unique_ptr<QueryLog> query_log;  ///< analytics on: the query log
  mutable IssuedQueries issued;         ///< the query ids given out, for click beacons
  /// storage = "redis": the cluster's query log, which this node's writer appends to (analytics
  /// on) and its reports read (always).
  std::shared_ptr<SharedQueryLog> shared_log;
  // Shared mode: the cluster's query-id secret, read at start and again every 5 s by the query
  // log's writer thread (never on a request's thread): a node that started while Redis was away
  // gets it, and a Redis that lost its data gets a new one that every node moves to.
  mutable std::mutex secret_mutex;
  mutable std::chrono::steady_clock::time_point secret_next_read{};
  mutable bool secret_warned = false;
  void ensure_secret() const noexcept {
    if (!shared_log) return;
    std::lock_guard lock(secret_mutex);
    const auto now = std::chrono::steady_clock::now();
    if (now < secret_next_read) return;
    secret_next_read = now + std::chrono::seconds(5);
    try {
      issued.set_secret(shared_log->query_id_secret());
      if (secret_warned) log(LogLevel::info, "analytics: read the query-id secret from " + shared_log->describe());
      secret_warned = false;
    } catch (const std::exception& e) {
      if (!secret_warned) {
        log(LogLevel::warn, std::string("analytics: cannot read the query-id secret from ") + shared_log->describe() + ": " +
                                e.what() + (issued.signs() ? " (the one read before stays in force)"
                                                           : " (until it can, a click is accepted only by the node that answered its search)"));
      }
      secret_warned = true;
    }
  }
  // Shared mode: reports read Redis here, off the HTTP io threads (analytics_report_async).
  SerialQueue reports;
  // Record a search or suggest of `site` (its name, resolved by the caller) at `now`; never
  // throws (a search is never failed by its analytics).
  void record_query(EventKind kind, const std::string& site, const std::string& q, const AnalyticsContext& context,
                    std::uint64_t results, bool relaxed, std::uint64_t query_id, std::int64_t now,
                    bool later_page = false) const noexcept;
  // The name of the site a request names ("" the default, a URL; "a,b": the first), for the log.
  std::string logged_site(const AppSettings& settings, const std::string& requested) const {
    return settings.site(requested.substr(0, requested.find(','))).name;
  }
  // With analytics on: a query id for the search, spliced into its JSON, and the search recorded.
  void record_search(const SearchRequest& request, std::string& json, std::uint64_t total,
                     const AnalyticsContext& context) const noexcept;
  std::unique_ptr<Store> store;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<StoreWatch> watch;

  std::mutex reindex_mutexes_guard;
  std::map<std::string, std::unique_ptr<std::mutex>> reindex_mutexes;  ///< one run per site at a time

  std::once_flag jobs_once;
  std::unique_ptr<JobQueue> jobs;
  JobRunner* local_runner = nullptr;  ///< `jobs` when they run in this process
#ifdef SITESEEK_WITH_REDIS
  std::unique_ptr<RediSearchBackend> redisearch;  ///< backend = "redisearch": searches go there
  RedisJobQueue* redis_queue = nullptr;           ///< `jobs` when storage = "redis"
  std::mutex worker_mutex;
  std::unique_ptr<RedisWorker> worker;            ///< serve --worker (on worker_thread), or run_worker()
  std::thread worker_thread;
  RedisWorker& make_worker(Node& node);
#endif

  // Site changes asked for without waiting (put_site_async, remove_site_async), run in the order
  // asked, so two changes to one site keep their order.
  SerialQueue changes;
  // Live updates asked for without waiting (update_documents_async), in the order asked.
  SerialQueue updates;
  // Large snapshots loaded at start, checked whole while they are served.
  SerialQueue checks;
  void check_in_background(Node& node, const std::string& site, std::shared_ptr<const Index> index) {
    checks.post([this, &node, site, index = std::move(index)] {
      try {
        index->verify();
      } catch (const SnapshotError& e) {
        log(LogLevel::error, site + ": refusing its snapshot: " + e.what());
        if (engine->current(site) != index) return;  // already replaced
        const auto settings = engine->settings();
        const auto s = std::find_if(settings->sites.begin(), settings->sites.end(), [&](const SiteSettings& x) { return x.name == site; });
        if (s == settings->sites.end() || (s->directory.empty() && !options.crawl_missing)) {
          log(LogLevel::warn, site + ": run `siteseek index --site " + site + "` to index it again");
          return;
        }
        try {
          auto r = node.reindex(site, progress(site));
          if (options.on_indexed) options.on_indexed(site, r);
        } catch (const Error& again) {
          log(LogLevel::error, site + ": indexing failed: " + again.what());
        }
      }
    });
  }

  void log(LogLevel level, const std::string& line) const {
    if (options.log) options.log(level, line);
  }
  // One admin action as one JSON line: who (the key's id, never the key), what, on what.
  void audit(std::string_view action, const Grant& by, std::string_view target) const {
    log(LogLevel::info, boost::json::serialize(boost::json::object{
                            {"audit", action}, {"key", by.actor()}, {"target", target}, {"time", format_utc(KeyClock::now())}}));
  }

  // Keys: in memory (ring) for the request path. A node that follows loads them at start() and
  // then polls the store's keys_version every options.key_poll; another node loads them at the
  // first need. keys_change_mutex orders loads and changes, so a load never drops a key just made.
  mutable std::mutex keys_mutex;
  mutable std::shared_ptr<KeyRing> ring;  // null: not loaded (yet); once set, always the same ring
  mutable std::atomic<KeyRing*> ring_ready{nullptr};  // `ring`, read without a lock by each request
  mutable std::string keys_seen;          // the keys_version the ring was loaded at
  mutable std::mutex keys_change_mutex;
  std::condition_variable keys_wake;
  bool keys_stop = false;
  std::thread keys_thread;

  std::shared_ptr<KeyRing> loaded_ring() const {
    std::lock_guard lock(keys_mutex);
    return ring;
  }
  // Read the keys from the store (blocking) into the ring.
  std::shared_ptr<KeyRing> load_ring() const {
    std::lock_guard change(keys_change_mutex);
    std::string version = store->keys_version();  // before the keys: a change after it is seen next time
    auto records = store->load_keys();
    auto r = loaded_ring();
    if (!r) r = std::make_shared<KeyRing>(store->key_pepper());
    r->replace(std::move(records));
    std::lock_guard lock(keys_mutex);
    ring = r;
    ring_ready.store(r.get(), std::memory_order_release);
    keys_seen = std::move(version);
    return r;
  }
  // The ring for a check: a following node's as loaded (none while its store was away), another
  // node's loaded now if need be.
  // Lock-free once loaded: every keyed request asks. The ring lives as long as the node.
  const KeyRing* ring_for_check() const {
    if (const auto* r = ring_ready.load(std::memory_order_acquire)) return r;
    if (options.follow) return nullptr;
    return load_ring().get();
  }
  void poll_keys() {
    bool failing = false;
    for (;;) {
      {
        std::unique_lock lock(keys_mutex);
        if (keys_wake.wait_for(lock, options.key_poll, [this] { return keys_stop; })) return;
      }
      try {
        std::string version = store->keys_version();
        bool changed;
        {
          std::lock_guard lock(keys_mutex);
          changed = !ring || version != keys_seen;
        }
        if (changed) load_ring();
        if (store->rules_version() != rules_seen || site_names() != rules_sites) load_rules();
        if (failing) log(LogLevel::info, "keys: read from " + store->describe() + " again");
        failing = false;
      } catch (const std::exception& e) {
        if (!failing) {
          log(LogLevel::warn, std::string("keys: cannot read them from ") + store->describe() + ": " + e.what() +
                                  " (the keys known stay in force; retrying)");
        }
        failing = true;
      }
    }
  }
  // Curation rules: every site's loaded from the store into the engine (at start(), then by the
  // keys' poll when following). rules_mutex orders loads and changes, as keys_change_mutex.
  mutable std::mutex rules_mutex;
  std::string rules_seen;  // the rules_version last loaded (under rules_mutex, or the poll thread)
  // The sites they were loaded for: a site this node learns of later (another node's PUT
  // /sites) gets its stored rules at the next poll, not at the next rule change.
  std::vector<std::string> rules_sites;
  std::vector<std::string> site_names() const {
    std::vector<std::string> names;
    for (const auto& site : engine->settings()->sites) names.push_back(site.name);
    return names;
  }
  void load_rules() {
    std::lock_guard lock(rules_mutex);
    std::string version = store->rules_version();  // before the rules: a change after it is seen next time
    auto stored = store->load_rules();
    const auto settings = engine->settings();
    rules_sites.clear();
    for (const auto& site : settings->sites) rules_sites.push_back(site.name);
    for (const auto& site : settings->sites) {
      auto it = stored.find(site.name);
      std::vector<Rule> rules;
      try {
        if (it != stored.end()) rules = rules_from_json(boost::json::parse(it->second), site.name + ".rules");
      } catch (const std::exception& e) {
        log(LogLevel::error, site.name + ": refusing its stored curation rules: " + e.what());
        continue;  // the rules in force stay
      }
      if (engine->rules(site.name) != rules) engine->set_rules(site.name, std::move(rules));
    }
    rules_seen = std::move(version);
  }
  // Change a site's stored rules with `change` (given the stored ones, returning the new), then
  // put the result in force here.
  std::vector<Rule> change_rules(const std::string& site, const std::function<std::vector<Rule>(std::vector<Rule>)>& change) {
    engine->rules(site);  // UnknownSiteError before the store is touched
    std::lock_guard lock(rules_mutex);
    std::vector<Rule> result;
    store->update_rules(site, [&](const std::string& text) {
      std::vector<Rule> current;
      if (!text.empty()) current = rules_from_json(boost::json::parse(text), site + ".rules");
      result = change(std::move(current));
      return result.empty() ? std::string() : rules_to_json_text(result);
    });
    engine->set_rules(site, result);
    return result;
  }
  static void complete(Rule& r) {
    if (r.id.empty()) r.id = std::string("r") + auth::hex(auth::random_bytes(6));
    if (r.created.empty()) r.created = format_utc(KeyClock::now());
  }

  void stop_keys() {
    {
      std::lock_guard lock(keys_mutex);
      keys_stop = true;
    }
    keys_wake.notify_all();
    if (keys_thread.joinable()) keys_thread.join();
  }
  bool shared() const { return engine->settings()->storage == "redis"; }
  std::mutex& reindex_mutex(const std::string& site) {
    std::lock_guard lock(reindex_mutexes_guard);
    auto& m = reindex_mutexes[site];
    if (!m) m = std::make_unique<std::mutex>();
    return *m;
  }
#ifdef SITESEEK_WITH_REDIS
  RedisJobOptions job_options() const {
    RedisJobOptions o;
    o.lease = options.lease;
    o.max_attempts = options.max_attempts;
    return o;
  }
  RedisOptions redis() const { return parse_redis_url(engine->settings()->redis_url, "redis_url"); }
#endif
  // The end of every indexing run, once it has documents: RediSearch first (with that backend;
  // a failure there leaves both indexes as they were), then the embedded index built, stored (an
  // index that cannot be stored fails the run before anything changes) and published.
  void build_store_publish(const SiteSettings& site, std::vector<Document> documents) {
#ifdef SITESEEK_WITH_REDIS
    if (redisearch) redisearch->index(site, documents);
#endif
    auto index = engine->build(site.name, std::move(documents));
    // Saved under the engine's change lock: no live update or merge is kept in between.
    engine->publish(site.name, index, [&] { return store->save(site, index).segments; });
  }
  // A live update, kept by the store: when another process or node saved the site since this
  // node read it (ConflictError), the stored index is read, published, and the update made again
  // on it, after a short random wait that grows (nodes updating at once take turns).
  UpdateReport update(const SiteSettings& site, std::vector<Document> documents, const std::vector<std::string>& deleted) {
    std::minstd_rand jitter(std::random_device{}());
    for (int attempt = 1;; ++attempt) {
      const auto before = engine->segments(site.name);
      try {
        return attempt == max_update_attempts ? engine->update(site.name, std::move(documents), deleted)
                                              : engine->update(site.name, documents, deleted);
      } catch (const ConflictError& e) {
        if (attempt == max_update_attempts) throw;
        if (attempt == 1) log(LogLevel::debug, site.name + ": " + e.what() + " (reading it and updating again)");
        std::this_thread::sleep_for(std::chrono::microseconds(jitter() % (500 * attempt)));
        reload(site, before);
      }
    }
  }
  static constexpr int max_update_attempts = 16;
  // What the store holds, published in place of `stale` (unless the engine moved on from it
  // meanwhile: an update kept since is newer than what was read). With nothing stored (a Redis
  // that lost its data), the index served here, to be stored whole by the next update.
  // Read under the engine's change lock, in publish's Keep: the store takes note of what it read,
  // and a merge kept between that and the publish (a merge of the old index, begun before) would
  // have been saved as if made on it, the other process's records dropped from what is stored.
  void reload(const SiteSettings& site, const std::shared_ptr<const SegmentedIndex>& stale) {
    struct MovedOn {};
    try {
      engine->publish(site.name, stale, [&]() -> std::shared_ptr<const SegmentedIndex> {
        if (engine->segments(site.name) != stale) throw MovedOn{};
        if (auto stored = store->load(site, stale.get()))  // what the store still names of it is not read again
          return stored->segments;
        if (stale) return std::make_shared<const SegmentedIndex>(stale->as_unsaved());
        throw MovedOn{};  // nothing stored, nothing served: nothing to publish
      });
    } catch (const MovedOn&) {
    }
  }
  // Searched by RediSearch (backend = "redisearch"), the request already through the policy.
  SearchResponse search_redisearch(const AppSettings& settings, const SearchRequest& request) const {
#ifdef SITESEEK_WITH_REDIS
    const auto& site = settings.site(request.site);
    auto vocabulary = engine->current(site.name);  // decides which words get typo variants
    // The curation rules compiled for that index, as the embedded engine would apply them.
    return redisearch->search(site, request, vocabulary.get(), engine->compiled_rules(site.name, vocabulary));
#else
    (void)settings, (void)request;
    return {};
#endif
  }
  bool uses_redisearch() const {
#ifdef SITESEEK_WITH_REDIS
    return redisearch != nullptr;
#else
    return false;
#endif
  }

  ProgressCallback progress(const std::string& site) const {
    return options.progress ? options.progress(site) : ProgressCallback{};
  }
};

Node::Node(AppSettings settings, NodeOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (impl_->options.embedded_worker && settings.storage != "redis") {
    throw ConfigError("storage", "a worker in this process (--worker) needs storage = \"redis\"");
  }
  impl_->store = !impl_->options.persist         ? std::make_unique<MemoryStore>()
                 : impl_->options.make_store ? impl_->options.make_store(settings)
                                             : make_store(settings);
  AppSettings effective = impl_->options.stored_settings ? impl_->store->effective_settings(settings) : settings;
  if (effective.sites.size() != settings.sites.size() || effective.sites != settings.sites) {
    impl_->log(LogLevel::debug, "settings: " + std::to_string(effective.sites.size()) + " site(s) with " +
                                   impl_->store->describe());
  }
  if (effective.backend == "redisearch") {
#ifdef SITESEEK_WITH_REDIS
    impl_->redisearch = std::make_unique<RediSearchBackend>(parse_redis_url(effective.redis_url, "redis_url"));
#else
    throw ConfigError("backend", "\"redisearch\" needs a siteseek built with SITESEEK_WITH_REDIS=ON");
#endif
  }
#ifdef SITESEEK_WITH_REDIS
  // Shared storage keeps the query log in Redis too: every node writes, every report covers all.
  if (effective.storage == "redis") {
    impl_->shared_log = std::make_shared<RedisQueryLog>(parse_redis_url(effective.redis_url, "redis_url"));
  }
#endif
  if (impl_->options.analytics && effective.analytics.enabled) {
    QueryLogOptions log;
    log.dir = std::filesystem::path(effective.data_dir) / "analytics";
    log.retention_days = effective.analytics.retention_days;
    log.max_bytes = static_cast<std::uint64_t>(effective.analytics.max_mb) << 20;
    log.shared = impl_->shared_log;
    log.on_state = [impl = impl_.get()](bool failing, const std::string& message) {
      impl->log(failing ? LogLevel::warn : LogLevel::info, message);
    };
    if (impl_->shared_log) {
      impl_->ensure_secret();  // at start: a node that has it signs its first search's id
      log.tick = [impl = impl_.get()] { impl->ensure_secret(); };
    }
    impl_->query_log = std::make_unique<QueryLog>(std::move(log));
  }
  impl_->engine = std::make_unique<Engine>(std::move(effective));
  impl_->engine->set_union_dictionaries(impl_->options.searches);
  // Live updates and their merges are kept by the store before they are published (the store
  // outlives the engine, whose destructor stops a merge).
  // A merged segment is written ahead, without the engine's lock (Store::write_segment).
  impl_->engine->set_keeper(
      [store = impl_->store.get()](const std::string&, const SegmentedIndex& next) {
        return store->save_updates(next.segments().front().index->settings(), next);
      },
      [store = impl_->store.get()](const std::string&, std::shared_ptr<const Index>& merged) {
        const auto file = store->write_segment(merged->settings(), *merged);
        // Served as the file just written, mapped, as a snapshot is: the merge's arrays are freed.
        if (auto opened = store->open_segment(merged->settings(), file)) merged = std::move(opened);
        return file;
      });
}

Node::~Node() { stop(); }

void Node::stop() {
  impl_->checks.stop();
  impl_->changes.stop();  // the changes already asked for are made first
  impl_->updates.stop();  // so are the updates
  impl_->reports.stop();
  impl_->stop_keys();
  impl_->watch.reset();
#ifdef SITESEEK_WITH_REDIS
  std::lock_guard lock(impl_->worker_mutex);
  if (impl_->worker) {
    impl_->worker->stop();
    if (impl_->worker_thread.joinable()) impl_->worker_thread.join();
  }
#endif
}

#ifdef SITESEEK_WITH_REDIS
RedisWorker& Node::Impl::make_worker(Node& node) {
  std::lock_guard lock(worker_mutex);
  if (worker) throw ConfigError("storage", "this node already runs a worker");
  worker = std::make_unique<RedisWorker>(
      redis(), job_options(),
      [this, &node](const std::string& site, const ProgressCallback& progress) {
        log(LogLevel::info, site + ": indexing (job from the queue)");
        auto r = node.reindex(site, progress);
        log(LogLevel::info, site + ": indexed, " + std::to_string(r.documents) + " documents");
        return r;
      },
      RedisWorker::Options{options.worker_name, std::chrono::milliseconds(250)});
  return *worker;
}
#endif

void Node::run_worker() {
#ifdef SITESEEK_WITH_REDIS
  if (!impl_->shared()) throw ConfigError("storage", "a worker needs storage = \"redis\"");
  impl_->make_worker(*this).run([this](const std::string& line) { impl_->log(LogLevel::warn, line); });
#else
  throw ConfigError("storage", "this build has no Redis support (configure with -DSITESEEK_WITH_REDIS=ON)");
#endif
}

std::shared_ptr<const AppSettings> Node::settings() const { return impl_->engine->settings(); }
Engine& Node::engine() { return *impl_->engine; }
const Engine& Node::engine() const { return *impl_->engine; }
Store& Node::store() { return *impl_->store; }
std::string Node::where(const std::string& site) const { return impl_->store->where(site); }
std::vector<SiteStatus> Node::sites() const { return impl_->engine->sites(); }

JobQueue& Node::jobs() {
  std::call_once(impl_->jobs_once, [this] {
#ifdef SITESEEK_WITH_REDIS
    if (impl_->shared()) {
      auto queue = std::make_unique<RedisJobQueue>(impl_->redis(), impl_->job_options());
      impl_->redis_queue = queue.get();
      impl_->jobs = std::move(queue);
      return;
    }
#endif
    auto runner = std::make_unique<JobRunner>(
        [this](const std::string& site, const ProgressCallback& progress) { return reindex(site, progress); });
    impl_->local_runner = runner.get();
    impl_->jobs = std::move(runner);
  });
  return *impl_->jobs;
}

void Node::attach(boost::asio::io_context& io) {
#ifdef SITESEEK_WITH_REDIS
  if (impl_->redisearch) impl_->redisearch->attach(io);
  jobs();
  if (impl_->redis_queue) impl_->redis_queue->attach(io);
#else
  (void)io;
#endif
}

void Node::detach() {
  stop();
#ifdef SITESEEK_WITH_REDIS
  // A reindex running on the in-process runner reads the RediSearch backend (whether there is one,
  // and indexes into it): the runner stops, its running job done, before the backend goes. The
  // runner stays, so that jobs() is still safe for a request being drained.
  if (impl_->local_runner) impl_->local_runner->stop();
  impl_->redisearch.reset();
  if (impl_->redis_queue) {
    impl_->redis_queue = nullptr;
    impl_->jobs.reset();
  }
#endif
}

StartReport Node::start() {
  StartReport report;
  auto& engine = *impl_->engine;
  impl_->store->remove_leftovers();
  const auto settings = engine.settings();
  for (const auto& site : settings->sites) {
    try {
      const auto started = std::chrono::steady_clock::now();
      if (auto stored = impl_->store->load(site)) {
        // A snapshot small enough to check in milliseconds is checked whole before it is served.
        // A large one is served at once (a block is checked when a search first reads it) and
        // checked whole in the background, then indexed again if it is corrupt.
        // (Each segment so, after live updates.)
        const auto segments = stored->segments;
        std::vector<bool> small;
        for (const auto& s : segments->segments()) small.push_back(verify_if_small(*s.index, impl_->options.check_before_serving_bytes));
        engine.publish(site.name, segments);
        report.loaded.push_back({site.name, stored->where, static_cast<std::uint32_t>(segments->live_documents()),
                                 std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count()});
        for (std::size_t k = 0; k < small.size(); ++k)
          if (!small[k]) impl_->check_in_background(*this, site.name, segments->segments()[k].index);
      }
    } catch (const SnapshotError& e) {
      // Refused, not trusted: the site is indexed again below (or has no index until it is).
      report.refused.push_back({site.name, impl_->store->where(site.name), e.what()});
      impl_->log(LogLevel::error, site.name + ": refusing its snapshot: " + e.what());
    }
  }
  if (impl_->options.persist) {
    try {
      impl_->load_rules();
    } catch (const std::exception& e) {
      impl_->log(LogLevel::error, std::string("curation rules: cannot read them from ") + impl_->store->describe() + ": " + e.what() +
                                      " (searching without them until they can be read)");
    }
  }
  if (impl_->options.follow && impl_->options.persist) {
    try {
      auto ring = impl_->load_ring();
      if (!ring->empty()) impl_->log(LogLevel::info, "keys: " + std::to_string(ring->records().size()) + " from " + impl_->store->describe());
    } catch (const std::exception& e) {
      impl_->log(LogLevel::error, std::string("keys: cannot read them from ") + impl_->store->describe() + ": " + e.what() +
                                      " (only the api_key is accepted until they can be read)");
    }
    std::lock_guard lock(impl_->keys_mutex);
    if (!impl_->keys_thread.joinable() && !impl_->keys_stop) impl_->keys_thread = std::thread([this] { impl_->poll_keys(); });
  }
  if (impl_->options.follow) {
    impl_->watch = impl_->store->watch(engine, [this](const std::string& site, std::uint64_t version,
                                                      const std::string& error) {
      if (error.empty()) impl_->log(LogLevel::info, site + ": now on version " + std::to_string(version) + " from the store");
      else impl_->log(LogLevel::error, site + ": cannot load the index from the store: " + error);
    });
  }
#ifdef SITESEEK_WITH_REDIS
  if (impl_->options.follow && impl_->shared()) {
    // Shared storage: sites nobody has indexed yet get a job, for this node's worker or another.
    if (impl_->options.embedded_worker) {
      auto& worker = impl_->make_worker(*this);
      impl_->worker_thread = std::thread([this, &worker] {
        worker.run([this](const std::string& line) { impl_->log(LogLevel::warn, line); });
      });
    }
    for (const auto& s : settings->sites) {
      if (engine.current(s.name)) continue;
      try {
        auto job = jobs().submit(s.name);
        impl_->log(LogLevel::info, s.name + ": no index in redis yet; job " + job.id + " queued" +
                                       (impl_->options.embedded_worker
                                            ? ""
                                            : " (run `siteseek worker` or serve --worker to process it)"));
      } catch (const RedisError& e) {
        impl_->log(LogLevel::error, s.name + ": no index and redis is unavailable: " + e.what());
      }
    }
    return report;
  }
#endif
  if (!impl_->options.index_missing) return report;
  for (const auto& s : settings->sites) {
    if (!impl_->options.only_site.empty() && s.name != impl_->options.only_site) continue;
    std::string why = "no snapshot yet";
    if (auto current = engine.current(s.name)) {
      // A snapshot built with other ingestion or analysis settings does not hold what the
      // settings now ask for: it is rebuilt like a missing one, and served until then.
      auto changed = current->settings_changes(s);
      if (!changed.empty()) {
        why = "the snapshot was built with other settings (" + join(changed) + ")";
        if (s.directory.empty() && !impl_->options.crawl_missing) {
          impl_->log(LogLevel::warn, s.name + ": " + why + "; run `siteseek index --site " + s.name + "` to apply them");
          continue;
        }
      } else {
        bool backend_lacks = false;
#ifdef SITESEEK_WITH_REDIS
        if (impl_->redisearch) {
          try {
            backend_lacks = !impl_->redisearch->has_index(s.name);
          } catch (const Error& e) {
            impl_->log(LogLevel::warn, s.name + ": cannot tell whether RediSearch has an index (" + e.what() +
                                           "); POST /indexer once it can");
          }
        }
#endif
        if (!backend_lacks) continue;
        impl_->log(LogLevel::info, s.name + ": the search backend has no index for it (or one an older siteseek built)");
      }
    }
    if (s.directory.empty() && !impl_->options.crawl_missing) {
      if (impl_->options.require_index) {
        throw RequestError("no_index", "site '" + s.name + "' has no index yet: run `siteseek index --site " + s.name + "`");
      }
      continue;
    }
    impl_->log(LogLevel::info, s.name + ": " + why + ", indexing " + (s.directory.empty() ? s.url : s.directory));
    try {
      auto r = reindex(s.name, impl_->progress(s.name));
      if (impl_->options.on_indexed) impl_->options.on_indexed(s.name, r);
    } catch (const Error& e) {
      if (impl_->options.require_index) throw;
      // Serving the other sites beats refusing to start; POST /indexer can retry later.
      impl_->log(LogLevel::error, s.name + ": indexing failed, the site has no index: " + e.what());
    }
  }
  return report;
}

IngestReport Node::reindex(const std::string& site_name, const ProgressCallback& progress) {
  auto& engine = *impl_->engine;
  const SiteSettings settings = engine.settings()->site(site_name);  // a copy: sites may change meanwhile
  std::lock_guard lock(impl_->reindex_mutex(settings.name));
  // Parsing and analysis threads leave their freed tables in malloc's per-thread arenas, which
  // glibc keeps; give those pages back when the run ends (a server reindexing every few seconds
  // grew 17 % in 5 minutes without this).
  struct TrimAfter {
    ~TrimAfter() {
#ifdef __GLIBC__
      ::malloc_trim(0);
#endif
    }
  } trim_after;
  IngestResult result;
  CrawlState next_state;
  std::shared_ptr<const SegmentedIndex> kept_from;  // the index the kept pages' documents are read from
  KeptPages kept_pages;                              // the pages the crawl kept, as complete_kept left them
  const bool crawled = settings.directory.empty();
  if (!crawled) {
    result = read_directory(settings.directory, settings.url, settings, progress);
  } else {
    // A page answered 304 keeps the documents the current index holds for it (its live records,
    // whichever segments): only when they were extracted with the settings in force (else every
    // page is fetched and extracted again).
    auto now = engine.segments(settings.name);
    const bool reusable = now && now->segments().front().index->settings_changes(settings).empty();
    CrawlState previous = impl_->store->load_validators(settings, reusable ? now.get() : nullptr);
    CrawlOptions options;
    options.progress = progress;
    options.state_documents = false;  // the next run reads them back from the index
    auto outcome = crawl(settings, options, std::move(previous));  // throws IoError when nothing could be fetched
    result = std::move(outcome.result);
    next_state = std::move(outcome.state);
    if (reusable) {
      kept_from = now;
      kept_pages = complete_kept(*kept_from, result.documents, outcome.kept_pages, next_state);
      result.report.documents = result.documents.size() + kept_pages.unchanged_records;
    }
  }
  if (result.documents.empty() && kept_pages.unchanged.empty()) {
    std::string why = "no documents could be indexed for site '" + settings.name + "'";
    if (!result.report.failed.empty()) {
      why += " (first failure: " + result.report.failed.front().url + ": " + result.report.failed.front().error + ")";
    }
    throw IoError(why + "; the current index is unchanged");
  }
  // A run that found exactly what the index in use holds, under the same settings, leaves it
  // as it is: a scheduled reindex of an unchanged site rebuilds and writes nothing. Only where
  // that index is known to be stored as well: a snapshot file, or nothing kept at all. Shared
  // storage may have lost it (a Redis restarted empty), and RediSearch may not hold it yet.
  // Likewise a run that changed a few pages changes only them, as a live update: their records
  // built and written, the others' left as they are (shared storage keeps that only on top of
  // the version this node holds: else the whole index is built and stored).
  auto now = engine.segments(settings.name);
  const bool kept = !impl_->uses_redisearch() &&
                    (impl_->shared() ? now && !now->stored_version().empty()
                                     : !impl_->options.persist || std::filesystem::exists(impl_->store->where(settings.name)));
  const Index* first = now ? now->segments().front().index.get() : nullptr;
  bool built = false;
  if (kept && first && first->settings() == settings && first->settings_changes(settings).empty()) {
    try {
      for (const auto& s : now->segments()) s.index->verify();  // a damaged index is replaced whole
      // A kept page unchanged stays as the index in use holds it (a live update since the crawl
      // read it included: the crawl learnt nothing newer of it).
      auto changes = page_changes(*now, result.documents, kept_pages.unchanged);
      result.report.pages_changed = changes.pages_changed;
      result.report.pages_removed = changes.removed.size();
      if (changes.records == 0) {
        // Shared storage: kept again as it is, which is refused when Redis no longer holds
        // the version this node serves (then it is built and stored whole).
        if (impl_->shared()) engine.update(settings.name, {}, {});
        result.report.index_unchanged = true;
        built = true;
      } else if (static_cast<double>(changes.records) <= update_in_place_share * static_cast<double>(now->live_documents())) {
        now.reset();  // the update's merges may free what it held
        engine.update(settings.name, std::move(changes.documents), changes.removed);
        result.report.updated_in_place = true;
        built = true;
      }
    } catch (const SnapshotError&) {
      // built whole below
    } catch (const ConflictError& e) {
      // The update could not be kept (another process or node saved the site since this one
      // read it): the whole index, saved whole, replaces what is stored.
      impl_->log(LogLevel::warn, settings.name + ": " + e.what() + "; building the site whole instead");
    } catch (const IoError& e) {
      impl_->log(LogLevel::warn, settings.name + ": " + e.what() + "; building the site whole instead");
    }
  }
  if (!built) {
    if (kept_from) read_unchanged(*kept_from, result.documents, kept_pages, next_state);
    impl_->build_store_publish(settings, std::move(result.documents));
  }
  kept_from.reset();
  now.reset();
  if (crawled) {
    // The new index is live from here on: validators that cannot be kept cost the next crawl its
    // conditional requests, not this run its success.
    try {
      impl_->store->save_validators(settings, next_state);
    } catch (const std::exception& e) {
      impl_->log(LogLevel::warn, settings.name + ": the index is live, but the crawl's validators were not kept (" +
                                     e.what() + "); the next crawl fetches every page");
    }
  }
  return std::move(result.report);
}

void Node::publish_documents(const std::string& site, std::vector<Document> documents) {
  normalize_documents(documents);  // attributes as every record keeps them (docs/filters.md)
  const SiteSettings settings = impl_->engine->settings()->site(site);
  std::lock_guard lock(impl_->reindex_mutex(settings.name));
  impl_->build_store_publish(settings, std::move(documents));
}

UpdateReport Node::update_documents(const std::string& site, std::vector<Document> documents,
                                   const std::vector<std::string>& deleted, const Grant& by) {
  const auto all = impl_->engine->settings();
  const SiteSettings settings = all->site(resolve_site(*all, site));  // a name, a URL or "" (the default)
  if (impl_->uses_redisearch())
    throw RequestError("not_supported", "site '" + settings.name + "': live updates need backend = \"embedded\" " +
                                            "(RediSearch takes whole indexes); reindex the site instead");
  // No reindex lock: an update never waits for a crawl (minutes); a reindex running meanwhile
  // then publishes what it read from the site's source, as it always does.
  const auto pages = deleted.size();
  auto report = impl_->update(settings, std::move(documents), deleted);
  report.site = settings.name;
  impl_->audit("documents_updated", by, settings.name + " (" + std::to_string(report.added) + " records given, " +
                                            std::to_string(pages) + " pages deleted, " + std::to_string(report.removed) + " records removed)");
  return report;
}

void Node::update_documents_async(std::string site, std::vector<Document> documents, std::vector<std::string> deleted,
                                  UpdateDone done, Grant by) {
  impl_->updates.post([this, site = std::move(site), documents = std::move(documents), deleted = std::move(deleted),
                       done = std::move(done), by = std::move(by)]() mutable {
    std::exception_ptr error;
    UpdateReport report;
    try {
      report = update_documents(site, std::move(documents), deleted, by);
    } catch (...) {
      error = std::current_exception();
    }
    done(error, report);
  });
}

SearchResponse Node::search(SearchRequest request) const {
  const auto settings = impl_->engine->settings();
  apply_policy(*settings, request);
  SearchResponse r = impl_->uses_redisearch() ? impl_->search_redisearch(*settings, request) : impl_->engine->search(request);
  if (impl_->query_log) {  // no query id: the typed answer has no place for one, and no reader clicks it
    impl_->record_query(EventKind::search, impl_->logged_site(*settings, request.site), request.q, {}, r.total,
                        r.relaxed, 0, unix_now());
  }
  return r;
}

void Node::Impl::record_query(EventKind kind, const std::string& site, const std::string& q,
                              const AnalyticsContext& context, std::uint64_t results, bool relaxed,
                              std::uint64_t query_id, std::int64_t now, bool later_page) const noexcept {
  try {
    AnalyticsEvent e;
    e.kind = kind;
    e.time = now;
    e.query_id = query_id;
    e.site = site;
    if (valid_session_id(context.session)) e.session = context.session;
    e.query = q.substr(0, 4 * max_logged_query);  // normalised by the writer thread, off the request path
    e.results = static_cast<std::uint32_t>(std::min<std::uint64_t>(results, UINT32_MAX));
    e.relaxed = relaxed;
    e.later_page = later_page;
    if (auto index = engine->current(e.site)) {
      e.index_version = std::chrono::duration_cast<std::chrono::seconds>(index->built_at().time_since_epoch()).count();
    }
    query_log->record(std::move(e));
  } catch (...) {  // an unknown site was refused before; anything else only loses this record
  }
}

void Node::Impl::record_search(const SearchRequest& request, std::string& json, std::uint64_t total,
                               const AnalyticsContext& context) const noexcept {
  // num = 0 asks for counts (the results page's facets), not results: no reader's search.
  if (!query_log || request.num == 0 || json.empty() || json.back() != '}') return;
  try {
    // A search of several sites ("a,b") is recorded under its first.
    const std::uint64_t on_page = total > request.start ? std::min<std::uint64_t>(total - request.start, request.num) : 0;
    const auto shown = static_cast<std::uint32_t>(std::min<std::uint64_t>(request.start + on_page, UINT32_MAX));
    const std::string resolved = logged_site(*engine->settings(), request.site);
    const std::int64_t now = unix_now();
    const std::uint64_t id = issued.issue(resolved, context.session, shown, now);
    const bool relaxed = std::string_view(json).ends_with("\"relaxed\":true}");
    json.pop_back();
    json += ",\"query_id\":\"";
    json += format_query_id(id);
    json += "\"}";
    record_query(EventKind::search, resolved, request.q, context, total, relaxed, id, now, request.start > 0);
  } catch (...) {
  }
}

SearchOutcome Node::search_json(SearchRequest request, std::string& out, const AnalyticsContext& analytics) const {
  const auto settings = impl_->engine->settings();
  SearchOutcome outcome;
  outcome.notes = apply_policy(*settings, request);
  const std::size_t begin = out.size();
  if (impl_->uses_redisearch()) {
    auto r = impl_->search_redisearch(*settings, request);
    append_json(out, r);
    outcome.total = r.total;
  } else {
    outcome.total = impl_->engine->search_json(request, out);
  }
  // The answer is out's tail: its closing brace is what record_search splices the query id before.
  if (impl_->query_log && out.size() > begin) impl_->record_search(request, out, outcome.total, analytics);
  return outcome;
}

void Node::search_json_async(SearchRequest request, JsonDone done, AnalyticsContext analytics) const {
  const auto settings = impl_->engine->settings();
  SearchOutcome outcome;
  outcome.notes = apply_policy(*settings, request);
#ifdef SITESEEK_WITH_REDIS
  if (impl_->redisearch) {
    const auto& site = settings->site(request.site);  // an unknown site is an error now, not after a round trip
    // The embedded index decides which words get typo variants (translated before this returns).
    auto vocabulary = impl_->engine->current(site.name);
    auto rules = impl_->engine->compiled_rules(site.name, vocabulary);
    impl_->redisearch->search_async(
        site, request,
        [done = std::move(done), outcome, impl = impl_.get(), request, analytics = std::move(analytics)](
            std::exception_ptr e, SearchResponse r) mutable {
          if (e) return done(e, {}, outcome);
          std::string out;
          append_json(out, r);
          outcome.total = r.total;
          impl->record_search(request, out, outcome.total, analytics);
          done(nullptr, std::move(out), outcome);
        },
        vocabulary.get(), std::move(rules));
    return;
  }
#endif
  std::string out;
  outcome.total = impl_->engine->search_json(request, out);
  impl_->record_search(request, out, outcome.total, analytics);
  done(nullptr, std::move(out), outcome);
}

std::vector<Suggestion> Node::suggest(SuggestRequest request, const AnalyticsContext& analytics) const {
  const auto settings = impl_->engine->settings();
  apply_policy(*settings, request);
  auto suggestions = impl_->engine->suggest(request);
  if (impl_->query_log) {
    try {
      impl_->record_query(EventKind::suggest, impl_->logged_site(*settings, request.site), request.q, analytics,
                          suggestions.size(), false, 0, unix_now());
    } catch (...) {  // the suggestions were made: their record is what is lost
    }
  }
  return suggestions;
}

bool Node::analytics_enabled() const { return impl_->query_log != nullptr; }

namespace {

// The lowercased host of an http(s) URL ("" when there is none, or it has user information).
std::string url_host(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (url.find('@') != std::string_view::npos) return {};
  if (!url.empty() && url.front() == '[') {
    url = url.substr(0, url.find(']') + 1);
  } else {
    url = url.substr(0, url.find(':'));
  }
  std::string host(url);
  for (auto& c : host) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return host;
}

// Whether `host` is one of a configured site's: the host of its url or of its allowed_domains
// (or a subdomain of one), as the crawler takes them. A result of a several-site search may be
// any of the sites', so any site's host is accepted.
bool host_of_a_site(const AppSettings& settings, const std::string& host) {
  if (host.empty()) return false;
  for (const auto& site : settings.sites) {
    if (host_within(host, url_host(site.url))) return true;
    for (const auto& d : site.allowed_domains) {
      if (host_within(host, d)) return true;
    }
  }
  return false;
}

}  // namespace

void Node::record_click(const ClickBeacon& click) const {
  if (!impl_->query_log) throw RequestError("not_found", "analytics is off on this server");
  if (!click.url.empty() && !host_of_a_site(*impl_->engine->settings(), url_host(click.url))) {
    throw RequestError("invalid_parameter", "url is not a page of a site this server searches");
  }
  const std::int64_t now = unix_now();
  std::vector<std::string> sites;  // a signed id is checked against each (its MAC covers its site)
  if (impl_->issued.signs()) {
    for (const auto& site : impl_->engine->settings()->sites) sites.push_back(site.name);
  }
  auto search = impl_->issued.accept_click(click.query_id, click.position, now, sites);
  AnalyticsEvent e;
  e.kind = EventKind::click;
  e.time = now;
  e.query_id = click.query_id;
  e.site = std::move(search.site);
  e.session = std::move(search.session);
  e.position = click.position;
  e.url = click.url;
  impl_->query_log->record(std::move(e));
}

AnalyticsReport Node::analytics_report(ReportRequest request) const {
  const auto settings = impl_->engine->settings();
  if (!request.site.empty()) request.site = settings->site(resolve_site(*settings, request.site)).name;
  if (impl_->query_log) impl_->query_log->flush();
  // What each site's rules already do, so that no proposal repeats it: the rules in force, then
  // the settings' synonyms and landing pages, which act as synonyms rules and pins do.
  // A node that does not follow the store (`siteseek analytics`) reads them from it, as rules() does.
  std::map<std::string, std::string> stored;
  const bool from_store = impl_->options.persist && !impl_->options.follow;
  if (from_store) {
    try {
      stored = impl_->store->load_rules();
    } catch (const std::exception& e) {
      impl_->log(LogLevel::warn, std::string("analytics: cannot read the curation rules, proposals may repeat some: ") + e.what());
    }
  }
  RulesBySite rules;
  for (const auto& site : settings->sites) {
    if (!request.site.empty() && site.name != request.site) continue;
    auto& r = rules[site.name];
    r.url = site.url;
    r.rules = impl_->engine->rules(site.name);
    if (const auto it = stored.find(site.name); from_store && it != stored.end()) {
      try {
        r.rules = rules_from_json(boost::json::parse(it->second), site.name + ".rules");
      } catch (const std::exception& e) {
        impl_->log(LogLevel::warn, site.name + ": analytics: cannot read its curation rules, proposals may repeat some: " + e.what());
      }
    }
    for (const auto& group : site.synonyms) {
      Rule g;
      g.kind = RuleKind::synonyms;
      g.synonyms = group;
      r.rules.push_back(std::move(g));
    }
    for (const auto& landing : site.landing_pages) {
      Rule pin;
      pin.kind = RuleKind::pin;
      pin.query = landing.query;
      pin.urls = {landing.url};
      r.rules.push_back(std::move(pin));
    }
  }
  if (impl_->shared_log) return read_report(*impl_->shared_log, std::move(request), unix_now(), rules);
  return read_report(std::filesystem::path(settings->data_dir) / "analytics", std::move(request), unix_now(), rules);
}

void Node::analytics_report_async(ReportRequest request, ReportDone done) const {
  auto run = [this, request = std::move(request), done = std::move(done)]() mutable {
    std::exception_ptr error;
    AnalyticsReport report;
    try {
      report = analytics_report(std::move(request));
    } catch (...) {
      error = std::current_exception();
    }
    done(error, std::move(report));
  };
  if (!impl_->shared_log) return run();  // files: as before, on the caller's thread
  impl_->reports.post(std::move(run));
}

std::optional<QueryLogStats> Node::analytics_stats() const {
  if (!impl_->query_log) return std::nullopt;
  return impl_->query_log->stats();
}

void Node::put_site(SiteSettings site, const Grant& by) {
  validate(with_site(*settings(), site));  // before anything is stored: the errors of a settings file
  impl_->store->put_site(site);
  const std::string name = site.name;
  impl_->engine->put_site(std::move(site));
  impl_->log(LogLevel::info, name + ": site settings stored with " + impl_->store->describe());
  impl_->audit("site_put", by, name);
}

void Node::remove_site(const std::string& name, const Grant& by) {
  without_site(*settings(), name);  // UnknownSiteError before the store is touched
  impl_->store->remove_site(name);
  impl_->store->update_rules(name, [](const std::string&) { return std::string(); });  // a site added again starts without
  impl_->engine->remove_site(name);
  impl_->log(LogLevel::info, name + ": site removed from " + impl_->store->describe());
  impl_->audit("site_removed", by, name);
}

void Node::put_site_async(SiteSettings site, Done done, Grant by) {
  impl_->changes.post([this, site = std::move(site), done = std::move(done), by = std::move(by)]() mutable {
    std::exception_ptr error;
    try {
      put_site(std::move(site), by);
    } catch (...) {
      error = std::current_exception();
    }
    done(error);
  });
}

void Node::remove_site_async(std::string name, Done done, Grant by) {
  impl_->changes.post([this, name = std::move(name), done = std::move(done), by = std::move(by)] {
    std::exception_ptr error;
    try {
      remove_site(name, by);
    } catch (...) {
      error = std::current_exception();
    }
    done(error);
  });
}

void Node::queue_reindex_async(const std::string& site, JobQueue::Completion<Job> done, Grant by) {
  jobs().submit_async(site, [this, done = std::move(done), by = std::move(by), site](std::exception_ptr e, Job job) {
    if (!e) impl_->audit("reindex_queued", by, site + " (job " + job.id + ")");
    done(e, std::move(job));
  });
}

// --- curation rules -----------------------------------------------------------------------------

std::vector<Rule> Node::rules(const std::string& site) const {
  auto in_force = impl_->engine->rules(site);  // UnknownSiteError
  if (impl_->options.follow || !impl_->options.persist) return in_force;
  const auto stored = impl_->store->load_rules();
  const auto it = stored.find(site);
  return it == stored.end() ? std::vector<Rule>{} : rules_from_json(boost::json::parse(it->second), site + ".rules");
}

Rule Node::add_rule(const std::string& site, Rule rule, const Grant& by) {
  Impl::complete(rule);
  validate_rule(rule, "rule");
  impl_->change_rules(site, [&](std::vector<Rule> current) {
    for (const auto& r : current)
      if (r.id == rule.id) throw ConfigError("rule.id", std::string("the site already has a rule with id \"") + rule.id + "\"");
    if (current.size() >= limits::max_rules_per_site)
      throw ConfigError("rule", std::string("a site holds at most ") + std::to_string(limits::max_rules_per_site) + " rules; remove some first");
    current.push_back(rule);
    return current;
  });
  impl_->audit("rule_added", by, site + " " + rule.id + " (" + std::string(rule_kind_name(rule.kind)) + ")");
  return rule;
}

void Node::remove_rule(const std::string& site, const std::string& id, const Grant& by) {
  impl_->change_rules(site, [&](std::vector<Rule> current) {
    if (std::erase_if(current, [&](const Rule& r) { return r.id == id; }) == 0)
      throw RequestError("not_found", std::string("site ") + site + " has no rule with id '" + id + "'");
    return current;
  });
  impl_->audit("rule_removed", by, site + " " + id);
}

std::vector<Rule> Node::set_rules(const std::string& site, std::vector<Rule> rules, const Grant& by) {
  for (auto& r : rules) Impl::complete(r);
  validate_rules(rules);
  auto out = impl_->change_rules(site, [&](std::vector<Rule>) { return rules; });
  impl_->audit("rules_replaced", by, site + " (" + std::to_string(out.size()) + " rules)");
  return out;
}

void Node::add_rule_async(std::string site, Rule rule, RulesDone done, Grant by) {
  impl_->changes.post([this, site = std::move(site), rule = std::move(rule), done = std::move(done), by = std::move(by)]() mutable {
    std::exception_ptr error;
    std::vector<Rule> out;
    try {
      out.push_back(add_rule(site, std::move(rule), by));
    } catch (...) {
      error = std::current_exception();
    }
    done(error, std::move(out));
  });
}

void Node::remove_rule_async(std::string site, std::string id, Done done, Grant by) {
  impl_->changes.post([this, site = std::move(site), id = std::move(id), done = std::move(done), by = std::move(by)] {
    std::exception_ptr error;
    try {
      remove_rule(site, id, by);
    } catch (...) {
      error = std::current_exception();
    }
    done(error);
  });
}

void Node::set_rules_async(std::string site, std::vector<Rule> rules, RulesDone done, Grant by) {
  impl_->changes.post([this, site = std::move(site), rules = std::move(rules), done = std::move(done), by = std::move(by)]() mutable {
    std::exception_ptr error;
    std::vector<Rule> out;
    try {
      out = set_rules(site, std::move(rules), by);
    } catch (...) {
      error = std::current_exception();
    }
    done(error, std::move(out));
  });
}

// --- keys ---------------------------------------------------------------------------------------

namespace {

// Whether `by` holds everything `record` may do: a key manager cannot touch a wider key.
bool holds(const Grant& by, std::uint32_t actions, const std::vector<std::string>& sites) {
  if ((by.actions & actions) != actions) return false;
  if (by.all_sites) return true;
  if (sites.empty()) return false;
  return std::all_of(sites.begin(), sites.end(), [&](const auto& s) { return by.covers(s); });
}

}  // namespace

Grant Node::authorize(std::string_view credential, Action action, const std::vector<std::string>& sites) const {
  const auto settings = impl_->engine->settings();
  const bool reading = action == Action::search || action == Action::suggest;
  std::vector<std::string> names;
  std::string needs_key;  // the first site whose search_access is "key"
  for (const auto& given : sites) {
    std::string name = resolve_site(*settings, given);
    try {
      const auto& site = settings->site(name);
      name = site.name;
      if (site.search_access == "key" && needs_key.empty()) needs_key = name;
    } catch (const UnknownSiteError&) {
      // Not a site: the request itself reports it with the valid names.
    }
    names.push_back(std::move(name));
  }
  if (credential.empty() && reading && needs_key.empty()) {  // an open site's reader: no keys to look at
    Grant anonymous;
    anonymous.actions = static_cast<std::uint32_t>(Action::search) | static_cast<std::uint32_t>(Action::suggest);
    return anonymous;
  }
  const KeyRing* ring = impl_->ring_for_check();
  if (!reading && settings->api_key.empty() && (!ring || ring->empty())) {
    throw AuthError("admin_disabled", "admin endpoints are disabled: no api_key is configured and no key exists");
  }
  if (credential.empty()) {
    if (reading) {
      throw AuthError("unauthorized", "site '" + needs_key + "' needs a key or a scoped token (search_access = \"key\")");
    }
    throw AuthError("unauthorized", "no key given");
  }
  // Keys and tokens first (the per-thread cache answers a known one without hashing); the
  // bootstrap api_key is whatever the settings say, so a credential shaped like a key may be it.
  Grant g;
  const auto bootstrap = [&] {
    if (settings->api_key.empty() || !same_secret(credential, settings->api_key.value)) return false;
    g = Grant{};
    g.key_id = "bootstrap";
    g.actions = static_cast<std::uint32_t>(Action::all);
    return true;
  };
  if (ring && (credential.starts_with("sst1.") || credential.starts_with("ssk_"))) {
    try {
      g = ring->verify(credential, KeyClock::now());
    } catch (const AuthError&) {
      if (!bootstrap()) throw;
    }
  } else if (!bootstrap()) {
    throw AuthError("unauthorized", "wrong key");
  }
  if (!g.allows(action)) {
    throw AuthError("forbidden", std::string(g.token ? "a scoped token of key " : "key ") + g.key_id + " lacks the action '" +
                                     std::string(action_name(action)) + "'");
  }
  for (const auto& name : names) {
    if (!g.covers(name)) {
      throw AuthError("forbidden", std::string(g.token ? "a scoped token of key " : "key ") + g.key_id +
                                       " is not allowed on site '" + name + "'");
    }
  }
  return g;
}

Grant Node::authorize_search(std::string_view credential, SearchRequest& request) const {
  auto sites = site_list(request.site);
  if (sites.empty()) sites.emplace_back();  // the default site
  Grant g = authorize(credential, Action::search, sites);
  if (!g.token) return g;
  if (!g.filters.empty() && request.filters.find_first_not_of(" \t\r\n") != std::string::npos) {
    // The request's expression parses on its own, so in parentheses it is one operand of the AND
    // ("x) OR (y" would otherwise widen the token's filter).
    detail::parse_filter(request.filters);
    request.filters = "(" + g.filters + ") AND (" + request.filters + ")";
  } else if (!g.filters.empty()) {
    request.filters = g.filters;
  }
  if (g.max_num > 0 && request.num > g.max_num) request.num = g.max_num;
  return g;
}

CreatedKey Node::create_key(const KeySpec& spec, const Grant& by) {
  const auto settings = impl_->engine->settings();
  for (const auto& site : spec.sites) {
    if (std::none_of(settings->sites.begin(), settings->sites.end(), [&](const auto& s) { return s.name == site; })) {
      std::vector<std::string> known;
      for (const auto& s : settings->sites) known.push_back(s.name);
      throw UnknownSiteError(site, std::move(known));
    }
  }
  auto ring = impl_->loaded_ring();
  if (!ring) ring = impl_->load_ring();
  CreatedKey created = make_key(spec, ring->pepper(), KeyClock::now());  // ConfigError for bad actions or expiry
  if (!holds(by, created.record.actions, created.record.sites)) {
    throw AuthError("forbidden", "key " + by.actor() + " cannot make a key with actions or sites it does not have itself");
  }
  {
    std::lock_guard change(impl_->keys_change_mutex);
    impl_->store->put_key(created.record);
    ring->put(created.record);
  }
  impl_->audit("key_created", by, created.record.id);
  return created;
}

std::vector<KeyInfo> Node::list_keys() const {
  // A following node lists what it verifies against; another reads the store now.
  auto ring = impl_->options.follow ? impl_->loaded_ring() : impl_->load_ring();
  std::vector<KeyInfo> out;
  if (!ring) return out;
  const auto now = KeyClock::now();
  for (const auto& r : ring->records()) out.push_back(key_info(r, now));
  return out;
}

void Node::revoke_key(const std::string& id, const Grant& by) {
  auto ring = impl_->load_ring();  // the store's keys now: one made on another node a moment ago too
  if (auto record = ring->find(id); record && !holds(by, record->actions, record->sites)) {
    throw AuthError("forbidden", "key " + by.actor() + " cannot revoke key " + id + ", which may do more than it");
  }
  {
    std::lock_guard change(impl_->keys_change_mutex);
    if (!impl_->store->remove_key(id)) throw RequestError("not_found", "no key with id '" + id + "'");
    ring->remove(id);
  }
  impl_->audit("key_revoked", by, id);
}

void Node::create_key_async(KeySpec spec, KeyDone done, Grant by) {
  impl_->changes.post([this, spec = std::move(spec), done = std::move(done), by = std::move(by)] {
    std::exception_ptr error;
    CreatedKey created;
    try {
      created = create_key(spec, by);
    } catch (...) {
      error = std::current_exception();
    }
    done(error, std::move(created));
  });
}

void Node::revoke_key_async(std::string id, Done done, Grant by) {
  impl_->changes.post([this, id = std::move(id), done = std::move(done), by = std::move(by)] {
    std::exception_ptr error;
    try {
      revoke_key(id, by);
    } catch (...) {
      error = std::current_exception();
    }
    done(error);
  });
}

Node::Health Node::health() const {
  if (impl_->watch && !impl_->watch->connected()) {
    std::string why = impl_->watch->last_error();
    return {"unavailable", impl_->store->describe() + " is unavailable" + (why.empty() ? "" : ": " + why) +
                               " (searches are answered from memory)"};
  }
#ifdef SITESEEK_WITH_REDIS
  if (impl_->redisearch && !impl_->redisearch->connected()) {
    std::string why = impl_->redisearch->last_error();
    return {"unavailable", "RediSearch (redis at " + parse_redis_url(settings()->redis_url).display() +
                               ") is unavailable" + (why.empty() ? "" : ": " + why)};
  }
#endif
  std::vector<std::string> missing;
  for (const auto& s : impl_->engine->sites()) {
    if (!s.has_index) missing.push_back(s.name);
  }
  if (settings()->sites.empty()) return {"unavailable", "no sites are configured"};
  if (!missing.empty()) return {"no_index", "no index yet for: " + join(missing)};
  return {};
}

}  // namespace siteseek
