#pragma once
// Pieces shared by the CLI's commands.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "siteseek/engine.hpp"
#include "siteseek/jobs.hpp"

namespace boost::asio {
class io_context;
}
#include "siteseek/settings.hpp"

namespace siteseek {
class RediSearchBackend;
}

namespace siteseek::cli {

/// Exit codes (docs/cli.md): 0 ok, 1 runtime failure, 2 usage or configuration error.
enum Exit { ok = 0, failure = 1, usage = 2 };

/// Global options every command understands.
struct Globals {
  std::string config;               ///< --config FILE
  std::vector<std::string> sets;    ///< --set key.path=value
  std::string log_level;            ///< --log-level, or debug/trace from -v/-vv
};

/// Log levels, in the order of the settings' log_level values.
enum class Level { trace, debug, info, warn, error, off };
/// Set the level below which log() prints nothing ("trace" ... "off"; unknown names are ignored).
void set_log_level(const std::string& name);
/// Whether a message at `level` is printed.
bool logging(Level level);
/// A printf-style line on stderr when `level` is enabled (the newline is added).
void log(Level level, const char* format, ...) __attribute__((format(printf, 2, 3)));

/// Settings from defaults < file < environment < flags (--set and the command's own flags);
/// also sets the log level from the effective settings.
AppSettings load(const Globals& g, const std::vector<std::pair<std::string, std::string>>& flags = {});

/// What prepare() does for sites that have no snapshot in data_dir.
struct PrepareOptions {
  std::string only_site;        ///< only this site (empty: all)
  bool require_index = false;   ///< a site left without an index is an error naming it
  bool crawl_missing = false;   ///< crawl sites without a directory too (serve); else only directories
  Level load_level = Level::debug;  ///< "loaded snapshot" lines: info for serve, debug for one-shot commands
  /// When set, a site with a snapshot is indexed again if this says the search backend lacks it
  /// (backend = "redisearch": a Redis that has no index for the site).
  std::function<bool(const std::string& site)> backend_lacks;
};
/// Load snapshots, then index the sites that have none (saving their snapshot). A site whose
/// indexing fails is logged and left without an index unless require_index.
void prepare(Engine& engine, const PrepareOptions& options);

/// Whether stdout / stderr is a terminal.
bool stdout_is_tty();
bool stderr_is_tty();
/// A live progress line on a terminal (redrawn with \r at most 10 times a second), a plain
/// line every 2 seconds otherwise; nothing below log level info.
ProgressCallback progress_printer(const std::string& label);
/// The report of an ingestion run, for people, on `out`.
void print_report(std::FILE* out, const std::string& site, const IngestReport& report);

/// Options of `siteseek worker` (and of serve's embedded worker).
struct WorkerFlags {
  std::string name;                 ///< shown in jobs (default host:pid)
  std::uint32_t lease_ms = 30000;   ///< a job whose worker stops renewing runs again after this
  std::uint32_t max_attempts = 3;
};

/// storage = "redis": the local settings with the shared keys from Redis when stored there.
AppSettings with_shared_settings(AppSettings local);
/// `siteseek config push`: store the settings in Redis for every node.
int push_settings(const AppSettings& settings, bool include_secrets);
/// `siteseek worker`: run queued jobs until SIGINT/SIGTERM.
int run_worker(Engine& engine, const WorkerFlags& flags);

#ifdef SITESEEK_WITH_REDIS
/// What `serve` runs with storage = "redis": the index watcher, the Redis job queue (attached to
/// the server's event loop) and optionally a worker; queues jobs for sites without an index.
class SharedServe {
 public:
  SharedServe(Engine& engine, const WorkerFlags& flags, bool embedded_worker);
  ~SharedServe();
  void attach(boost::asio::io_context& io);
  JobQueue* jobs();
  /// "" while Redis answers, else the reason (for /health).
  std::string health() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// What `serve` runs with backend = "redisearch": searches answered by RediSearch on the
/// server's event loop.
class RediSearchServe {
 public:
  explicit RediSearchServe(Engine& engine);
  ~RediSearchServe();
  void attach(boost::asio::io_context& io);
  /// The server's search hook: never blocks.
  void search(const SearchRequest& request, std::function<void(std::exception_ptr, SearchResponse)> done);
  /// "" while RediSearch's Redis answers, else the reason.
  std::string health() const;
  /// Whether RediSearch has no index for the site (false, logged, when Redis cannot tell).
  bool lacks_index(const std::string& site);

 private:
  Engine& engine_;
  std::unique_ptr<RediSearchBackend> backend_;
};
#endif

/// `siteseek query`: the stdin transport (query.cpp).
int run_query(Engine& engine, const std::string& site);

}  // namespace siteseek::cli
