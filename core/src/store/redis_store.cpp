// Settings and index snapshots in Redis.
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
#include <string_view>
#include <map>
#include <mutex>
#include <random>

#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/redis_store.hpp"
#include "siteseek/segments.hpp"
#include "store/store_json.hpp"

namespace siteseek {

namespace {

// A value over RedisStore's max_value_bytes (a large site's index, a merged segment) is written
// as chunk keys first, each with an expiry, and stored as a list naming them: "siteseek-chunks
// <bytes>\n" then one chunk key a line. Redis bounds a value (proto-max-bulk-len, 512 MB) and a
// command (client-query-buffer-max-len, 1 GB), and a command must be answered within the client's
// timeout; chunks keep each under all three. A script that stores a list makes its chunks
// permanent; one that removes a list removes its chunks. Chunks that no script linked (a writer
// stopped, a conflict) expire.
constexpr const char* chunks_mark = "siteseek-chunks ";
constexpr std::chrono::seconds staged_chunk_ttl{86400};

// The scripts' helpers for chunk lists: keep(list) makes its chunks permanent, drop_list(list)
// removes them, drop(key) removes a key that may hold a list, and its chunks.
constexpr const char* chunk_lua = R"lua(
local function each_chunk(list, f)
  if not list or string.sub(list, 1, #M) ~= M then return end
  local first = true
  for line in string.gmatch(list, '[^\n]+') do
    if not first then f(line) end
    first = false
  end
end
local function keep(list) each_chunk(list, function(k) redis.call('PERSIST', k) end) end
local function drop_list(list) each_chunk(list, function(k) redis.call('DEL', k) end) end
local function drop(k)
  if redis.call('GETRANGE', k, 0, #M - 1) == M then drop_list(redis.call('GET', k)) end
  redis.call('DEL', k)
end
)lua";

// Stores the bytes (or their chunk list) as the next version and announces it, atomically (a
// Lua script runs alone); the segments of live updates made since the last whole index go, and
// the chunks of the whole index it replaces, and segments written ahead for merges not kept yet
// (which can no longer be). KEYS: the index hash, the set of the site's segment keys, the set of
// its segments written ahead. ARGV: bytes or chunk list, channel, build time, site, a new epoch,
// the store's origin (named in the notice). Answers the version and the epoch.
constexpr const char* publish_lua = R"lua(
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[5])
local v = redis.call('HINCRBY', KEYS[1], 'version', 1)
drop_list(redis.call('HGET', KEYS[1], 'data_chunks'))
if string.sub(ARGV[1], 1, #M) == M then
  keep(ARGV[1])
  redis.call('HSET', KEYS[1], 'data_chunks', ARGV[1], 'built_at', ARGV[3])
  redis.call('HDEL', KEYS[1], 'data')
else
  redis.call('HSET', KEYS[1], 'data', ARGV[1], 'built_at', ARGV[3])
  redis.call('HDEL', KEYS[1], 'data_chunks')
end
redis.call('HDEL', KEYS[1], 'segments')
for _, k in ipairs(redis.call('SMEMBERS', KEYS[2])) do drop(k) end
for _, k in ipairs(redis.call('SMEMBERS', KEYS[3])) do drop(k) end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('PUBLISH', ARGV[2], ARGV[4] .. ' ' .. v .. ' ' .. ARGV[6])
return {v, redis.call('HGET', KEYS[1], 'epoch')}
)lua";

// Keeps live updates as the next version, only on top of the version they were made on (else
// answers 0 and changes nothing): the new segments' bytes (or chunk lists), the manifest naming
// every segment, the segment keys it no longer names removed (and the whole index's bytes once
// no segment is them), the others told. KEYS: the index hash, the set of segment keys, the set
// of segments written ahead. ARGV:
// epoch, version made on (0: none stored; the epoch is then a new one), manifest, channel, site,
// "1" when the manifest names the whole index's bytes, the number of new segments, the store's
// origin (named in the notice), the new segments' (key, bytes or chunk list) pairs, then every
// segment key the manifest names (those written ahead, RedisStore::write_segment, made
// permanent). Answers the version and the epoch.
constexpr const char* updates_lua = R"lua(
local head = redis.call('HMGET', KEYS[1], 'epoch', 'version')
if head[2] then
  if head[1] ~= ARGV[1] or head[2] ~= ARGV[2] then return 0 end
else
  if ARGV[2] ~= '0' then return 0 end
  redis.call('HSET', KEYS[1], 'epoch', ARGV[1])
end
local n = tonumber(ARGV[7])
local new = {}
for i = 0, n - 1 do new[ARGV[9 + 2 * i]] = true end
-- Named segments neither new here nor kept before were written ahead (write_segment): they must
-- still be there (checked before anything is written).
local ahead, named = {}, {}
for i = 9 + 2 * n, #ARGV do
  local k = ARGV[i]
  named[k] = true
  if not new[k] and redis.call('SISMEMBER', KEYS[2], k) == 0 then
    if redis.call('EXISTS', k) == 0 then return redis.error_reply('segment ' .. k .. ' was written ahead but is gone') end
    ahead[#ahead + 1] = k
  end
end
for i = 0, n - 1 do
  redis.call('SET', ARGV[9 + 2 * i], ARGV[10 + 2 * i])
  keep(ARGV[10 + 2 * i])
  redis.call('SADD', KEYS[2], ARGV[9 + 2 * i])
end
for _, k in ipairs(ahead) do
  redis.call('PERSIST', k)
  if redis.call('GETRANGE', k, 0, #M - 1) == M then keep(redis.call('GET', k)) end
  redis.call('SADD', KEYS[2], k)
  redis.call('SREM', KEYS[3], k)
end
-- A segment written ahead for a merge that was dropped expires unnamed: its name goes too.
for _, k in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if redis.call('EXISTS', k) == 0 then redis.call('SREM', KEYS[3], k) end
end
for _, k in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if not named[k] then
    drop(k)
    redis.call('SREM', KEYS[2], k)
  end
end
if ARGV[6] ~= '1' then
  drop_list(redis.call('HGET', KEYS[1], 'data_chunks'))
  redis.call('HDEL', KEYS[1], 'data', 'data_chunks', 'built_at')
end
redis.call('HSET', KEYS[1], 'segments', ARGV[3])
local v = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('PUBLISH', ARGV[4], ARGV[5] .. ' ' .. v .. ' ' .. ARGV[8])
return {v, ARGV[1]}
)lua";

// Removes a site's index: its segment keys (kept and written ahead), the chunks of any of them
// and of the whole index, then the hash, the sets and the validators. KEYS: the set of segment
// keys, the index hash, the validators key, the set of segments written ahead.
constexpr const char* remove_lua = R"lua(
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do drop(k) end
for _, k in ipairs(redis.call('SMEMBERS', KEYS[4])) do drop(k) end
drop_list(redis.call('HGET', KEYS[2], 'data_chunks'))
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
)lua";

// Every script starts with the helpers, after M, the mark of a chunk list (chunks_mark).
const std::string chunk_helpers = std::string("local M = '") + chunks_mark + "'\n" + chunk_lua;
const std::string publish_script = chunk_helpers + publish_lua;
const std::string updates_script = chunk_helpers + updates_lua;
const std::string remove_script = chunk_helpers + remove_lua;

// A stored version as SegmentedIndex::stored_version names it: "<epoch>/<version>".
std::string version_tag(const std::string& epoch, std::uint64_t version) { return epoch + "/" + std::to_string(version); }

// A load that met a state changing under it (a segment key removed, the whole index replaced):
// read again.
struct Moved {};

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
  /// Segments written ahead (write_segment) go through a connection of their own: a merge's
  /// megabytes do not hold up an update's save on `redis`. Connected at its first use.
  RedisConnection ahead;
  std::string prefix;
  std::size_t max_value_bytes;
  // The Store calls come from job threads and admin requests at once; the connection is blocking.
  std::recursive_mutex mutex;
  /// Names this store in its notices ("<site> <version> <origin>"): its node's watcher skips them.
  std::string origin = random_epoch();
  Impl(RedisOptions o, std::string p, std::size_t max) : redis(o), ahead(std::move(o)), prefix(std::move(p)), max_value_bytes(max) {}

