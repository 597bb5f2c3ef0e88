#pragma once
// The node: the service a transport constructs from settings. It owns the engine, the store
// (files or Redis), the indexing jobs (in-process runner or Redis queue, optionally a worker), the
// watcher that follows other nodes, and the search backend (embedded or RediSearch), and applies
// the request policy. Its methods are the whole surface HTTP, the CLI, the stdin transport and
// Python call: they parse, call the node, and write the answer out.
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "siteseek/analytics.hpp"
#include "siteseek/curation.hpp"
#include "siteseek/limits.hpp"
#include "siteseek/engine.hpp"
#include "siteseek/ingest.hpp"
#include "siteseek/jobs.hpp"
#include "siteseek/keys.hpp"
#include "siteseek/policy.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"

namespace boost::asio {
class io_context;
}

namespace siteseek {

class Store;

/// How loud a node's log line is; a transport decides where lines go and which it shows.
enum class LogLevel { trace, debug, info, warn, error };

/// What a node does at start() and which jobs it runs, beyond the settings.
struct NodeOptions {
  /// start(): index the sites that have no index (or one built with other settings) before
  /// returning. Directory sites always; crawled sites only with crawl_missing. With shared
  /// storage a job is queued instead, for whichever worker takes it.
  bool index_missing = false;
  bool crawl_missing = false;
  /// start(): only this site (empty: all).
  std::string only_site;
  /// start(): a site left without an index is an error naming it (RequestError "no_index").
  bool require_index = false;
  /// start(): a stored snapshot whose index takes at most this many bytes is checked whole
  /// before it is served; a larger one is served at once, checked in the background, and
  /// indexed again (as a missing one would be) if it is corrupt.
  std::uint64_t check_before_serving_bytes = limits::verify_before_serving_bytes;
  /// Follow the indexes other nodes store (shared storage), and queue jobs instead of running
  /// them here. Off for one-shot commands, which read the store once.
  bool follow = false;
  /// storage = "redis": also run queued jobs in this process (`serve --worker`).
  bool embedded_worker = false;
  std::string worker_name;                       ///< shown in jobs; default host:pid
  std::chrono::milliseconds lease{30000};        ///< Redis jobs: a worker that stops renewing loses its job after this
  unsigned max_attempts = 3;                     ///< Redis jobs: runs of a job whose workers died
  /// Keep indexes and site settings in the store. Off: in memory only (a library engine made
  /// without settings), nothing read or written.
  bool persist = true;
  /// Complete the settings from the store (Store::effective_settings). Off: the settings given
  /// are the node's sites, as for an ad-hoc site (`siteseek index --dir`) next to shared ones.
  bool stored_settings = true;
  /// With follow: how often the store's keys and curation rules are checked for changes other
  /// processes made (a key created or revoked, a rule added elsewhere is honoured here within
  /// this, plus one load).
  std::chrono::milliseconds key_poll{1000};
  /// Record searches, suggests and clicks in the query log (data_dir/analytics; Redis with
  /// storage = "redis") when the settings'
  /// analytics.enabled is on too. The server sets it; the library, Python and `siteseek query`
  /// leave it off unless asked (docs/analytics.md).
  bool analytics = false;
  /// Where the node's log lines go (none: nowhere). Admin actions are logged at info as one JSON
  /// object each: {"audit": action, "key": the acting key's id, "target": ..., "time": ...}.
  std::function<void(LogLevel, const std::string&)> log;
  /// The node answers searches. Off (a one-shot `siteseek index`): what only makes searches
  /// faster is not prepared after updates and merges (Engine::set_union_dictionaries).
  bool searches = true;
  /// The progress callback for an indexing run of `site` (start-up and jobs; none: no progress).
  std::function<ProgressCallback(const std::string& site)> progress;
  /// Called after start() indexed a site, with its report.
  std::function<void(const std::string& site, const IngestReport&)> on_indexed;
  /// With persist: the store the node keeps its sites in, made from the settings (none:
  /// make_store, as `storage` names). A program's own Store, or one that wraps make_store's to
  /// watch or delay what the node asks of it (the tests of concurrent writers do).
  std::function<std::unique_ptr<Store>(const AppSettings&)> make_store;
};

/// A search answered as JSON, and what the policy changed.
struct SearchOutcome {
  std::uint64_t total = 0;
  PolicyNotes notes;
};

/// What the query log is told about a request besides the request itself.
struct AnalyticsContext {
  std::string session;  ///< the reader's opaque session id (valid_session_id), or "" (none, or invalid)
};

/// A site's index loaded at start(), or refused (and why).
struct StartReport {
  struct Loaded {
    std::string site;
    std::string where;
    std::uint32_t documents = 0;
    double milliseconds = 0;  ///< to open it (and check it whole, when it is checked before serving)
  };
  std::vector<Loaded> loaded;
  struct Refused {
    std::string site;
    std::string where;
    std::string reason;
  };
  std::vector<Refused> refused;
};

class Node {
 public:
  /// The settings are completed from the store (shared settings in Redis; with no site
  /// configured, the sites a data directory holds) and validated. Nothing is loaded until start().
  /// Throws ConfigError, RedisError (shared settings unreachable with no local sites).
  explicit Node(AppSettings settings, NodeOptions options = {});
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  /// Load every site's stored index (a corrupt one is refused and listed), follow the store when
  /// options.follow, and index or queue the sites without an index as the options say.
  StartReport start();
  /// Run the Redis clients of the async calls on `io` (the HTTP server's first event loop).
  /// Needed for search_async with RediSearch and the Redis job queue's *_async calls.
  void attach(boost::asio::io_context& io);
  /// Close what attach() put on an event loop (the RediSearch backend, the Redis job queue),
  /// before that loop is destroyed; stops the watcher and the worker first. After it the node
  /// answers from the embedded engine only, and jobs() must not be called.
  void detach();
  /// Stop the watcher and the worker, let running jobs finish. Also done by the destructor.
  /// Thread-safe: ends run_worker() from another thread (a signal-handling one).
  void stop();
  /// storage = "redis": take queued jobs and run them on this thread until stop()
  /// (`siteseek worker`). Redis errors are logged and retried after a pause.
  void run_worker();

