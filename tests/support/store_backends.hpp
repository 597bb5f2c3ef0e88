#pragma once
// The two stores as test fixtures, so one test body runs on both (BOOST_AUTO_TEST_CASE_TEMPLATE
// over store_backends): files in a fresh temporary data_dir, and a real redis-server on a free
// loopback port (siteseek/redis_store.hpp), in builds with Redis. Each fixture's settings() name one site "docs" over
// the fixture HTML site; Redis also has those settings pushed, as `siteseek config push` does.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <tuple>

#include "siteseek/settings.hpp"
#ifdef SITESEEK_WITH_REDIS
#include "redis_server.hpp"
#include "siteseek/redis_store.hpp"
#endif

namespace siteseek::test {

inline SiteSettings docs_site() {
  SiteSettings s;
  s.name = "docs";
  s.url = "https://example.org/";
  s.directory = std::string(SITESEEK_TEST_FIXTURES) + "/html/site";
  return s;
}

inline std::string fresh_data_dir(const char* what) {
  static std::atomic<int> n{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("siteseek-" + std::string(what) + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  std::filesystem::remove_all(dir);
  return dir.string();
}

struct FileBackend {
  static constexpr const char* name = "files";
  std::string data_dir = fresh_data_dir("files");
  ~FileBackend() { std::filesystem::remove_all(data_dir); }
  AppSettings settings() const {
    AppSettings app;
    app.data_dir = data_dir;
    app.sites.push_back(docs_site());
    return app;
  }
  /// Damage the stored index of `site` so that loading it must fail.
  void corrupt(const std::string& site) const {
    std::filesystem::resize_file(data_dir + "/" + site + ".snapshot", 40);
  }
};

#ifdef SITESEEK_WITH_REDIS
struct RedisBackend {
  static constexpr const char* name = "redis";
  RedisServer server;
  std::string data_dir = fresh_data_dir("redis");
  RedisBackend() { RedisStore(parse_redis_url(server.url())).save_settings(settings()); }
  ~RedisBackend() { std::filesystem::remove_all(data_dir); }
  AppSettings settings() const {
    AppSettings app;
    app.storage = "redis";
    app.redis_url = server.url();
    app.data_dir = data_dir;  // must stay empty: Redis holds everything
    app.sites.push_back(docs_site());
    return app;
  }
  void corrupt(const std::string& site) const {
    RedisStore store(parse_redis_url(server.url()));
    store.connection().command({"HSET", store.key("index:" + site), "data", "not a snapshot"});
  }
};

using store_backends = std::tuple<FileBackend, RedisBackend>;
#else
using store_backends = std::tuple<FileBackend>;
#endif

}  // namespace siteseek::test
