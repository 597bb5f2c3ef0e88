// Indexing jobs in Redis: the queue (submit, find, recent; blocking and async) and the worker.
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <charconv>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "siteseek/json.hpp"
#include "siteseek/redis_jobs.hpp"

namespace siteseek {

namespace {

using Clock = std::chrono::system_clock;

// ARGV: prefix, site, new id, now ms, history. Returns the job (new, or the site's queued one:
// it has not read the site yet; a running one may have, so a new job follows it) as HGETALL.
constexpr const char* submit_script = R"lua(
local p = ARGV[1]
local active = p .. 'site:' .. ARGV[2] .. ':active'
local cur = redis.call('GET', active)
if cur then
  local st = redis.call('HGET', p .. 'job:' .. cur, 'status')
  if st == 'queued' then return redis.call('HGETALL', p .. 'job:' .. cur) end
end
local id = ARGV[3]
local k = p .. 'job:' .. id
redis.call('HSET', k, 'id', id, 'site', ARGV[2], 'status', 'queued', 'created_at', ARGV[4], 'attempts', 0)
redis.call('SET', active, id)
redis.call('LPUSH', p .. 'jobs:queue', id)
redis.call('ZADD', p .. 'jobs:recent', ARGV[4], id)
local keep = tonumber(ARGV[5])
local n = redis.call('ZCARD', p .. 'jobs:recent')
if n > keep then
  for _, old in ipairs(redis.call('ZRANGE', p .. 'jobs:recent', 0, n - keep - 1)) do
    local st = redis.call('HGET', p .. 'job:' .. old, 'status')
    if st ~= 'queued' and st ~= 'running' then
      redis.call('DEL', p .. 'job:' .. old)
      redis.call('ZREM', p .. 'jobs:recent', old)
    end
  end
end
return redis.call('HGETALL', k)
)lua";

// ARGV: prefix, now ms, lease ms, worker, max attempts, token. Requeues jobs whose lease expired
// (or fails them after max attempts), then takes the oldest queued job. Returns HGETALL or nil.
constexpr const char* claim_script = R"lua(
local p = ARGV[1]
local now = tonumber(ARGV[2])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', p .. 'jobs:leases', '-inf', now)) do
  redis.call('ZREM', p .. 'jobs:leases', id)
  local k = p .. 'job:' .. id
  local attempts = tonumber(redis.call('HGET', k, 'attempts') or '0')
  local who = redis.call('HGET', k, 'worker') or '?'
  if attempts >= tonumber(ARGV[5]) then
    redis.call('HSET', k, 'status', 'failed', 'ended_at', ARGV[2],
               'error', 'its worker stopped renewing the lease (' .. who .. '), ' .. attempts .. ' attempts')
    local site = redis.call('HGET', k, 'site')
    if site and redis.call('GET', p .. 'site:' .. site .. ':active') == id then
      redis.call('DEL', p .. 'site:' .. site .. ':active')
    end
  else
    redis.call('HSET', k, 'status', 'queued', 'requeued_from', who)
    redis.call('RPUSH', p .. 'jobs:queue', id)
  end
end
local id = redis.call('RPOP', p .. 'jobs:queue')
if not id then return false end
local k = p .. 'job:' .. id
redis.call('HINCRBY', k, 'attempts', 1)
redis.call('HSET', k, 'status', 'running', 'started_at', ARGV[2], 'worker', ARGV[4], 'token', ARGV[6])
redis.call('ZADD', p .. 'jobs:leases', now + tonumber(ARGV[3]), id)
return redis.call('HGETALL', k)
)lua";

// ARGV: prefix, id, token, now ms, lease ms, progress. 1 while the job is still this worker's.
constexpr const char* renew_script = R"lua(
local p = ARGV[1]
local k = p .. 'job:' .. ARGV[2]
if redis.call('HGET', k, 'token') ~= ARGV[3] or redis.call('HGET', k, 'status') ~= 'running' then return 0 end
redis.call('ZADD', p .. 'jobs:leases', tonumber(ARGV[4]) + tonumber(ARGV[5]), ARGV[2])
redis.call('HSET', k, 'progress', ARGV[6])
local lock = p .. 'lock:' .. redis.call('HGET', k, 'site')
if redis.call('GET', lock) == ARGV[3] then redis.call('PEXPIRE', lock, ARGV[5]) end
return 1
)lua";

