#pragma once
// Search analytics (docs/analytics.md): a query log of searches, suggests and result clicks, kept
// in data_dir/analytics as one append-only file per UTC day (or, in shared mode, in one log per
// UTC day that every node of a cluster appends to: SharedQueryLog), and the reports computed from it.
//
// What a record holds is all that is ever stored: the site, the normalised query, a time, the
// result count, whether the search fell back to relaxed matching, the index version, an opaque
// session id chosen by the reader's browser, and for a click its position and URL. No address,
// user agent, cookie or key is ever given to this module.
//
// Record format (little-endian): u32 payload length, u32 CRC-32 of the payload, the payload. A
// day file starts with the 8-byte magic "SSAL1\n\0\0". A record whose length runs past the end of
// the file or whose CRC does not match is a torn tail (a crash mid-write): readers stop there, and
// the writer truncates the file to its last whole record before appending to it again.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/json/fwd.hpp>

#include "siteseek/curation.hpp"

namespace siteseek {

/// Analytics times: wall-clock Unix seconds (days are UTC days).
using AnalyticsClock = std::chrono::system_clock;

/// The query as the log keeps it: words split at whitespace, each folded as the engine folds a
/// word (case, accents, NFKC), joined by one space, at most max_logged_query bytes (cut at a
/// character boundary). "Json.Dumps " and "json.dumps" are one query.
std::string normalize_query(std::string_view q);
inline constexpr std::size_t max_logged_query = 256;
/// Longest session id and click URL kept (longer ones are refused by the transports' parsers).
inline constexpr std::size_t max_session_id = 64;
inline constexpr std::size_t max_click_url = 2048;
/// Whether `s` can be a reader's session id: 8 to max_session_id of [A-Za-z0-9_-].
bool valid_session_id(std::string_view s);

enum class EventKind : std::uint8_t { search = 1, suggest = 2, click = 3 };

/// One record of the log.
struct AnalyticsEvent {
  EventKind kind = EventKind::search;
  std::int64_t time = 0;           ///< Unix seconds (UTC)
  std::uint64_t query_id = 0;      ///< search: the id it was given (0: none); click: the search clicked
  std::string site;
  std::string session;             ///< the reader's opaque session id, "" when none was sent
  std::string query;               ///< search, suggest: q (record() takes it as typed; the writer stores normalize_query of it)
  std::uint32_t results = 0;       ///< search: total matches; suggest: suggestions
  bool relaxed = false;            ///< search: fell back to matching fewer words
  bool later_page = false;         ///< search: a page after the first (start > 0): not a new search in reports
  std::int64_t index_version = 0;  ///< the site's index when searched (its build time, Unix seconds; 0 none)
  std::uint32_t position = 0;      ///< click: 1-based rank of the clicked result
  std::string url;                 ///< click: the clicked result's URL
  bool operator==(const AnalyticsEvent&) const = default;
};

/// Append one framed record (length, CRC-32, payload) to `out`.
void append_record(std::string& out, const AnalyticsEvent& event);
/// The records of one day file. `whole_bytes` is where the last whole record ends; `torn` says
/// bytes after it were skipped (a torn or corrupt tail). A file without the magic has no records
/// and is torn. Throws IoError when the file cannot be read.
struct LogFileContents {
  std::vector<AnalyticsEvent> events;
  std::uint64_t whole_bytes = 0;
  bool torn = false;
};
LogFileContents read_log_file(const std::filesystem::path& path);
/// read_log_file over a day file's bytes.
LogFileContents read_log_bytes(std::string_view data);
/// The day file magic.
inline constexpr std::string_view log_file_magic{"SSAL1\n\0\0", 8};
/// "2026-12-05" for a Unix time (UTC); and back (none when not a valid YYYY-MM-DD date).
std::string utc_day(std::int64_t unix_seconds);
std::optional<std::int64_t> parse_utc_day(std::string_view day);

/// The day logs of a whole cluster (storage = "redis": RedisQueryLog in siteseek/redis_analytics.hpp):
/// every node's writer appends its batches, every node's reports read them all. A day log holds
/// what a day file holds (the magic, then framed records), so read_log_bytes parses it; one
/// append is atomic, so the records of two nodes never interleave inside a record (their batches
/// do: a day log is in time order only per node). Every call may throw (RedisError) when the
/// storage is unreachable; the QueryLog keeps the batch and tries again.
class SharedQueryLog {
 public:
  virtual ~SharedQueryLog() = default;
  struct Bounds {
    std::int64_t oldest_day = 0;     ///< the start of the oldest UTC day kept: older days are deleted
    std::int64_t expire_at = 0;      ///< when the day appended to goes (its day + retention)
    std::uint64_t max_bytes = 0;     ///< the bound of all days together
  };
  struct Appended {
    bool stored = false;      ///< false: still past max_bytes after deleting older days (dropped)
    std::uint64_t bytes = 0;  ///< the day logs' size after this append
  };
  /// Append `records` (whole framed records, no magic) to the log of the UTC day starting at
  /// `day`, after deleting the days older than bounds.oldest_day and, while the sum of every day
  /// and this append is past bounds.max_bytes, the oldest days before `day`. All of it atomic.
  /// `token` names this append: one retried with the same token after a timeout, which the
  /// storage may have run anyway, is not run again (then stored, bytes 0).
  virtual Appended append(std::int64_t day, std::string_view records, const Bounds& bounds, std::string_view token) = 0;
  /// The day logs of the days starting from `from` to `to` (inclusive), oldest first, each as a
  /// day file's bytes.
  virtual std::vector<std::string> read_days(std::int64_t from, std::int64_t to) = 0;
  /// The cluster's secret for query ids (16 bytes): made by the first node to ask, then shared.
  virtual std::string query_id_secret() = 0;
  /// "redis at host:port/db" for logs.
  virtual std::string describe() const = 0;
};

/// How a QueryLog stores and bounds.
struct QueryLogOptions {
  std::filesystem::path dir;               ///< data_dir/analytics
  std::uint32_t retention_days = 30;       ///< day files older than this are deleted
  std::uint64_t max_bytes = 100ull << 20;  ///< the directory's bound
  std::size_t queue_capacity = 16384;      ///< events waiting for the writer (~200 B each); more are dropped
  std::chrono::milliseconds flush_interval{100};  ///< how often the writer thread drains the queue
  /// false: no writer thread; events wait in the queue until flush() (tests, one-shot tools).
  bool background = true;
  /// Where "now" comes from (tests move it); none: AnalyticsClock.
  std::function<std::int64_t()> now;
  /// Shared mode: the day logs are here, not in `dir` (which is then neither created nor read).
  /// While it cannot be reached, the writer keeps the unwritten batches (they count in the
  /// queue's bound: record() drops and counts past it) and tries again after retry_min, doubling
  /// up to retry_max.
  std::shared_ptr<SharedQueryLog> shared;
  std::chrono::milliseconds retry_min{250};
  std::chrono::milliseconds retry_max{5000};
  /// Told once when writes start failing (with why) and once when they work again; runs on the
  /// writer's thread. Never throws into the writer (exceptions are swallowed).
  std::function<void(bool failing, const std::string& message)> on_state;
  /// Called on the writer thread after each drain (background only; exceptions swallowed): what
  /// the owner must fetch from the storage without making a request wait for it.
  std::function<void()> tick;
};

/// What a log did since it was opened.
struct QueryLogStats {
  std::uint64_t recorded = 0;       ///< events accepted by record()
  std::uint64_t written = 0;        ///< records appended to day files
  std::uint64_t dropped_queue = 0;  ///< refused by record(): the queue was full
  std::uint64_t dropped_full = 0;   ///< not written: max_bytes reached even after deleting old days
  std::uint64_t write_errors = 0;   ///< files: batches lost to an IO error; shared: failed attempts (retried)
  std::uint64_t bytes = 0;          ///< the directory's size as the writer counts it (shared: every node's day logs)
};

/// The writer: record() puts an event in a bounded queue (no IO, no waiting on IO), a writer
/// thread appends the queued events to today's file every flush_interval. Thread-safe.
class QueryLog {
 public:
  /// Creates the directory; deletes days past retention. Throws IoError when it cannot.
  explicit QueryLog(QueryLogOptions options);
  /// Writes what is queued, then stops the writer.
  ~QueryLog();
  QueryLog(const QueryLog&) = delete;
  QueryLog& operator=(const QueryLog&) = delete;