  std::shared_ptr<const AppSettings> settings() const;
  Engine& engine();
  const Engine& engine() const;

  /// Search after the request policy. Throws RequestError (query_too_long, invalid_query),
  /// UnknownSiteError, RedisError (RediSearch away). Blocking with the RediSearch backend.
  SearchResponse search(SearchRequest request) const;
  /// search() appended to `out` as JSON (siteseek/search.hpp's append_json shape).
  /// With analytics on, the JSON also carries "query_id" (for a click beacon) and the search is
  /// recorded; recording never fails a search.
  SearchOutcome search_json(SearchRequest request, std::string& out, const AnalyticsContext& analytics = {}) const;
  /// search_json() without blocking the caller's thread: `done` runs at once with the embedded
  /// backend (answers from the result cache included), later on the attached event loop with
  /// RediSearch. Policy and site errors are thrown before it returns.
  using JsonDone = std::function<void(std::exception_ptr error, std::string json, SearchOutcome outcome)>;
  void search_json_async(SearchRequest request, JsonDone done, AnalyticsContext analytics = {}) const;
  /// Completions after the request policy (recorded as a suggest with analytics on).
  std::vector<Suggestion> suggest(SuggestRequest request, const AnalyticsContext& analytics = {}) const;

  // --- analytics (siteseek/analytics.hpp, docs/analytics.md) ----------------------------------

