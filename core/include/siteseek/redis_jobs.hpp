#pragma once
// Indexing jobs in Redis (storage = "redis"): any node submits and looks jobs up, workers run
// them. A submit while the site has a queued job returns that job (the debounce); while its job
// runs, a new one is queued to follow (the running one may have read the site before the change).
// A worker holds a lease on its job and a per-site lock (SET NX PX with its token, renewed while
// it works, released only by its owner); a job whose worker stops renewing goes back to the queue
// when its lease expires and fails after max_attempts. Every step is one Lua script, so no two
// nodes see a half-made change.
//
// Keys under the prefix: job:<id> (hash), jobs:queue (list), jobs:leases (zset id -> deadline),
// jobs:recent (zset id -> created), site:<site>:active (id of its newest job), lock:<site> (token).
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "siteseek/jobs.hpp"
#include "siteseek/redis.hpp"

namespace boost::asio {
class io_context;
}

namespace siteseek {

/// What the queue and its workers share.
struct RedisJobOptions {
  std::string prefix = "siteseek:";
  std::chrono::milliseconds lease{30000};  ///< a worker renews every lease/3
  unsigned max_attempts = 3;               ///< runs of a job whose workers died, before it fails
  std::size_t history = 1000;              ///< finished jobs remembered
};

/// The queue as the HTTP server, CLI and Python see it. Blocking calls use their own connection;
/// the *_async calls need attach() and never block.
class RedisJobQueue final : public JobQueue {
 public:
  RedisJobQueue(RedisOptions redis, RedisJobOptions options = {});
  ~RedisJobQueue() override;
  RedisJobQueue(const RedisJobQueue&) = delete;
  RedisJobQueue& operator=(const RedisJobQueue&) = delete;

  /// Use an async client on `io` for submit_async/find_async (the HTTP server's io_context).
  void attach(boost::asio::io_context& io);

  Job submit(const std::string& site) override;
  std::optional<Job> find(const std::string& id) const override;
  std::vector<Job> recent(std::size_t limit) const override;
  void submit_async(const std::string& site, Completion<Job> done) override;
  void find_async(const std::string& id, Completion<std::optional<Job>> done) const override;
  void recent_async(std::size_t limit, Completion<std::vector<Job>> done) const override;
  /// Whether the async client is connected (for /health); false before attach().
  bool connected() const noexcept;
  std::string last_error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Runs queued jobs on the calling thread until stop(): claim, lock the site, reindex while a
/// second thread renews the lease and lock and writes progress, then record the outcome.
class RedisWorker {
 public:
  using ReindexFunction = JobRunner::ReindexFunction;
  struct Options {
    std::string name;                       ///< shown in jobs; default host:pid
    std::chrono::milliseconds poll{250};    ///< wait between empty claims
  };
  RedisWorker(RedisOptions redis, RedisJobOptions jobs, ReindexFunction reindex, Options options);
  ~RedisWorker();
  RedisWorker(const RedisWorker&) = delete;
  RedisWorker& operator=(const RedisWorker&) = delete;

  /// Work until stop() (Redis errors are logged through `log` and retried with a pause).
  void run(const std::function<void(const std::string& line)>& log = {});
  /// Claim and run at most one job; false when the queue was empty. Throws RedisError.
  bool run_one();
  /// Ask run() to return after the current job (thread-safe, from a signal-handling thread).
  void stop() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace siteseek