// ARGV: prefix, id, token, now ms, status, report json, error. Records the outcome and releases
// the site (active job and lock) only when they are still this worker's. 0: the job was lost.
constexpr const char* finish_script = R"lua(
local p = ARGV[1]
local k = p .. 'job:' .. ARGV[2]
if redis.call('HGET', k, 'token') ~= ARGV[3] then return 0 end
redis.call('ZREM', p .. 'jobs:leases', ARGV[2])
redis.call('HSET', k, 'status', ARGV[5], 'ended_at', ARGV[4], 'report', ARGV[6], 'error', ARGV[7])
local site = redis.call('HGET', k, 'site')
if redis.call('GET', p .. 'site:' .. site .. ':active') == ARGV[2] then redis.call('DEL', p .. 'site:' .. site .. ':active') end
if redis.call('GET', p .. 'lock:' .. site) == ARGV[3] then redis.call('DEL', p .. 'lock:' .. site) end
return 1
)lua";

// ARGV: prefix, id, token. Puts a claimed job back at the head of the queue (the site was locked).
constexpr const char* requeue_script = R"lua(
local p = ARGV[1]
local k = p .. 'job:' .. ARGV[2]
if redis.call('HGET', k, 'token') ~= ARGV[3] then return 0 end
redis.call('ZREM', p .. 'jobs:leases', ARGV[2])
redis.call('HINCRBY', k, 'attempts', -1)
redis.call('HSET', k, 'status', 'queued')
redis.call('RPUSH', p .. 'jobs:queue', ARGV[2])
return 1
)lua";

// ARGV: prefix, limit. The newest jobs, each as HGETALL.
constexpr const char* recent_script = R"lua(
local out = {}
for _, id in ipairs(redis.call('ZREVRANGE', ARGV[1] .. 'jobs:recent', 0, tonumber(ARGV[2]) - 1)) do
  local h = redis.call('HGETALL', ARGV[1] .. 'job:' .. id)
  if #h > 0 then out[#out + 1] = h end
end
return out
)lua";

std::string now_ms() {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count());
}

// Job ids and lock tokens, from the system's random source (a few per job: no generator state
// kept, and none in thread-local storage, which the Python module's static TLS cannot spare).
std::string random_hex(std::size_t digits) {
  std::random_device rd;
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  while (out.size() < digits) {
    auto r = rd();
    for (int i = 0; i < 8 && out.size() < digits; ++i) out += hex[(r >> (i * 4)) & 15];
  }
  return out;
}

std::uint64_t to_u64(std::string_view s) {
  std::uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

Clock::time_point to_time(std::string_view ms) {
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::milliseconds(to_u64(ms))));
}

std::string progress_text(const IngestProgress& p) {
  return std::to_string(p.fetched) + " " + std::to_string(p.queued) + " " + std::to_string(p.documents) + " " +
         std::to_string(p.errors);
}

// The report as JSON text in the job's hash (shape in siteseek/json.hpp). A report that cannot be
// read back is left out (null), not an error: the job itself is still known.
std::string report_json(const IngestReport& r) { return boost::json::serialize(boost::json::value_from(r)); }

std::optional<IngestReport> report_from_json(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return boost::json::value_to<IngestReport>(v);
}

/// A job from an HGETALL reply (field, value, field, value, ...).
std::optional<Job> job_from_hash(const RedisReply& r) {
  if (r.type != RedisReply::Type::array || r.elements.empty()) return std::nullopt;
  Job job;
  for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    const std::string& f = r.elements[i].str;
    const std::string& v = r.elements[i + 1].str;
    if (f == "id") job.id = v;
    else if (f == "site") job.site = v;
    else if (f == "status")
      job.status = v == "running" ? JobStatus::running : v == "finished" ? JobStatus::finished
                   : v == "failed" ? JobStatus::failed : JobStatus::queued;
    else if (f == "created_at") job.created_at = to_time(v);
    else if (f == "started_at") job.started_at = to_time(v);
    else if (f == "ended_at") job.ended_at = to_time(v);
    else if (f == "error") job.error = v;
    else if (f == "worker") job.worker = v;
    else if (f == "attempts") job.attempts = static_cast<unsigned>(to_u64(v));
    else if (f == "report" && !v.empty()) job.report = report_from_json(v);
    else if (f == "progress") {
      std::uint64_t n[4] = {};
      std::size_t k = 0, start = 0;
      for (std::size_t j = 0; j <= v.size() && k < 4; ++j)
        if (j == v.size() || v[j] == ' ') n[k++] = to_u64(std::string_view(v).substr(start, j - start)), start = j + 1;
      job.progress = {n[0], n[1], n[2], n[3]};
    }
  }
  if (job.status == JobStatus::queued) job.started_at.reset();  // requeued: not running now
  return job;
}

