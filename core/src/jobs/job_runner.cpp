#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

#include "siteseek/jobs.hpp"

namespace siteseek {

const char* to_string(JobStatus status) {
  switch (status) {
    case JobStatus::queued: return "queued";
    case JobStatus::running: return "running";
    case JobStatus::finished: return "finished";
    case JobStatus::failed: return "failed";
  }
  return "unknown";
}

struct JobRunner::Impl {
  ReindexFunction reindex;
  Options options;
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::map<std::string, Job> jobs;           // id -> job
  std::deque<std::string> order;             // ids, oldest first (bounded history)
  std::deque<std::string> queue;             // ids waiting to run
  std::map<std::string, std::string> queued; // site -> id of its queued job (at most one)
  std::set<std::string> busy;                // sites with a running job
  std::size_t running = 0;
  bool stopping = false;
  std::vector<std::thread> threads;
  std::mt19937_64 rng{std::random_device{}()};

  std::string new_id() {
    static const char* hex = "0123456789abcdef";
    std::string id;
    auto r = rng();
    for (int i = 0; i < 16; ++i) id += hex[(r >> (i * 4)) & 15];
    return id;
  }

  void forget_old() {
    while (order.size() > options.history) {
      auto it = jobs.find(order.front());
      if (it != jobs.end() && (it->second.status == JobStatus::queued || it->second.status == JobStatus::running)) break;
      if (it != jobs.end()) jobs.erase(it);
      order.pop_front();
    }
  }

  void work() {
    // Indexing yields the CPU to searches: on a 2-core server a reindex must not double the
    // search latency (bench/soak). Linux applies nice to the calling thread only.
    ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
    std::unique_lock lock(mutex);
    while (true) {
      // The oldest queued job whose site is not being indexed: a site's jobs run one at a time.
      std::deque<std::string>::iterator next;
      changed.wait(lock, [&] {
        next = std::find_if(queue.begin(), queue.end(), [&](const std::string& id) { return !busy.count(jobs.at(id).site); });
        return stopping || next != queue.end();
      });
      if (stopping) return;
      std::string id = *next;
      queue.erase(next);
      Job& job = jobs.at(id);
      queued.erase(job.site);
      busy.insert(job.site);
      job.status = JobStatus::running;
      job.started_at = std::chrono::system_clock::now();
      job.worker = "local";
      ++job.attempts;
      ++running;
      std::string site = job.site;
      lock.unlock();

      std::optional<IngestReport> report;
      std::string error;
      try {
        report = reindex(site, [this, id](const IngestProgress& p) {
          std::lock_guard l(mutex);
          auto it = jobs.find(id);
          if (it != jobs.end()) it->second.progress = p;
        });
      } catch (const std::exception& e) {
        error = e.what();
      } catch (...) {
        error = "unknown error";
      }

      lock.lock();
      Job& done = jobs.at(id);
      done.ended_at = std::chrono::system_clock::now();
      if (report) {
        done.status = JobStatus::finished;
        done.report = std::move(report);
      } else {
        done.status = JobStatus::failed;
        done.error = error;
      }
      busy.erase(site);
      --running;
      forget_old();
      changed.notify_all();
    }
  }
};

JobRunner::JobRunner(ReindexFunction reindex, Options options) : impl_(std::make_unique<Impl>()) {
  impl_->reindex = std::move(reindex);
  impl_->options = options;
  for (unsigned i = 0; i < std::max(1u, options.threads); ++i) impl_->threads.emplace_back([this] { impl_->work(); });
}

JobRunner::JobRunner(ReindexFunction reindex) : JobRunner(std::move(reindex), Options{}) {}

JobRunner::~JobRunner() { stop(); }

void JobRunner::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->changed.notify_all();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
}

Job JobRunner::submit(const std::string& site) {
  std::lock_guard lock(impl_->mutex);
  // A queued job has not read the site yet, so it serves this request too; a running one may
  // have read it before the change that prompted this submit, so a new job follows it.
  if (auto it = impl_->queued.find(site); it != impl_->queued.end()) return impl_->jobs.at(it->second);
  Job job;
  job.id = impl_->new_id();
  job.site = site;
  job.created_at = std::chrono::system_clock::now();
  impl_->jobs.emplace(job.id, job);
  impl_->order.push_back(job.id);
  impl_->queue.push_back(job.id);
  impl_->queued.emplace(site, job.id);
  impl_->forget_old();
  impl_->changed.notify_all();
  return job;
}

std::optional<Job> JobRunner::find(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->jobs.find(id);
  if (it == impl_->jobs.end()) return std::nullopt;
  return it->second;
}

std::vector<Job> JobRunner::recent(std::size_t limit) const {
  std::lock_guard lock(impl_->mutex);
  std::vector<Job> out;
  for (auto it = impl_->order.rbegin(); it != impl_->order.rend() && out.size() < limit; ++it) {
    auto j = impl_->jobs.find(*it);
    if (j != impl_->jobs.end()) out.push_back(j->second);
  }
  return out;
}

std::vector<std::pair<JobStatus, std::size_t>> JobRunner::counts() const {
  std::lock_guard lock(impl_->mutex);
  std::size_t c[4] = {0, 0, 0, 0};
  for (const auto& [id, job] : impl_->jobs) ++c[static_cast<int>(job.status)];
  return {{JobStatus::queued, c[0]}, {JobStatus::running, c[1]}, {JobStatus::finished, c[2]}, {JobStatus::failed, c[3]}};
}

void JobRunner::wait_idle() const {
  std::unique_lock lock(impl_->mutex);
  impl_->changed.wait(lock, [&] { return impl_->queue.empty() && impl_->running == 0; });
}

void JobQueue::submit_async(const std::string& site, Completion<Job> done) {
  Job job;
  try {
    job = submit(site);
  } catch (...) {
    return done(std::current_exception(), {});
  }
  done(nullptr, std::move(job));
}

void JobQueue::find_async(const std::string& id, Completion<std::optional<Job>> done) const {
  std::optional<Job> job;
  try {
    job = find(id);
  } catch (...) {
    return done(std::current_exception(), {});
  }
  done(nullptr, std::move(job));
}

void JobQueue::recent_async(std::size_t limit, Completion<std::vector<Job>> done) const {
  std::vector<Job> jobs;
  try {
    jobs = recent(limit);
  } catch (...) {
    return done(std::current_exception(), {});
  }
  done(nullptr, std::move(jobs));
}

}  // namespace siteseek