  // The value a script stores for `bytes`: the bytes, when they fit in what is left of the
  // command's share (`inline_left`, taken from it), else the list of the chunk keys they were
  // written to (each with an expiry until a script links it), through `via`.
  std::string stage(std::string bytes, const std::string& site, std::size_t& inline_left, RedisConnection& via) {
    if (bytes.size() <= inline_left) {
      inline_left -= bytes.size();
      return bytes;
    }
    const std::string stem = prefix + "chunk:" + site + ":" + random_epoch() + ":";
    std::string list = chunks_mark + std::to_string(bytes.size());
    const std::string ttl = std::to_string(staged_chunk_ttl.count());
    for (std::size_t at = 0, n = 0; at < bytes.size(); at += max_value_bytes, ++n) {
      const std::string k = stem + std::to_string(n);
      via.command(RedisCommand{"SET", k, bytes.substr(at, max_value_bytes), "EX", ttl}).check("storing " + k);
      (list += '\n') += k;
    }
    return list;
  }

  // The bytes a stored value holds: itself, or its chunks joined. A chunk gone means a newer
  // state replaced the one read (Moved); chunks that do not add up to the list's size are corrupt.
  std::string unstage(std::string value, const std::string& where) {
    const std::string_view mark = chunks_mark;
    if (!std::string_view(value).starts_with(mark)) return value;
    std::size_t size = 0, line = value.find('\n');
    const auto digits = std::string_view(value).substr(mark.size(), line == std::string::npos ? std::string::npos : line - mark.size());
    if (std::from_chars(digits.data(), digits.data() + digits.size(), size).ec != std::errc{})
      throw SnapshotError(where + " is corrupt (a chunk list without its size)");
    std::string bytes;
    bytes.reserve(size);
    while (line != std::string::npos) {
      const auto next = value.find('\n', line + 1);
      const std::string k = value.substr(line + 1, next == std::string::npos ? std::string::npos : next - line - 1);
      line = next;
      auto r = redis.command({"GET", k}).check("reading " + k);
      if (r.is_nil()) throw Moved{};
      if (bytes.size() + r.str.size() > size) throw SnapshotError(where + " is corrupt (its chunks hold more than the " + std::to_string(size) + " bytes listed)");
      bytes += r.str;
    }
    if (bytes.size() != size)
      throw SnapshotError(where + " is corrupt (its chunks hold " + std::to_string(bytes.size()) + " of the " + std::to_string(size) + " bytes listed)");
    return bytes;
  }
};

RedisStore::RedisStore(RedisOptions options, std::string prefix, std::size_t max_value_bytes)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(prefix), std::max<std::size_t>(max_value_bytes, 1))) {}
RedisStore::~RedisStore() = default;

