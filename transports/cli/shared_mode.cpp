// storage = "redis" for the CLI: settings shared through Redis, `siteseek worker`, and what
// `siteseek serve` runs beside the HTTP server (index watcher, Redis job queue, embedded worker).
#include <pthread.h>
#include <signal.h>

#include <thread>

#include "cli.hpp"
#include "siteseek/error.hpp"
#ifdef SITESEEK_WITH_REDIS
#include "siteseek/redis_jobs.hpp"
#include "siteseek/redisearch.hpp"
#include "siteseek/store.hpp"
#endif

namespace siteseek::cli {

#ifdef SITESEEK_WITH_REDIS

AppSettings with_shared_settings(AppSettings local) {
  if (local.storage != "redis") return local;
  RedisStore store(parse_redis_url(local.redis_url, "redis_url"));
  std::optional<AppSettings> shared;
  try {
    shared = store.load_settings();
  } catch (const RedisError& e) {
    if (local.sites.empty()) throw;
    log(Level::warn, "settings: %s; going on with the local settings", e.what());
    return local;
  }
  if (!shared) {
    log(Level::debug, "settings: none in redis at %s; using the local ones (`siteseek config push` shares them)",
        store.connection().options().display().c_str());
    return local;
  }
  log(Level::info, "settings: %zu site(s) from redis at %s", shared->sites.size(), store.connection().options().display().c_str());
  AppSettings merged = merge_shared_settings(local, *shared);
  validate(merged);
  return merged;
}

int push_settings(const AppSettings& settings, bool include_secrets) {
  if (settings.storage != "redis") throw ConfigError("storage", "config push needs storage = \"redis\"");
  RedisStore store(parse_redis_url(settings.redis_url, "redis_url"));
  store.save_settings(settings, include_secrets ? SecretPolicy::include : SecretPolicy::mask);
  std::printf("stored %zu site(s) in %s at %s%s\n", settings.sites.size(), store.key("settings").c_str(),
              store.connection().options().display().c_str(), include_secrets ? " (with the API key)" : "");
  return ok;
}

namespace {

RedisJobOptions job_options(const WorkerFlags& flags) {
  RedisJobOptions o;
  o.lease = std::chrono::milliseconds(flags.lease_ms);
  o.max_attempts = flags.max_attempts;
  return o;
}

RedisWorker::ReindexFunction reindex_with(Engine& engine) {
  return [&engine](const std::string& site, const ProgressCallback& progress) {
    log(Level::info, "%s: indexing (job from the queue)", site.c_str());
    auto report = engine.reindex(site, progress);
    log(Level::info, "%s: indexed, %llu documents", site.c_str(), static_cast<unsigned long long>(report.documents));
    return report;
  };
}

}  // namespace

int run_worker(Engine& engine, const WorkerFlags& flags) {
  if (engine.settings().storage != "redis") throw ConfigError("storage", "siteseek worker needs storage = \"redis\"");
  auto redis = parse_redis_url(engine.settings().redis_url, "redis_url");
  RedisWorker worker(redis, job_options(flags), reindex_with(engine), {flags.name, std::chrono::milliseconds(250)});
  // SIGINT/SIGTERM: finish the current job, then return. A thread waits for them, so the
  // handler-free stop() is called outside signal context.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig != 0) worker.stop();
  });
  std::fprintf(stderr, "siteseek worker %s: taking jobs from redis at %s (Ctrl-C stops)\n",
               flags.name.empty() ? "" : flags.name.c_str(), redis.display().c_str());
  worker.run([](const std::string& line) { log(Level::warn, "%s", line.c_str()); });
  pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter if no signal came
  waiter.join();
  log(Level::info, "siteseek worker: stopped");
  return ok;
}

struct SharedServe::Impl {
  RedisOptions redis;
  std::unique_ptr<IndexWatcher> watcher;
  std::unique_ptr<RedisJobQueue> queue;
  std::unique_ptr<RedisWorker> worker;
  std::thread worker_thread;
};