  /// Queue `event`; when the queue is full it is dropped and counted. Never throws, never blocks
  /// on the disk (only on the queue's mutex, held for a move).
  void record(AnalyticsEvent event) noexcept;
  /// Write every event queued before this call, on the caller's thread. Never throws (errors are
  /// counted in write_errors).
  void flush() noexcept;
  QueryLogStats stats() const;
  const std::filesystem::path& dir() const { return options_.dir; }

 private:
  void run();
  void write_batch(std::vector<AnalyticsEvent>& batch);
  void flush_shared(std::vector<AnalyticsEvent>& batch) noexcept;
  void send_pending() noexcept;
  void drop_old_days(std::int64_t today);
  std::int64_t now() const;
  QueryLogOptions options_;
  mutable std::mutex queue_mutex_;
  std::vector<AnalyticsEvent> queue_;
  // Under write_mutex_: the emptied vector of the last batch, swapped in as the next queue so that
  // record() pushes into capacity already there instead of regrowing a vector every batch.
  std::vector<AnalyticsEvent> spare_;
  std::mutex write_mutex_;  // held while a batch is taken and written: batches land in order
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t bytes_ = 0;  // under write_mutex_
  std::set<std::string> whole_files_;  // under write_mutex_: day files this writer checked or wrote whole
  // Shared mode, under write_mutex_: the appends framed and not yet stored (oldest first), each
  // with a token that makes a retry of an append Redis ran after a timeout a no-op; no attempt
  // before retry_at_; the wait doubles per failure.
  struct PendingAppend {
    std::int64_t day = 0;
    std::string records;
    std::size_t count = 0;
    std::string token;
  };
  std::deque<PendingAppend> pending_;
  std::atomic<std::size_t> pending_events_{0};  // their events: record() counts them in the queue's bound
  std::string writer_token_;
  std::uint64_t appends_ = 0;
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds retry_wait_{0};
  bool failing_ = false;
  std::atomic<std::uint64_t> recorded_{0}, written_{0}, dropped_queue_{0}, dropped_full_{0}, write_errors_{0},
      bytes_seen_{0};
  std::thread writer_;
};

/// The query ids recently given to searches, so that a click beacon can be checked: only an id
/// issued here, not older than `ttl`, at a position within the results it was shown, and at
/// most max_clicks times. A ring of `capacity` slots (at most 2^20): a new id takes the next slot,
/// forgetting the oldest; an id is 44 random bits above its slot's index, so checking one is a
/// single slot read. No allocation once the slots' strings have grown. Thread-safe.
class IssuedQueries {
 public:
  struct Issued {
    std::string site;
    std::string session;
    std::int64_t time = 0;
    std::uint32_t shown = 0;  ///< results up to the end of the page shown (start + page size)
    std::uint32_t clicks = 0;
  };
  explicit IssuedQueries(std::size_t capacity = 65536, std::int64_t ttl_seconds = 3600, std::uint32_t max_clicks = 20);
  /// A new random id (never 0) for a search of `site` that showed results 1..shown. With a
  /// secret (set_secret), a signed id that needs no slot.
  std::uint64_t issue(std::string_view site, std::string_view session, std::uint32_t shown, std::int64_t now);
  /// The search of `id`, when a click at `position` on it is valid (counting it); otherwise
  /// RequestError "invalid_parameter" saying which check failed. A signed id is checked against
  /// each of `sites` (the site is part of what its MAC covers); its Issued has no session.
  Issued accept_click(std::uint64_t id, std::uint32_t position, std::int64_t now,
                      const std::vector<std::string>& sites = {});
  std::size_t size() const;