std::string RedisStore::key(const std::string& name) const { return impl_->prefix + name; }
std::string RedisStore::channel() const { return impl_->prefix + "indexes"; }
RedisConnection& RedisStore::connection() { return impl_->redis; }

void RedisStore::save_settings(const AppSettings& settings, SecretPolicy secrets) {
  std::lock_guard lock(impl_->mutex);
  AppSettings copy = settings;
  if (secrets == SecretPolicy::mask) copy.api_key = {};  // kept out, not masked: "***" cannot be read back
  impl_->redis.command({"SET", key("settings"), boost::json::serialize(to_json(copy, SecretPolicy::include))})
      .check("storing settings in " + key("settings"));
  // Running nodes add, change and remove sites to match (IndexWatcher).
  impl_->redis.command({"PUBLISH", channel(), "!settings"}).check("announcing the settings on " + channel());
}

std::optional<AppSettings> RedisStore::load_settings() {
  std::lock_guard lock(impl_->mutex);
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

std::uint64_t RedisStore::publish(const std::string& site, const Index& index) { return publish_tagged(site, index).first; }

std::pair<std::uint64_t, std::string> RedisStore::publish_tagged(const std::string& site, const Index& index) {
  std::lock_guard lock(impl_->mutex);
  auto built = std::chrono::duration_cast<std::chrono::milliseconds>(index.built_at().time_since_epoch()).count();
  std::size_t inline_left = impl_->max_value_bytes;
  auto r = impl_->redis.command(RedisCommand{"EVAL", publish_script, "3", key("index:" + site), key("segments:" + site), key("ahead:" + site),
                                             impl_->stage(snapshot_bytes(index), site, inline_left, impl_->redis), channel(), std::to_string(built), site,
                                             random_epoch(), impl_->origin});
  r.check("publishing the index of '" + site + "' to " + key("index:" + site));
  if (r.elements.size() != 2) throw RedisError("redis_error", "publishing the index of '" + site + "': an unexpected answer");
  return {to_version(r.elements[0]), r.elements[1].str};
}

std::uint64_t RedisStore::version(const std::string& site) {
  std::lock_guard lock(impl_->mutex);
  return to_version(impl_->redis.command({"HGET", key("index:" + site), "version"}).check());
}

std::optional<RedisStore::Snapshot> RedisStore::load_newer(const SiteSettings& site, std::uint64_t newer_than,
                                                           const std::string& epoch, const SegmentedIndex* have) {
  std::lock_guard lock(impl_->mutex);
  const std::string k = key("index:" + site.name);
  auto is_new = [&](const RedisReply& version, const RedisReply& stored_epoch) {
    // No epoch given: compare versions only.
    return to_version(version) > 0 && ((!epoch.empty() && stored_epoch.str != epoch) || to_version(version) > newer_than);
  };
  auto peek = impl_->redis.command({"HMGET", k, "version", "epoch"}).check("reading " + k);
  if (peek.elements.size() != 2 || !is_new(peek.elements[0], peek.elements[1])) return std::nullopt;
  // A state is read as its manifest names it; a segment key or the whole index removed meanwhile
  // means a newer state replaced it (segment keys never change once written): read that.
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto head = impl_->redis.command({"HMGET", k, "version", "epoch", "segments"}).check("reading " + k);
    if (head.elements.size() != 3 || !is_new(head.elements[0], head.elements[1])) return std::nullopt;
    Snapshot s;
    s.version = to_version(head.elements[0]);
    s.epoch = head.elements[1].str;
    const std::string where = "redis key " + k + " (version " + std::to_string(s.version) + ")";
    // The whole index: the hash's `data`, or the chunks its `data_chunks` lists, with the version
    // and epoch read with it; none when neither is stored. A manifest entry naming the site's
    // snapshot file (snapshot_file) means it.
    struct Whole {
      RedisReply version, epoch;
      std::shared_ptr<const Index> index;
    };
    const auto whole = [&]() -> std::optional<Whole> {
      auto r = impl_->redis.command({"HMGET", k, "version", "epoch", "data", "data_chunks"}).check("reading " + k);
      if (r.elements.size() != 4) throw RedisError("redis_error", "reading " + k + ": an unexpected answer");
      auto& value = r.elements[2].is_nil() ? r.elements[3] : r.elements[2];
      if (value.is_nil()) return std::nullopt;
      const std::string at = "redis key " + k + " (version " + std::to_string(to_version(r.elements[0])) + ")";
      auto index = snapshot_from_bytes(impl_->unstage(std::move(value.str), at), site, at);
      return Whole{std::move(r.elements[0]), std::move(r.elements[1]), std::move(index)};
    };
    try {
      if (head.elements[2].is_nil()) {
        auto w = whole();
        if (!w || !is_new(w->version, w->epoch)) return std::nullopt;
        s.version = to_version(w->version);
        s.epoch = w->epoch.str;
        s.index = std::move(w->index);
        s.segments = std::make_shared<const SegmentedIndex>(
            SegmentedIndex(std::vector<SegmentedIndex::Segment>{{s.index, nullptr, snapshot_file(site.name)}})
                .with_stored_version(version_tag(s.epoch, s.version)));
        return s;
      }
      const auto entries = parse_segment_manifest(head.elements[2].str, site.name, where);
      auto segments = SegmentedIndex::from_manifest(entries, have, [&](const SegmentedIndex::ManifestEntry& e) -> std::shared_ptr<const Index> {
        if (e.file == snapshot_file(site.name)) {
          auto w = whole();
          if (!w) throw Moved{};
          const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(w->index->built_at().time_since_epoch()).count();
          if (e.built_at && ns != e.built_at) throw Moved{};
          return w->index;
        }
        const std::string at = "redis key " + key("segment:" + e.file);
        auto r = impl_->redis.command({"GET", key("segment:" + e.file)}).check("reading " + key("segment:" + e.file));
        if (r.is_nil()) throw Moved{};
        return snapshot_from_bytes(impl_->unstage(std::move(r.str), at), site, at);
      }, where);
      s.segments = std::make_shared<const SegmentedIndex>(segments.with_stored_version(version_tag(s.epoch, s.version)));
      s.index = s.segments->segments().front().index;
      return s;
    } catch (const Moved&) {
    }
  }
  throw RedisError("redis_error", "reading " + k + ": it kept changing while it was read; try again");
}