SharedServe::SharedServe(Engine& engine, const WorkerFlags& flags, bool embedded_worker) : impl_(std::make_unique<Impl>()) {
  impl_->redis = parse_redis_url(engine.settings().redis_url, "redis_url");
  IndexWatcher::Options wo;
  wo.on_change = [](const std::string& site, std::uint64_t version, const std::string& error) {
    if (error.empty()) log(Level::info, "%s: now on version %llu from redis", site.c_str(), static_cast<unsigned long long>(version));
    else log(Level::error, "%s: cannot load the index from redis: %s", site.c_str(), error.c_str());
  };
  impl_->watcher = std::make_unique<IndexWatcher>(engine, impl_->redis, std::move(wo));
  impl_->queue = std::make_unique<RedisJobQueue>(impl_->redis, job_options(flags));
  if (embedded_worker) {
    impl_->worker = std::make_unique<RedisWorker>(impl_->redis, job_options(flags), reindex_with(engine),
                                                  RedisWorker::Options{flags.name, std::chrono::milliseconds(250)});
    impl_->worker_thread = std::thread([w = impl_->worker.get()] {
      w->run([](const std::string& line) { log(Level::warn, "%s", line.c_str()); });
    });
  }
  // Sites nobody has indexed yet: queue a job, so a worker (this one or another) builds them.
  for (const auto& s : engine.settings().sites) {
    if (engine.current(s.name)) continue;
    try {
      auto job = impl_->queue->submit(s.name);
      log(Level::info, "%s: no index in redis yet; job %s queued%s", s.name.c_str(), job.id.c_str(),
          embedded_worker ? "" : " (run `siteseek worker` or serve --worker to process it)");
    } catch (const RedisError& e) {
      log(Level::error, "%s: no index and redis is unavailable: %s", s.name.c_str(), e.what());
    }
  }
}

SharedServe::~SharedServe() {
  if (impl_->worker) {
    impl_->worker->stop();
    impl_->worker_thread.join();
  }
}

void SharedServe::attach(boost::asio::io_context& io) { impl_->queue->attach(io); }

JobQueue* SharedServe::jobs() { return impl_->queue.get(); }

std::string SharedServe::health() const {
  if (impl_->watcher->connected()) return {};
  std::string why = impl_->watcher->last_error();
  return "redis at " + impl_->redis.display() + " is unavailable" + (why.empty() ? "" : ": " + why) +
         " (searches are answered from memory)";
}

RediSearchServe::RediSearchServe(Engine& engine)
    : engine_(engine), backend_(std::make_unique<RediSearchBackend>(parse_redis_url(engine.settings().redis_url, "redis_url"))) {}
RediSearchServe::~RediSearchServe() = default;

void RediSearchServe::attach(boost::asio::io_context& io) { backend_->attach(io); }

void RediSearchServe::search(const SearchRequest& request,
                             std::function<void(std::exception_ptr, SearchResponse)> done) {
  // The embedded index decides which words get typo variants (translated before this returns).
  auto vocabulary = engine_.current(request.site);
  backend_->search_async(engine_.settings().site(request.site), request, std::move(done), vocabulary.get());
}

bool RediSearchServe::lacks_index(const std::string& site) {
  try {
    return !backend_->has_index(site);
  } catch (const Error& e) {
    log(Level::warn, "%s: cannot tell whether RediSearch has an index (%s); POST /indexer once it can", site.c_str(),
        e.what());
    return false;
  }
}

std::string RediSearchServe::health() const {
  if (backend_->connected()) return {};
  std::string why = backend_->last_error();
  return "RediSearch (redis at " + parse_redis_url(engine_.settings().redis_url).display() + ") is unavailable" +
         (why.empty() ? "" : ": " + why);
}

#else

AppSettings with_shared_settings(AppSettings local) { return local; }
int push_settings(const AppSettings&, bool) {
  throw ConfigError("storage", "this build has no Redis support (configure with -DSITESEEK_WITH_REDIS=ON)");
}
int run_worker(Engine&, const WorkerFlags&) {
  throw ConfigError("storage", "this build has no Redis support (configure with -DSITESEEK_WITH_REDIS=ON)");
}

#endif

}  // namespace siteseek::cli
