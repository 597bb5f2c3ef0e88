// The query log of a cluster in Redis (siteseek/redis_analytics.hpp).
#include <openssl/rand.h>

#include <mutex>

#include "siteseek/redis_analytics.hpp"

namespace siteseek {

namespace {

// One append, alone (a script runs atomically): retention, then the bound, then the records.
// KEYS[1] the day's log, KEYS[2] the days (sorted set, score = day start), KEYS[3] this append's
// token. ARGV: the records, the day's start, the oldest day kept, max bytes, expire-at, the
// magic. Returns {stored 0|1, bytes}, {1, 0} for a token seen already. The days' keys other than
// KEYS[1] are read from the set: a single Redis, not a Redis Cluster.
constexpr const char* append_script = R"lua(
if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', 60) then return {1, 0} end
local day, oldest, max = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local listed = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
local live, total = {}, 0
for i = 1, #listed, 2 do
  local k, d = listed[i], tonumber(listed[i + 1])
  local n = redis.call('STRLEN', k)
  if d < oldest or n == 0 then
    redis.call('DEL', k)
    redis.call('ZREM', KEYS[2], k)
  else
    total = total + n
    live[#live + 1] = {k, d, n}
  end
end
local size = redis.call('STRLEN', KEYS[1])
local add = #ARGV[1]
if size == 0 then add = add + #ARGV[6] end
local i = 1
while total + add > max and i <= #live and live[i][2] < day do
  redis.call('DEL', live[i][1])
  redis.call('ZREM', KEYS[2], live[i][1])
  total = total - live[i][3]
  i = i + 1
end
if total + add > max then return {0, total} end
if size == 0 then redis.call('APPEND', KEYS[1], ARGV[6]) end
redis.call('APPEND', KEYS[1], ARGV[1])
redis.call('EXPIREAT', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], day, KEYS[1])
return {1, total + add}
)lua";

}  // namespace

struct RedisQueryLog::Impl {
  RedisConnection redis;
  std::string prefix;
  std::mutex mutex;  // the connection is blocking: one caller at a time
  Impl(RedisOptions o, std::string p) : redis(std::move(o)), prefix(std::move(p)) {}
};

RedisQueryLog::RedisQueryLog(RedisOptions options, std::string prefix)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(prefix))) {}
RedisQueryLog::~RedisQueryLog() = default;

std::string RedisQueryLog::day_key(std::int64_t day) const { return impl_->prefix + "analytics:" + utc_day(day); }
std::string RedisQueryLog::days_key() const { return impl_->prefix + "analytics:days"; }
std::string RedisQueryLog::describe() const { return "redis at " + impl_->redis.options().display(); }

SharedQueryLog::Appended RedisQueryLog::append(std::int64_t day, std::string_view records, const Bounds& bounds,
                                               std::string_view token) {
  std::lock_guard lock(impl_->mutex);
  const std::string applied = impl_->prefix + "analytics:applied:" + std::string(token);
  const auto r = impl_->redis
                     .command({"EVAL", append_script, "3", day_key(day), days_key(), applied, records, std::to_string(day),
                               std::to_string(bounds.oldest_day), std::to_string(bounds.max_bytes),
                               std::to_string(bounds.expire_at), log_file_magic})
                     .check("appending to " + day_key(day));
  Appended out;
  if (r.type == RedisReply::Type::array && r.elements.size() == 2) {
    out.stored = r.elements[0].integer == 1;
    out.bytes = static_cast<std::uint64_t>(std::max<long long>(r.elements[1].integer, 0));
  }
  return out;
}

std::vector<std::string> RedisQueryLog::read_days(std::int64_t from, std::int64_t to) {
  std::lock_guard lock(impl_->mutex);
  const auto listed = impl_->redis.command({"ZRANGEBYSCORE", days_key(), std::to_string(from), std::to_string(to)})
                          .check("reading " + days_key());
  std::vector<std::string> days;
  for (const auto& key : listed.elements) {
    std::string bytes;
    // A day being appended to meanwhile: read on until a chunk comes back short. A day deleted
    // meanwhile (the bound) ends short or empty; its records read so far are whole or skipped.
    for (;;) {
      const auto at = bytes.size();
      const auto r = impl_->redis
                         .command({"GETRANGE", key.str, std::to_string(at), std::to_string(at + read_chunk - 1)})
                         .check("reading " + key.str);
      bytes += r.str;
      if (r.str.size() < read_chunk) break;
    }
    if (!bytes.empty()) days.push_back(std::move(bytes));
  }
  return days;
}

std::string RedisQueryLog::query_id_secret() {
  std::lock_guard lock(impl_->mutex);
  const std::string k = impl_->prefix + "analytics:secret";
  unsigned char fresh[16];
  if (RAND_bytes(fresh, sizeof fresh) != 1) throw RedisError("redis_error", "no random bytes for " + k);
  // The first node to ask sets it (NX); every node reads the one that won.
  impl_->redis.command({"SET", k, std::string_view(reinterpret_cast<const char*>(fresh), sizeof fresh), "NX"}).check("creating " + k);
  auto r = impl_->redis.command({"GET", k}).check("reading " + k);
  if (r.str.size() != 16) throw RedisError("redis_error", k + " is not a 16-byte secret");
  return r.str;
}

}  // namespace siteseek