std::string RedisStore::describe() const { return "redis at " + impl_->redis.options().display(); }

std::string RedisStore::where(const std::string& site) const {
  return "redis key " + key("index:" + site) + " at " + impl_->redis.options().display();
}

AppSettings RedisStore::effective_settings(const AppSettings& local) {
  std::optional<AppSettings> shared;
  try {
    shared = load_settings();
  } catch (const RedisError&) {
    if (local.sites.empty()) throw;
    return local;  // the node's own sites, until Redis answers (the watcher catches up)
  }
  if (!shared) return local;
  AppSettings merged = merge_shared_settings(local, *shared);
  validate(merged);
  return merged;
}

// The shared settings changed by `change` in one transaction (WATCH: a concurrent change makes
// it start again), and every node told on the channel.
template <class Change>
void change_shared_settings(RedisConnection& redis, const std::string& key, const std::string& channel, Change change) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    redis.command({"WATCH", key}).check("watching " + key);
    auto r = redis.command({"GET", key}).check("reading " + key);
    if (r.is_nil()) {
      redis.command({"UNWATCH"});
      throw ConfigError("storage", "no settings are stored in Redis (" + key +
                                       "): `siteseek config push` them first; sites can be changed at run time after that");
    }
    AppSettings settings = app_settings_from_json(parse_json_exact(r.str));
    change(settings);
    validate(settings);
    auto replies = redis.pipeline({{"MULTI"},
                                   {"SET", key, boost::json::serialize(to_json(settings, SecretPolicy::include))},
                                   {"PUBLISH", channel, "!settings"},
                                   {"EXEC"}});
    if (replies.size() == 4 && !replies[3].is_nil()) {
      replies[3].check("changing " + key);
      return;
    }
  }
  throw RedisError("redis_error", "the settings in " + key + " kept changing under this update; try again");
}

