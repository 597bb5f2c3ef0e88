#pragma once
// Indexing jobs: run a site's reindex in the background, one at a time per site, and report on
// it. JobQueue is the interface transports use; JobRunner runs jobs in this process (a
// Redis-backed queue shared by several nodes implements the same interface).
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "siteseek/ingest.hpp"

namespace siteseek {

enum class JobStatus { queued, running, finished, failed };

/// "queued", "running", "finished", "failed".
const char* to_string(JobStatus status);

/// One indexing job as reported by GET /jobs/{id}.
struct Job {
  std::string id;
  std::string site;
  JobStatus status = JobStatus::queued;
  std::chrono::system_clock::time_point created_at{};
  std::optional<std::chrono::system_clock::time_point> started_at;
  std::optional<std::chrono::system_clock::time_point> ended_at;
  IngestProgress progress;
  std::optional<IngestReport> report;  ///< when finished
  std::string error;                   ///< when failed
  std::string worker;                  ///< who runs or ran it ("" until started; "local" in-process)
  unsigned attempts = 0;               ///< runs started (more than 1: a worker died and it ran again)
};

/// Where jobs are queued and looked up.
class JobQueue {
 public:
  virtual ~JobQueue() = default;
  /// Queue a reindex of `site`; when one is already queued (not yet started), return that job
  /// instead. One submitted while the site's job runs is queued and runs after it.
  virtual Job submit(const std::string& site) = 0;
  /// A job by id, or nothing when unknown (or forgotten: history is bounded).
  virtual std::optional<Job> find(const std::string& id) const = 0;
  /// Recent jobs, newest first.
  virtual std::vector<Job> recent(std::size_t limit) const = 0;

  /// Outcome of an asynchronous call: an error, or the value.
  template <class T>
  using Completion = std::function<void(std::exception_ptr error, T value)>;
  /// submit/find without blocking the caller's thread (the HTTP io threads): `done` runs later,
  /// on another thread, or at once for a queue that never waits (the default calls submit/find).
  virtual void submit_async(const std::string& site, Completion<Job> done);
  virtual void find_async(const std::string& id, Completion<std::optional<Job>> done) const;
  virtual void recent_async(std::size_t limit, Completion<std::vector<Job>> done) const;
};

/// Runs jobs on its own background threads (never on a caller's thread).
class JobRunner final : public JobQueue {
 public:
  /// What a job does: reindex the site, reporting progress; throws on failure.
  using ReindexFunction = std::function<IngestReport(const std::string& site, const ProgressCallback& progress)>;

  struct Options {
    unsigned threads = 1;       ///< jobs run at once (different sites; a site's jobs run in turn)
    std::size_t history = 1000; ///< finished jobs remembered
  };

  JobRunner(ReindexFunction reindex, Options options);
  explicit JobRunner(ReindexFunction reindex);
  /// Waits for running jobs to finish; queued ones are dropped.
  ~JobRunner() override;
  /// What the destructor does, earlier: no job starts after it, the running ones finish (their
  /// threads joined). Jobs submitted after it stay queued.
  void stop();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  Job submit(const std::string& site) override;
  std::optional<Job> find(const std::string& id) const override;
  std::vector<Job> recent(std::size_t limit) const override;
  /// Counts by status, for metrics.
  std::vector<std::pair<JobStatus, std::size_t>> counts() const;
  /// Block until no job is queued or running (tests, shutdown).
  void wait_idle() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace siteseek
