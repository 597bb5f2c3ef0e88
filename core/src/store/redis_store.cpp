// Settings and index snapshots in Redis.
#include <boost/json.hpp>

#include <charconv>
#include <random>

#include "siteseek/index.hpp"
#include "siteseek/store.hpp"

namespace siteseek {

namespace {

// Stores the bytes as the next version and announces it, atomically (a Lua script runs alone).
constexpr const char* publish_script = R"lua(
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[5])
local v = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'built_at', ARGV[3])
redis.call('PUBLISH', ARGV[2], ARGV[4] .. ' ' .. v)
return v
)lua";

// Names one life of a site's key: versions count up within an epoch; a Redis that lost its
// data starts a new epoch, so nodes know a "version 1" there is new, not old.
std::string random_epoch() {
  std::random_device rd;
  return std::to_string(rd()) + std::to_string(rd());
}

std::uint64_t to_version(const RedisReply& r) {
  if (r.type == RedisReply::Type::integer) return static_cast<std::uint64_t>(r.integer);
  std::uint64_t v = 0;
  if (r.type == RedisReply::Type::string) std::from_chars(r.str.data(), r.str.data() + r.str.size(), v);
  return v;
}

}  // namespace

struct RedisStore::Impl {
  RedisConnection redis;
  std::string prefix;
  Impl(RedisOptions o, std::string p) : redis(std::move(o)), prefix(std::move(p)) {}
};

RedisStore::RedisStore(RedisOptions options, std::string prefix)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(prefix))) {}
RedisStore::~RedisStore() = default;

std::string RedisStore::key(const std::string& name) const { return impl_->prefix + name; }
std::string RedisStore::channel() const { return impl_->prefix + "indexes"; }
RedisConnection& RedisStore::connection() { return impl_->redis; }

void RedisStore::save_settings(const AppSettings& settings, SecretPolicy secrets) {
  AppSettings copy = settings;
  if (secrets == SecretPolicy::mask) copy.api_key = {};  // kept out, not masked: "***" cannot be read back
  impl_->redis.command({"SET", key("settings"), boost::json::serialize(to_json(copy, SecretPolicy::include))})
      .check("storing settings in " + key("settings"));
}

std::optional<AppSettings> RedisStore::load_settings() {
  auto r = impl_->redis.command({"GET", key("settings")}).check("reading " + key("settings"));
  if (r.is_nil()) return std::nullopt;
  try {
    return app_settings_from_json(parse_json_exact(r.str));
  } catch (const ConfigError& e) {
    std::vector<ConfigIssue> issues = e.issues();
    for (auto& i : issues) i.path = "redis:" + key("settings") + (i.path.empty() ? "" : "." + i.path);
    throw ConfigError(std::move(issues));
  }
}

std::uint64_t RedisStore::publish(const std::string& site, const Index& index) {
  auto built = std::chrono::duration_cast<std::chrono::milliseconds>(index.built_at().time_since_epoch()).count();
  auto r = impl_->redis.command({"EVAL", publish_script, "1", key("index:" + site), snapshot_bytes(index), channel(),
                                 std::to_string(built), site, random_epoch()});
  return to_version(r.check("publishing the index of '" + site + "' to " + key("index:" + site)));
}

std::uint64_t RedisStore::version(const std::string& site) {
  return to_version(impl_->redis.command({"HGET", key("index:" + site), "version"}).check());
}

std::optional<RedisStore::Snapshot> RedisStore::load(const SiteSettings& site, std::uint64_t newer_than,
                                                     const std::string& epoch) {
  const std::string k = key("index:" + site.name);
  auto head = impl_->redis.command({"HMGET", k, "version", "epoch"}).check("reading " + k);
  auto is_new = [&](const RedisReply& version, const RedisReply& stored_epoch) {
    // No epoch given: compare versions only.
    return to_version(version) > 0 && ((!epoch.empty() && stored_epoch.str != epoch) || to_version(version) > newer_than);
  };
  if (head.elements.size() != 2 || !is_new(head.elements[0], head.elements[1])) return std::nullopt;
  auto r = impl_->redis.command({"HMGET", k, "version", "epoch", "data"}).check("reading " + k);
  if (r.elements.size() != 3 || r.elements[2].is_nil() || !is_new(r.elements[0], r.elements[1])) return std::nullopt;
  Snapshot s;
  s.version = to_version(r.elements[0]);
  s.epoch = r.elements[1].str;
  s.index = snapshot_from_bytes(r.elements[2].str, site, "redis key " + k + " (version " + std::to_string(s.version) + ")");
  return s;
}

AppSettings merge_shared_settings(const AppSettings& local, const AppSettings& shared) {
  AppSettings out = local;
  out.sites = shared.sites;
  out.default_site = shared.default_site;
  out.max_query_length = shared.max_query_length;
  out.max_num = shared.max_num;
  out.default_num = shared.default_num;
  out.cors_origins = shared.cors_origins;
  out.backend = shared.backend;
  return out;
}

}  // namespace siteseek