void RedisStore::put_site(const SiteSettings& site) {
  std::lock_guard lock(impl_->mutex);
  change_shared_settings(impl_->redis, key("settings"), channel(),
                         [&](AppSettings& s) { s = with_site(std::move(s), site); });
}

void RedisStore::remove_site(const std::string& name) {
  std::lock_guard lock(impl_->mutex);
  change_shared_settings(impl_->redis, key("settings"), channel(), [&](AppSettings& s) {
    std::erase_if(s.sites, [&](const auto& x) { return x.name == name; });
  });
  // The segment keys named in the set and every chunk, then the rest, as one script.
  impl_->redis.command(RedisCommand{"EVAL", remove_script, "4", key("segments:" + name), key("index:" + name), key("validators:" + name),
                                    key("ahead:" + name)})
      .check("removing site " + name);
}

std::optional<StoredIndex> RedisStore::load(const SiteSettings& site, const SegmentedIndex* have) {
  auto snap = load_newer(site, 0, {}, have);
  if (!snap) return std::nullopt;
  return StoredIndex{std::move(snap->index), std::move(snap->segments), snap->version, where(site.name)};
}

StoredIndex RedisStore::save(const SiteSettings& site, std::shared_ptr<const Index> index) {
  const auto [version, epoch] = publish_tagged(site.name, *index);
  auto segments = std::make_shared<const SegmentedIndex>(
      SegmentedIndex(std::vector<SegmentedIndex::Segment>{{index, nullptr, snapshot_file(site.name)}}).with_stored_version(version_tag(epoch, version)));
  return {std::move(index), std::move(segments), version, where(site.name) + " (version " + std::to_string(version) + ")"};
}

