#pragma once
// The query log of a cluster in Redis (storage = "redis", docs/analytics.md): one string per UTC
// day, PREFIX:analytics:YYYY-MM-DD, holding what a day file holds (the magic, then framed records),
// that every node's writer APPENDs its batches to; the sorted set PREFIX:analytics:days lists them
// (score: the day's start). A Lua script does each append with its retention and bound, so nodes
// never race on them; it first sets PREFIX:analytics:applied:<token> (NX, 60 s), so an append retried
// after a timeout that Redis ran anyway is not run twice. The query-id secret is
// PREFIX:analytics:secret (16 bytes, set once with NX).
#include <memory>
#include <string>

#include "siteseek/analytics.hpp"
#include "siteseek/redis.hpp"

namespace siteseek {

/// SharedQueryLog on Redis, through its own blocking connection (calls from several threads take
/// turns on it): the writer thread's appends and the reports' reads never wait on a search's.
class RedisQueryLog final : public SharedQueryLog {
 public:
  explicit RedisQueryLog(RedisOptions options, std::string prefix = "siteseek:");
  ~RedisQueryLog() override;
  RedisQueryLog(const RedisQueryLog&) = delete;
  RedisQueryLog& operator=(const RedisQueryLog&) = delete;

  Appended append(std::int64_t day, std::string_view records, const Bounds& bounds, std::string_view token) override;
  /// Each day read with GETRANGE in chunks of read_chunk bytes (a big day does not hold Redis up).
  std::vector<std::string> read_days(std::int64_t from, std::int64_t to) override;
  std::string query_id_secret() override;
  std::string describe() const override;
  /// The key of a day's log and of the list of days.
  std::string day_key(std::int64_t day) const;
  std::string days_key() const;
  static constexpr std::size_t read_chunk = 1 << 20;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace siteseek
