// IndexWatcher: keeps this node's engine on the newest snapshot in Redis (storage = "redis").
#ifdef SITESEEK_WITH_REDIS
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <charconv>
#include <map>
#include <mutex>
#include <thread>

#include "siteseek/engine.hpp"
#include "siteseek/io_backend.hpp"
#include "siteseek/redis_store.hpp"
#include "siteseek/segments.hpp"

namespace siteseek {

namespace {

// SegmentedIndex::stored_version as RedisStore writes it, "<epoch>/<version>": ("", 0) for none.
std::pair<std::string, std::uint64_t> split(const std::string& tag) {
  const auto slash = tag.find('/');
  if (slash == std::string::npos) return {};
  std::uint64_t v = 0;
  std::from_chars(tag.data() + slash + 1, tag.data() + tag.size(), v);
  return {tag.substr(0, slash), v};
}

}  // namespace

struct IndexWatcher::Impl {
  Engine& engine;
  Options options;
  RedisStore store;
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  boost::asio::steady_timer timer{io};
  std::shared_ptr<RedisClient> subscriber;
  mutable std::mutex mutex;
  std::map<std::string, std::uint64_t, std::less<>> versions;
  std::map<std::string, std::string, std::less<>> epochs;  // only touched on the watcher thread
  std::thread thread;

  Impl(Engine& e, RedisOptions redis, Options o)
      : engine(e), options(std::move(o)), store(redis, options.prefix),
        subscriber(RedisClient::create(io, std::move(redis))) {}

  std::uint64_t current(const std::string& site) const {
    std::lock_guard lock(mutex);
    auto it = versions.find(site);
    return it == versions.end() ? 0 : it->second;
  }

  // Runs on the watcher thread only, so loads never race each other.
  void check(const SiteSettings& site) {
    try {
      // What the engine serves is the version to compare with: this node's own saves (a whole
      // index or live updates) are not read back. Its segments are not read again either.
      auto have = engine.segments(site.name);
      auto [epoch, version] = split(have ? have->stored_version() : std::string());
      if (epoch.empty()) epoch = epochs[site.name], version = current(site.name);
      auto snap = store.load_newer(site, version, epoch, have.get());
      have.reset();
      if (!snap) {
        // Already on it, or past it (this node's own saves): the version it is on.
        std::lock_guard lock(mutex);
        if (!epoch.empty() && (epochs[site.name] != epoch || versions[site.name] < version))
          versions[site.name] = version, epochs[site.name] = epoch;
        return;
      }
      auto previous = engine.current(site.name);  // freed after the lock, not under it
      bool newer_here = false;
      {
        // The index and its version change together: whoever sees the new index and then asks
        // for the version gets the new one (the lock makes it wait for the update).
        std::lock_guard lock(mutex);
        struct NewerHere {};
        try {
          engine.publish(site.name, snap->segments, [&]() -> std::shared_ptr<const SegmentedIndex> {
            // Under the engine's change lock: an update this node kept since the load stays.
            auto now = engine.segments(site.name);
            const auto [e, v] = split(now ? now->stored_version() : std::string());
            if (e == snap->epoch && v >= snap->version) throw NewerHere{};
            return nullptr;
          });
        } catch (const NewerHere&) {
          newer_here = true;
        }
        versions[site.name] = snap->version;
        epochs[site.name] = snap->epoch;
      }
      previous.reset();
      if (options.on_change && !newer_here) options.on_change(site.name, snap->version, {});
    } catch (const std::exception& e) {
      if (options.on_change) options.on_change(site.name, 0, e.what());
    }
  }
  // The shared settings' sites, applied to the engine: nothing when no settings are stored
  // (the nodes run with their own).
  void sync_sites() {
    try {
      auto shared = store.load_settings();
      if (!shared) return;
      auto now = engine.settings();
      for (const auto& site : shared->sites) {
        auto it = std::find_if(now->sites.begin(), now->sites.end(), [&](const auto& s) { return s.name == site.name; });
        if (it == now->sites.end() || !(*it == site)) engine.put_site(site);
      }
      for (const auto& site : now->sites) {
        if (std::none_of(shared->sites.begin(), shared->sites.end(), [&](const auto& s) { return s.name == site.name; })) {
          engine.remove_site(site.name);
          std::lock_guard lock(mutex);
          versions.erase(site.name);
          epochs.erase(site.name);
        }
      }
    } catch (const std::exception& e) {
      if (options.on_change) options.on_change("(settings)", 0, e.what());
    }
  }
  void check_all() {
    sync_sites();
    auto settings = engine.settings();
    for (const auto& site : settings->sites) check(site);
  }
  void on_message(const std::string& payload) {
    if (payload == "!settings") return check_all();
    // "<site> <version> <origin>": a version this node's own store saved is in its engine.
    auto space = payload.find(' ');
    std::string site = payload.substr(0, space);
    const auto last = payload.rfind(' ');
    if (!options.origin.empty() && last != std::string::npos && last > space && payload.substr(last + 1) == options.origin) return;
    auto settings = engine.settings();
    for (const auto& s : settings->sites)
      if (s.name == site) check(s);
  }
  void arm_timer() {
    timer.expires_after(options.poll);
    timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      check_all();
      arm_timer();
    });
  }
};

IndexWatcher::IndexWatcher(Engine& engine, RedisOptions redis, Options options)
    : impl_(std::make_unique<Impl>(engine, std::move(redis), std::move(options))) {
  auto* impl = impl_.get();
  // Messages arrive on the subscriber's strand; the load itself runs as a plain handler so a
  // large snapshot read never holds up the subscription.
  impl->subscriber->subscribe({impl->store.channel()},
                              [impl](const std::string&, const std::string& payload) {
                                boost::asio::post(impl->io, [impl, payload] { impl->on_message(payload); });
                              },
                              [impl] { boost::asio::post(impl->io, [impl] { impl->check_all(); }); });
  impl->check_all();  // start on the stored versions before serving
  impl->arm_timer();
  impl->thread = std::thread([impl] { impl->io.run(); });
}

IndexWatcher::~IndexWatcher() {
  impl_->io.stop();  // the thread ends after its current handler (a load finishes first)
  impl_->thread.join();
  impl_->work.reset();
  impl_->timer.cancel();
  impl_->subscriber->close();
  impl_->subscriber.reset();
  drain(impl_->io, std::chrono::seconds(2));  // the close and the cancelled waits, before the io_context goes
}

std::uint64_t IndexWatcher::version(const std::string& site) const { return impl_->current(site); }
bool IndexWatcher::connected() const noexcept { return impl_->subscriber->connected(); }
std::string IndexWatcher::last_error() const { return impl_->subscriber->last_error(); }

}  // namespace siteseek
#endif
