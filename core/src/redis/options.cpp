// redis:// URLs, replies and errors: what the blocking and the async client share.
#include <charconv>

#include <boost/url/parse.hpp>

#include "siteseek/redis.hpp"

namespace siteseek {

RedisError::RedisError(std::string code, const std::string& message)
    : Error(std::move(code), ErrorFamily::internal, message) {}

std::string RedisOptions::display() const {
  return host + ":" + std::to_string(port) + "/" + std::to_string(db);
}

namespace {

bool parse_number(std::string_view text, long long min, long long max, long long& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= min && out <= max;
}

}  // namespace

RedisOptions parse_redis_url(std::string_view url, std::string_view key_path) {
  const std::string path(key_path);
  auto bad = [&](const std::string& why) {
    return ConfigError(path, why + " (expected redis[s]://[[user]:password@]host[:port][/db][?timeout=ms][&tls_ca=file])");
  };
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw bad("not a URL");
  const auto& u = *parsed;
  if (u.scheme() != "redis" && u.scheme() != "rediss")
    throw bad("scheme must be redis:// or rediss://, not " + std::string(u.scheme()) + "://");
  RedisOptions o;
  o.tls = u.scheme() == "rediss";
  if (!u.host().empty()) o.host = u.host();  // host() decodes; IPv6 literals come without brackets
  if (u.has_port()) {
    long long port = 0;
    if (!parse_number(u.port(), 1, 65535, port)) throw bad("port must be 1-65535");
    o.port = static_cast<std::uint16_t>(port);
  }
  if (u.has_userinfo()) {
    o.username = u.user();
    o.password = u.password();
  }
  std::string_view db = u.encoded_path();
  if (!db.empty() && db != "/") {
    long long n = 0;
    if (!parse_number(db.substr(1), 0, 1 << 20, n)) throw bad("the path must be a database number, like /0");
    o.db = static_cast<int>(n);
  }
  for (auto param : u.params()) {
    if (param.key == "timeout") {
      long long ms = 0;
      if (!param.has_value || !parse_number(param.value, 1, 3'600'000, ms))
        throw bad("timeout must be a number of milliseconds, 1-3600000");
      o.connect_timeout = o.command_timeout = std::chrono::milliseconds(ms);
    } else if (param.key == "tls_ca" && o.tls && param.has_value && !param.value.empty()) {
      o.tls_ca_file = param.value;
    } else if (param.key == "tls_ca") {
      throw bad("tls_ca needs a rediss:// URL and a file name");
    } else {
      throw bad("unknown URL parameter '" + std::string(param.key) + "'");
    }
  }
  return o;
}

const RedisReply& RedisReply::check(std::string_view context) const {
  if (type == Type::error) {
    std::string what = context.empty() ? str : std::string(context) + ": " + str;
    throw RedisError("redis_error", what);
  }
  return *this;
}

}  // namespace siteseek