  /// Shared mode: from now on issue() gives signed ids, which any node holding the same 16-byte
  /// secret accepts clicks for without having seen the search (a click beacon may reach another
  /// node than its search). 64 bits: the issue minute mod 128 (7 bits), the results shown (12
  /// bits, at most 4,095), a random nonce (25 bits) and a SipHash-1-3 MAC (20 bits) of those, the
  /// whole issue minute and the site. Ids issued before stay valid: ring ids, and ids signed with
  /// the secret this one replaces (a Redis that lost its data gets a new one: nodes move to it).
  /// Setting the secret in force again changes nothing.
  void set_secret(std::string_view secret);
  bool signs() const noexcept { return key_.load(std::memory_order_acquire) != nullptr; }
  /// Clicks of a signed id are capped at max_clicks per node, in a table of signed_click_slots
  /// (an id that another id pushed out starts counting again).
  static constexpr std::size_t signed_click_slots = 65536;

 private:
  static constexpr int slot_bits = 20;
  struct Slot {
    std::uint64_t id = 0;  // 0: never used
    Issued issued;
  };
  struct SipKey {
    std::uint64_t k0 = 0, k1 = 0;
  };
  static std::uint64_t sign(const SipKey& key, std::int64_t minute, std::uint32_t shown, std::uint64_t nonce, std::string_view site);
  std::optional<Issued> verify_signed(std::uint64_t id, std::int64_t now, const std::vector<std::string>& sites) const;
  mutable std::mutex mutex_;
  std::int64_t ttl_;
  std::uint32_t max_clicks_;
  std::size_t capacity_;
  std::vector<Slot> slots_;  // capacity_ slots, made by the first issue() that needs one
  std::size_t next_ = 0, used_ = 0;
  std::mt19937_64 random_;
  // Signed ids: the key in force (read without a lock by issue(); the keys live as long as this
  // object, so a search that read the one just replaced still signs with a valid key), the one
  // before it (under mutex_), nonces from a counter mixed by splitmix64 (no lock on the search
  // path), click counts per node (under mutex_).
  std::deque<SipKey> keys_;
  std::atomic<const SipKey*> key_{nullptr};
  const SipKey* previous_key_ = nullptr;
  std::atomic<std::uint64_t> nonce_counter_{0};
  std::vector<std::pair<std::uint64_t, std::uint32_t>> signed_clicks_;
};

/// "a3f09c..." (16 hex digits) and back (none when not 16 hex digits or zero).
std::string format_query_id(std::uint64_t id);
std::optional<std::uint64_t> parse_query_id(std::string_view text);

/// A click beacon's body, {"query_id": "...", "position": n, "url": "..."} (and an optional
/// "session"); any other key, a wrong type or an oversized value is RequestError
/// "invalid_parameter" naming it, invalid JSON is "bad_request".
struct ClickBeacon {
  std::uint64_t query_id = 0;
  std::uint32_t position = 0;
  std::string url;
};
inline constexpr std::size_t max_beacon_bytes = 4096;
ClickBeacon parse_click_beacon(std::string_view body);

// --- reports ------------------------------------------------------------------------------------

/// What to report on: one site ("" every site), UTC days from..to inclusive (YYYY-MM-DD; empty:
/// the 30 days ending today).
struct ReportRequest {
  std::string site;
  std::string from;
  std::string to;
};
/// A report's bounds and windows.
inline constexpr std::size_t report_list_limit = 100;
/// A search followed by another of the same session within this long, with no click in between,
/// was reformulated into it.
inline constexpr std::int64_t reformulation_window_seconds = 300;
/// A search followed within this long in the same session by a longer query that starts with it
/// (search as you type: "jso", "json") is not counted; the last of the run is.
inline constexpr std::int64_t typing_window_seconds = 10;

struct QueryReport {
  std::string query;
  std::uint64_t searches = 0;
  std::uint64_t clicked_searches = 0;  ///< searches with at least one click
  double ctr = 0;                      ///< clicked_searches / searches
  double mean_position = 0;            ///< mean position of its clicks (0: none)
  std::uint64_t results = 0;           ///< result count of its latest search
  std::string top_url;                 ///< its most clicked result ("" none)
  std::uint64_t top_url_clicks = 0;
};
struct Reformulation {
  std::string query;
  std::uint64_t count = 0;  ///< times it was reformulated (into any query)
  struct Into {
    std::string query;
    std::uint64_t count = 0;
  };
  std::vector<Into> into;  ///< most frequent first, at most 10
};
struct DayReport {
  std::string day;
  std::uint64_t searches = 0;
  std::uint64_t suggests = 0;
  std::uint64_t clicked_searches = 0;
  std::uint64_t zero_result_searches = 0;
  double ctr = 0;
};

// Suggested fixes (docs/analytics.md#suggested-fixes): curation rules a report proposes from the
// log, with their evidence. A report never applies them; a person accepts one by adding its rule.

/// A one_way synonym Q -> R is proposed when at least this many distinct sessions searched Q,
/// did not click, searched R next (within reformulation_window_seconds) and clicked a result of
/// it: one reader's typo does not become a rule.
inline constexpr std::uint64_t min_synonym_sessions = 2;
/// A pin of URL U for query Q is proposed when U has at least this many of Q's clicks...
inline constexpr std::uint64_t min_pin_clicks = 3;
/// ...and at least this share of them, and its mean clicked position is above 1.
inline constexpr double min_pin_click_share = 0.5;

/// What a site's rules already do, so that proposals leave it out. Node::analytics_report gives
/// the rules in force, then the settings' synonyms (as synonyms rules) and landing pages (as pins).
struct SiteRules {
  std::string url;          ///< the site's url: a rule's path ("/install.html") is completed with its scheme and host
  std::vector<Rule> rules;  ///< in the site's order
};
/// By site name.
using RulesBySite = std::map<std::string, SiteRules, std::less<>>;

/// One suggested fix: a rule POST /sites/{site}/rules accepts as is, and why.
struct Proposal {
  std::string site;
  Rule rule;  ///< kind one_way ({from: Q, to: [R]}) or pin ({query: Q, urls: [U]}), with a note; no id
  // Evidence. Both kinds: Q's searches, its searches with a click, its latest result count.
  std::uint64_t searches = 0;
  std::uint64_t clicked_searches = 0;
  std::uint64_t results = 0;
  std::uint64_t sessions = 0;      ///< one_way: distinct sessions that rephrased Q into R and clicked
  std::uint64_t clicks_after = 0;  ///< one_way: clicks on those searches of R
  std::uint64_t clicks = 0;        ///< pin: clicks on U for Q
  std::uint64_t query_clicks = 0;  ///< pin: all of Q's clicks
  double mean_position = 0;        ///< pin: U's mean clicked position for Q
  std::string reason;              ///< one sentence for people
  /// What proposals are ordered by (most first): sessions for one_way, clicks for pin.
  std::uint64_t weight() const { return rule.kind == RuleKind::pin ? clicks : sessions; }
};
/// Whether `rules` already do what `proposal` would: a pin firing for its query (exact, or a
/// prefix of it) that leads with its URL, or a one_way or synonyms rule that makes its `from`
/// match its `to`. Queries compared as the log normalises them (normalize_query).
bool rules_already_do(const SiteRules& rules, const Proposal& proposal);

/// The report of GET /analytics, `siteseek analytics` and Python's engine.analytics().
struct AnalyticsReport {
  std::string site;  ///< "" every site
  std::string from, to;
  std::uint64_t searches = 0, suggests = 0, clicks = 0, clicked_searches = 0;
  double ctr = 0;
  std::vector<QueryReport> top_queries;      ///< by searches
  std::vector<QueryReport> zero_results;     ///< queries whose latest search found nothing, by searches
  std::vector<QueryReport> no_clicks;        ///< queries with results and no click, by searches
  std::vector<Reformulation> reformulations; ///< by count
  std::vector<DayReport> days;               ///< every day of the range, oldest first
  std::vector<Proposal> proposals;           ///< suggested fixes, by weight(), at most report_list_limit
};
/// The report over `events` (in the order they were recorded). `rules`: each site's rules, so
/// that no proposal repeats what they do (a site not in it: no rules).
AnalyticsReport compute_report(const std::vector<AnalyticsEvent>& events, const ReportRequest& request,
                               const RulesBySite& rules = {});
/// The report over the day files of `dir` (torn tails skipped). Throws RequestError
/// "invalid_parameter" for a date that is not YYYY-MM-DD or from after to, IoError when a file
/// cannot be read.
AnalyticsReport read_report(const std::filesystem::path& dir, ReportRequest request, std::int64_t now,
                            const RulesBySite& rules = {});
/// The report over a cluster's day logs (shared mode). Their events are put in time order first
/// (stable: one node's events of one second keep their order), since the batches of several nodes
/// interleave in a day log. Throws as read_report, RedisError when the storage is unreachable.
AnalyticsReport read_report(SharedQueryLog& shared, ReportRequest request, std::int64_t now,
                            const RulesBySite& rules = {});
/// A proposal as the report's JSON lists it: {"site","kind","rule","evidence","reason"}.
boost::json::value proposal_to_json(const Proposal& p);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const AnalyticsReport& r);

}  // namespace siteseek