  /// Whether this node records (NodeOptions::analytics and the settings' analytics.enabled).
  bool analytics_enabled() const;
  /// Record a click on a result of a search this node answered recently (shared storage: that any
  /// node of the cluster answered, its query id signed with the cluster's secret). Throws RequestError
  /// "not_found" when analytics is off, "invalid_parameter" for an unknown or expired query id, a
  /// position outside the results shown, or a search clicked too often.
  void record_click(const ClickBeacon& click) const;
  /// The report over data_dir/analytics (shared storage: over every node's log in Redis), after
  /// writing what is queued. `request.site` may be a site's name or URL as a request gives it (""
  /// every site). Its proposals leave out what the sites' rules in force (and their settings'
  /// synonyms and landing pages) already do; none is applied. Throws UnknownSiteError,
  /// RequestError "invalid_parameter" (dates), IoError, RedisError.
  AnalyticsReport analytics_report(ReportRequest request) const;
  /// analytics_report for a caller that must not wait on Redis (the HTTP server's io threads):
  /// with shared storage it runs on the node's report thread (one report at a time), otherwise
  /// on the caller's thread before this returns. `done` is called exactly once.
  using ReportDone = std::function<void(std::exception_ptr error, AnalyticsReport report)>;
  void analytics_report_async(ReportRequest request, ReportDone done) const;
  /// The query log's counters (none when analytics is off).
  std::optional<QueryLogStats> analytics_stats() const;

  /// Ingest a site (its directory, else a crawl; a re-crawl sends conditional requests), build,
  /// store, then publish: a failure before publish leaves everything as it was. Runs on the
  /// caller's thread, one run per site at a time. Throws IoError when nothing could be indexed.
  IngestReport reindex(const std::string& site, const ProgressCallback& progress = {});
  /// Build a site's index from documents given by the caller, store and publish it (the
  /// library's way in). The site must exist (put_site). Each document's attributes are
  /// normalised (normalize_attributes); invalid ones throw RequestError "invalid_document".
  void publish_documents(const std::string& site, std::vector<Document> documents);
  /// A live update (Engine::update) of `site` (a name, a URL, or "" for the default site):
  /// `documents` replace every record of their pages (by page URL) and the pages at `deleted` are removed; kept by the store, then searchable, when this
  /// returns (a crash after it loses nothing). It does not wait for a reindex of the site: one
  /// running meanwhile then publishes what it read from the site's source. When the store refuses
  /// it because another process or node saved the site since (ConflictError), the stored index
  /// is read and published and the update made again on it, up to 16 times.
  /// Throws UnknownSiteError, RequestError "invalid_document" (naming the document) or
  /// "not_supported" (backend = "redisearch"), ConflictError, IoError or RedisError (nothing
  /// changed).
  UpdateReport update_documents(const std::string& site, std::vector<Document> documents,
                                const std::vector<std::string>& deleted, const Grant& by = local_grant());
  /// update_documents on the node's update thread, in the order asked; `done` runs there.
  using UpdateDone = std::function<void(std::exception_ptr error, UpdateReport report)>;
  void update_documents_async(std::string site, std::vector<Document> documents, std::vector<std::string> deleted,
                              UpdateDone done, Grant by = local_grant());
  /// Where jobs go: the in-process runner, or the Redis queue.
  JobQueue& jobs();

  /// Add a site or change one, in this node and in the store (Redis: every node follows). Its
  /// index is built by the next reindex (jobs().submit). Throws ConfigError naming the key.
  /// `by`: who asked, for the audit line.
  void put_site(SiteSettings site, const Grant& by = local_grant());
  /// Remove a site here and from the store. Throws UnknownSiteError.
  void remove_site(const std::string& name, const Grant& by = local_grant());
  /// put_site and remove_site without blocking the caller's thread (a store call may wait on
  /// Redis): they run in turn on the node's own thread, and `done` runs there after each.
  using Done = std::function<void(std::exception_ptr error)>;
  void put_site_async(SiteSettings site, Done done, Grant by = local_grant());
  void remove_site_async(std::string name, Done done, Grant by = local_grant());
  /// jobs().submit_async, with the audit line once the job is queued.
  void queue_reindex_async(const std::string& site, JobQueue::Completion<Job> done, Grant by = local_grant());

  // --- keys and tokens (siteseek/keys.hpp, docs/security.md) ----------------------------------