SegmentedIndex RedisStore::save_updates(const SiteSettings& site, const SegmentedIndex& index) {
  const std::string k = key("index:" + site.name);
  // An index made here without one stored (a site's first update) is kept as version 1.
  const auto tag = index.stored_version().empty() ? random_epoch() + "/0" : index.stored_version();
  const auto slash = tag.find('/');
  const auto conflict = [&] {
    return ConflictError("site '" + site.name + "': " + k + " is no longer the version this node changed (another node saved the site since" +
                         (tag.ends_with("/0") ? std::string() : " version " + tag.substr(slash + 1)) +
                         "): the update was not kept; load the stored index and make it on that");
  };
  if (slash == std::string::npos) throw conflict();
  auto out = index.with_new_files(site.name);
  std::lock_guard lock(impl_->mutex);
  // Only the segments not stored yet travel: an update sends kilobytes, whatever the site's size.
  // Those that do not fit in one command's share of max_value_bytes go as chunks first.
  std::size_t inline_left = impl_->max_value_bytes;
  std::vector<std::string> args{"EVAL", updates_script, "3", k, key("segments:" + site.name), key("ahead:" + site.name), tag.substr(0, slash), tag.substr(slash + 1),
                                segment_manifest(out), channel(), site.name, "0", "0", impl_->origin};
  std::size_t fresh = 0;
  for (std::size_t i = 0; i < out.segments().size(); ++i) {
    const auto& seg = out.segments()[i];
    if (seg.file == snapshot_file(site.name)) {
      args[11] = "1";
      continue;
    }
    if (i < index.segments().size() && !index.segments()[i].file.empty()) continue;
    args.push_back(key("segment:" + seg.file));
    args.push_back(impl_->stage(snapshot_bytes(*seg.index), site.name, inline_left, impl_->redis));
    ++fresh;
  }
  args[12] = std::to_string(fresh);
  for (const auto& seg : out.segments())
    if (seg.file != snapshot_file(site.name)) args.push_back(key("segment:" + seg.file));
  auto r = impl_->redis.command(args).check("keeping the updates of '" + site.name + "' in " + k);
  if (r.type == RedisReply::Type::integer) throw conflict();
  if (r.elements.size() != 2) throw RedisError("redis_error", "keeping the updates of '" + site.name + "': an unexpected answer");
  return out.with_stored_version(version_tag(r.elements[1].str, to_version(r.elements[0])));
}

std::string RedisStore::write_segment(const SiteSettings& site, const Index& segment) {
  // Not under the store's lock: on a connection of its own (RedisConnection serialises its callers).
  const auto file = new_segment_file(site.name);
  const auto k = key("segment:" + file);
  std::size_t inline_left = impl_->max_value_bytes;
  auto value = impl_->stage(snapshot_bytes(segment), site.name, inline_left, impl_->ahead);
  // With an expiry, as chunks are, until the save naming it makes it permanent; listed, so that
  // a whole index stored before that removes it.
  for (auto& reply : impl_->ahead.pipeline({{"SET", k, std::move(value), "EX", std::to_string(staged_chunk_ttl.count())},
                                            {"SADD", key("ahead:" + site.name), k}}))
    reply.check("storing " + k);
  return file;
}

CrawlState RedisStore::load_validators(const SiteSettings& site, const SegmentedIndex* reusable) {
  if (!reusable) return {};
  std::lock_guard lock(impl_->mutex);
  auto r = impl_->redis.command({"GET", key("validators:" + site.name)}).check("reading " + key("validators:" + site.name));
  return r.is_nil() ? CrawlState{} : validators_from_json(r.str, *reusable);
}

void RedisStore::save_validators(const SiteSettings& site, const CrawlState& state) {
  std::lock_guard lock(impl_->mutex);
  impl_->redis.command({"SET", key("validators:" + site.name), validators_to_json(state)})
      .check("storing " + key("validators:" + site.name));
}

std::unique_ptr<StoreWatch> RedisStore::watch(Engine& engine, StoreChange on_change) {
  IndexWatcher::Options o;
  o.prefix = impl_->prefix;
  o.on_change = std::move(on_change);
  o.origin = impl_->origin;
  return std::make_unique<IndexWatcher>(engine, impl_->redis.options(), std::move(o));
}