std::string hash_field(const RedisReply& r, std::string_view name) {
  for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2)
    if (r.elements[i].str == name) return r.elements[i + 1].str;
  return {};
}

RedisCommand submit_command(const RedisJobOptions& o, const std::string& site) {
  return {"EVAL", submit_script, "0", o.prefix, site, random_hex(16), now_ms(), std::to_string(o.history)};
}

RedisCommand find_command(const RedisJobOptions& o, const std::string& id) { return {"HGETALL", o.prefix + "job:" + id}; }

bool plausible_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 &&
         id.find_first_not_of("0123456789abcdefABCDEF-") == std::string::npos;
}

}  // namespace

// ---------------------------------------------------------------------------------------- queue

struct RedisJobQueue::Impl {
  RedisJobOptions options;
  RedisOptions redis_options;
  mutable RedisConnection redis;
  std::shared_ptr<RedisClient> client;  // after attach()
  Impl(RedisOptions r, RedisJobOptions o) : options(std::move(o)), redis_options(r), redis(std::move(r)) {}
};

RedisJobQueue::RedisJobQueue(RedisOptions redis, RedisJobOptions options)
    : impl_(std::make_unique<Impl>(std::move(redis), std::move(options))) {}
RedisJobQueue::~RedisJobQueue() = default;

void RedisJobQueue::attach(boost::asio::io_context& io) {
  impl_->client = RedisClient::create(io, impl_->redis_options);
  impl_->client->connect();
}

Job RedisJobQueue::submit(const std::string& site) {
  auto r = impl_->redis.command(submit_command(impl_->options, site)).check("queueing a job for '" + site + "'");
  return *job_from_hash(r);
}

std::optional<Job> RedisJobQueue::find(const std::string& id) const {
  if (!plausible_id(id)) return std::nullopt;
  return job_from_hash(impl_->redis.command(find_command(impl_->options, id)).check());
}

namespace {
std::vector<Job> jobs_from(const RedisReply& r) {
  std::vector<Job> out;
  for (const auto& h : r.elements)
    if (auto j = job_from_hash(h)) out.push_back(std::move(*j));
  return out;
}
RedisCommand recent_command(const RedisJobOptions& o, std::size_t limit) {
  return {"EVAL", recent_script, "0", o.prefix, std::to_string(limit)};
}
}  // namespace

std::vector<Job> RedisJobQueue::recent(std::size_t limit) const {
  return jobs_from(impl_->redis.command(recent_command(impl_->options, limit)).check());
}

void RedisJobQueue::recent_async(std::size_t limit, Completion<std::vector<Job>> done) const {
  if (!impl_->client) return JobQueue::recent_async(limit, std::move(done));
  impl_->client->command(recent_command(impl_->options, limit), [done = std::move(done)](std::exception_ptr e, RedisReply r) {
    if (!e && r.is_error()) e = std::make_exception_ptr(RedisError("redis_error", r.str));
    if (e) return done(e, {});
    done(nullptr, jobs_from(r));
  });
}

void RedisJobQueue::submit_async(const std::string& site, Completion<Job> done) {
  if (!impl_->client) return JobQueue::submit_async(site, std::move(done));
  impl_->client->command(submit_command(impl_->options, site), [done = std::move(done), site](std::exception_ptr e, RedisReply r) {
    if (!e && r.is_error()) e = std::make_exception_ptr(RedisError("redis_error", "queueing a job for '" + site + "': " + r.str));
    if (e) return done(e, {});
    done(nullptr, job_from_hash(r).value_or(Job{}));
  });
}

void RedisJobQueue::find_async(const std::string& id, Completion<std::optional<Job>> done) const {
  if (!plausible_id(id)) return done(nullptr, std::nullopt);
  if (!impl_->client) return JobQueue::find_async(id, std::move(done));
  impl_->client->command(find_command(impl_->options, id), [done = std::move(done)](std::exception_ptr e, RedisReply r) {
    if (!e && r.is_error()) e = std::make_exception_ptr(RedisError("redis_error", r.str));
    if (e) return done(e, std::nullopt);
    done(nullptr, job_from_hash(r));
  });
}

bool RedisJobQueue::connected() const noexcept { return impl_->client && impl_->client->connected(); }
std::string RedisJobQueue::last_error() const { return impl_->client ? impl_->client->last_error() : "not attached"; }

// --------------------------------------------------------------------------------------- worker