  /// Who `credential` is (an X-API-KEY value: the bootstrap api_key, a key `ssk_...` or a scoped
  /// token `sst1...`; empty: none) if it may do `action` on each site of `sites` (names or URLs
  /// as a request gives them, "" for the default site; an empty list checks no site). search and
  /// suggest on sites whose search_access is "open" need no credential; a credential given is
  /// checked all the same. Throws AuthError: "unauthorized" (none where one is needed, wrong,
  /// revoked), "key_expired", "forbidden" (naming the action or the site), "admin_disabled" (an
  /// action other than search and suggest while no api_key is configured and no key exists).
  /// No store call: keys are in memory.
  Grant authorize(std::string_view credential, Action action, const std::vector<std::string>& sites) const;
  /// authorize() for a search of request.site (each site of "a,b"), then the request narrowed to
  /// a token's scope: the token's filters ANDed with the request's (a request filter that does
  /// not parse on its own is RequestError "invalid_filter"), num at most its max_num.
  Grant authorize_search(std::string_view credential, SearchRequest& request) const;
  /// Make a key and store it; the result holds the key itself, which is never shown again. `by`
  /// must hold every action and site given (a key cannot make a wider one). Throws ConfigError
  /// naming the field, UnknownSiteError for a site not configured, AuthError "forbidden".
  CreatedKey create_key(const KeySpec& spec, const Grant& by = local_grant());
  /// Every key, without secrets, oldest first (the bootstrap api_key is not listed).
  std::vector<KeyInfo> list_keys() const;
  /// Revoke a key: removed from the store and from this node at once, from the other nodes of
  /// shared storage within key_poll. A key whose scope `by` does not hold is AuthError
  /// "forbidden"; an unknown id is RequestError "not_found".
  void revoke_key(const std::string& id, const Grant& by = local_grant());
  /// create_key and revoke_key on the node's own thread (as put_site_async).
  using KeyDone = std::function<void(std::exception_ptr error, CreatedKey key)>;
  void create_key_async(KeySpec spec, KeyDone done, Grant by = local_grant());
  void revoke_key_async(std::string id, Done done, Grant by = local_grant());
  // --- curation rules (siteseek/curation.hpp, docs/curation.md) -------------------------------

  /// A site's rules, in order: a following node's as in force here, another node's read from
  /// the store now. Throws UnknownSiteError.
  std::vector<Rule> rules(const std::string& site) const;
  /// Add one rule to a site: stored (data_dir/rules.json or Redis), then in force here at once
  /// and on the other nodes within key_poll, without reindexing. An empty id is made ("r" + 12
  /// hex digits), created is set to now. Returns the rule as stored. Throws ConfigError naming
  /// the field ("rule.urls[1]"; a duplicate id or more than limits::max_rules_per_site),
  /// UnknownSiteError.
  Rule add_rule(const std::string& site, Rule rule, const Grant& by = local_grant());
  /// Remove a site's rule; an unknown id is RequestError "not_found".
  void remove_rule(const std::string& site, const std::string& id, const Grant& by = local_grant());
  /// Replace all of a site's rules (a deploy script's PUT); ids and times made as add_rule does
  /// for those without. Returns them as stored. Throws ConfigError naming "rules[i]...".
  std::vector<Rule> set_rules(const std::string& site, std::vector<Rule> rules, const Grant& by = local_grant());
  /// add_rule, remove_rule and set_rules on the node's own thread (as put_site_async); the
  /// rules passed to `done` are the one added, or all of them after set_rules.
  using RulesDone = std::function<void(std::exception_ptr error, std::vector<Rule> rules)>;
  void add_rule_async(std::string site, Rule rule, RulesDone done, Grant by = local_grant());
  void remove_rule_async(std::string site, std::string id, Done done, Grant by = local_grant());
  void set_rules_async(std::string site, std::vector<Rule> rules, RulesDone done, Grant by = local_grant());

  std::vector<SiteStatus> sites() const;
  /// Whether the node can answer every site (for /health).
  struct Health {
    std::string code;     ///< "" healthy; "unavailable" (store or backend away, no sites); "no_index"
    std::string message;  ///< why, for people
  };
  Health health() const;
  /// Where a site's index is stored, for people ("data/python.snapshot").
  std::string where(const std::string& site) const;
  /// The store (for commands that manage it: config push).
  Store& store();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace siteseek
