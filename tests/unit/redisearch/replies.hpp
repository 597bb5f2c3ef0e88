#pragma once
// Hand-made Redis replies and the module's path, for the RediSearch tests: what the backend's
// readers are given in place of a server's answer.
#include <string>
#include <utility>
#include <vector>

#include "siteseek/redis.hpp"

namespace siteseek::test {

inline constexpr const char* module_path = "/usr/lib/redis/modules/redisearch.so";

inline RedisReply str(std::string s) {
  RedisReply r;
  r.type = RedisReply::Type::string;
  r.str = std::move(s);
  return r;
}
inline RedisReply integer(long long n) {
  RedisReply r;
  r.type = RedisReply::Type::integer;
  r.integer = n;
  return r;
}
inline RedisReply array(std::vector<RedisReply> items) {
  RedisReply r;
  r.type = RedisReply::Type::array;
  r.elements = std::move(items);
  return r;
}

}  // namespace siteseek::test