struct RedisWorker::Impl {
  RedisOptions redis_options;
  RedisJobOptions jobs;
  ReindexFunction reindex;
  Options options;
  RedisConnection redis;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable wake;

  Impl(RedisOptions r, RedisJobOptions j, ReindexFunction f, Options o)
      : redis_options(r), jobs(std::move(j)), reindex(std::move(f)), options(std::move(o)), redis(std::move(r)) {
    if (options.name.empty()) {
      char host[256] = {};
      ::gethostname(host, sizeof host - 1);
      options.name = std::string(host) + ":" + std::to_string(::getpid());
    }
  }

  void pause(std::chrono::milliseconds d) {
    std::unique_lock lock(mutex);
    wake.wait_for(lock, d, [&] { return stopping.load(); });
  }

  bool run_one() {
    const std::string token = random_hex(32);
    auto claimed = redis.command({"EVAL", claim_script, "0", jobs.prefix, now_ms(), std::to_string(jobs.lease.count()),
                                  options.name, std::to_string(jobs.max_attempts), token})
                       .check("claiming a job");
    if (claimed.is_nil() || claimed.type != RedisReply::Type::array) return false;
    const std::string id = hash_field(claimed, "id");
    const std::string site = hash_field(claimed, "site");
    auto locked = redis.command({"SET", jobs.prefix + "lock:" + site, token, "NX", "PX", std::to_string(jobs.lease.count())}).check();
    if (locked.is_nil()) {  // another worker still holds the site: give the job back, try later
      redis.command({"EVAL", requeue_script, "0", jobs.prefix, id, token}).check();
      return false;
    }

    // Renew the lease and lock, and publish progress, while the reindex runs on this thread.
    std::mutex progress_mutex;
    IngestProgress progress;
    std::atomic<bool> done{false};
    std::condition_variable renew_wake;
    std::mutex renew_mutex;
    std::thread renewer([&] {
      RedisConnection conn(redis_options);
      const auto every = std::max(jobs.lease / 3, std::chrono::milliseconds(10));
      while (!done) {
        {
          std::unique_lock lock(renew_mutex);
          renew_wake.wait_for(lock, every, [&] { return done.load(); });
        }
        if (done) break;
        std::string p;
        {
          std::lock_guard lock(progress_mutex);
          p = progress_text(progress);
        }
        try {
          conn.command({"EVAL", renew_script, "0", jobs.prefix, id, token, now_ms(), std::to_string(jobs.lease.count()), p});
        } catch (const RedisError&) {
          // Redis is away: the lease may lapse and the job run again elsewhere; keep trying.
        }
      }
    });
    std::string status = "finished", report, error;
    try {
      IngestReport r = reindex(site, [&](const IngestProgress& p) {
        std::lock_guard lock(progress_mutex);
        progress = p;
      });
      report = report_json(r);
    } catch (const std::exception& e) {
      status = "failed";
      error = e.what();
    }
    {
      std::lock_guard lock(renew_mutex);
      done = true;
    }
    renew_wake.notify_all();
    renewer.join();
    // The outcome must reach Redis: retry through an outage, unless asked to stop.
    for (auto wait = std::chrono::milliseconds(100);; wait = std::min(wait * 2, std::chrono::milliseconds(5000))) {
      try {
        redis.command({"EVAL", finish_script, "0", jobs.prefix, id, token, now_ms(), status, report, error}).check();
        break;
      } catch (const RedisError& e) {
        if (!e.unavailable() || stopping) throw;
        pause(wait);
      }
    }
    return true;
  }
};

RedisWorker::RedisWorker(RedisOptions redis, RedisJobOptions jobs, ReindexFunction reindex, Options options)
    : impl_(std::make_unique<Impl>(std::move(redis), std::move(jobs), std::move(reindex), std::move(options))) {}
RedisWorker::~RedisWorker() = default;

bool RedisWorker::run_one() { return impl_->run_one(); }

void RedisWorker::run(const std::function<void(const std::string&)>& log) {
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);  // indexing yields to searches
  auto wait = impl_->options.poll;
  while (!impl_->stopping) {
    try {
      if (impl_->run_one()) {
        wait = impl_->options.poll;
        continue;
      }
      impl_->pause(impl_->options.poll);
    } catch (const RedisError& e) {
      if (log) log(std::string("worker ") + impl_->options.name + ": " + e.what());
      impl_->pause(wait);
      wait = std::min(wait * 2, std::chrono::milliseconds(5000));
    }
  }
}

void RedisWorker::stop() noexcept {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
}

}  // namespace siteseek