std::string RedisStore::key_pepper() {
  std::lock_guard lock(impl_->mutex);
  const std::string k = key("keys:pepper");
  // The first node to ask sets it (NX); every node reads the one that won.
  impl_->redis.command({"SET", k, random_pepper(), "NX"}).check("creating " + k);
  auto r = impl_->redis.command({"GET", k}).check("reading " + k);
  if (r.str.size() != 32) throw RedisError("redis_error", k + " is not a 32-byte pepper");
  return r.str;
}

std::vector<KeyRecord> RedisStore::load_keys() {
  std::lock_guard lock(impl_->mutex);
  const std::string k = key("keys");
  auto r = impl_->redis.command({"HGETALL", k}).check("reading " + k);
  std::vector<KeyRecord> out;
  for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    const std::string source = "redis:" + k + "." + r.elements[i].str;
    out.push_back(key_record_from_json(parse_json_exact(r.elements[i + 1].str), source));
  }
  return out;
}

void RedisStore::put_key(const KeyRecord& record) {
  std::lock_guard lock(impl_->mutex);
  auto replies = impl_->redis.pipeline({{"MULTI"},
                                        {"HSET", key("keys"), record.id, boost::json::serialize(key_record_to_json(record))},
                                        {"INCR", key("keys:version")},
                                        {"EXEC"}});
  if (replies.size() != 4) throw RedisError("redis_error", "storing key " + record.id + " in " + key("keys"));
  replies[3].check("storing key " + record.id + " in " + key("keys"));
}

bool RedisStore::remove_key(const std::string& id) {
  std::lock_guard lock(impl_->mutex);
  auto replies = impl_->redis.pipeline({{"MULTI"}, {"HDEL", key("keys"), id}, {"INCR", key("keys:version")}, {"EXEC"}});
  if (replies.size() != 4) throw RedisError("redis_error", "removing key " + id + " from " + key("keys"));
  const auto& exec = replies[3].check("removing key " + id + " from " + key("keys"));
  return !exec.elements.empty() && exec.elements[0].type == RedisReply::Type::integer && exec.elements[0].integer > 0;
}

std::string RedisStore::keys_version() {
  std::lock_guard lock(impl_->mutex);
  auto r = impl_->redis.command({"GET", key("keys:version")}).check("reading " + key("keys:version"));
  return r.is_nil() ? "0" : r.str;
}

std::map<std::string, std::string> RedisStore::load_rules() {
  std::lock_guard lock(impl_->mutex);
  const std::string k = key("rules");
  auto r = impl_->redis.command({"HGETALL", k}).check("reading " + k);
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) out[r.elements[i].str] = r.elements[i + 1].str;
  return out;
}

void RedisStore::update_rules(const std::string& site, const std::function<std::string(const std::string&)>& change) {
  std::lock_guard lock(impl_->mutex);
  const std::string k = key("rules"), version = key("rules:version");
  // Optimistic: the transaction is dropped (EXEC answers nil) when another node changed the
  // rules after WATCH; then read and change again.
  for (int attempt = 0; attempt < 20; ++attempt) {
    impl_->redis.command({"WATCH", version}).check("watching " + version);
    auto current = impl_->redis.command({"HGET", k, site});
    if (current.is_error()) {
      impl_->redis.command({"UNWATCH"});
      current.check("reading " + k);
    }
    std::string next;
    try {
      next = change(current.is_nil() ? std::string() : current.str);
    } catch (...) {
      impl_->redis.command({"UNWATCH"});
      throw;
    }
    std::vector<RedisCommand> tx{{"MULTI"}};
    if (next.empty()) tx.push_back({"HDEL", k, site});
    else tx.push_back({"HSET", k, site, next});
    tx.push_back({"INCR", version});
    tx.push_back({"EXEC"});
    auto replies = impl_->redis.pipeline(tx);
    if (replies.size() != tx.size()) throw RedisError("redis_error", std::string("storing the rules of ") + site + " in " + k);
    const auto& exec = replies.back().check(std::string("storing the rules of ") + site + " in " + k);
    if (!exec.is_nil()) return;
  }
  throw RedisError("redis_error", std::string("storing the rules of ") + site + " in " + k + ": changed by others 20 times in a row");
}

std::string RedisStore::rules_version() {
  std::lock_guard lock(impl_->mutex);
  auto r = impl_->redis.command({"GET", key("rules:version")}).check("reading " + key("rules:version"));
  return r.is_nil() ? "0" : r.str;
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
