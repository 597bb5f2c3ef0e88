// storage = "redis" for the CLI: `siteseek config push`.
#include "cli.hpp"
#include "siteseek/error.hpp"
#include "siteseek/redis_store.hpp"
#ifdef SITESEEK_WITH_REDIS
#include "siteseek/redis_store.hpp"
#endif

namespace siteseek::cli {

int push_settings(const AppSettings& settings, bool include_secrets) {
  if (settings.storage != "redis") throw ConfigError("storage", "config push needs storage = \"redis\"");
#ifdef SITESEEK_WITH_REDIS
  RedisStore store(parse_redis_url(settings.redis_url, "redis_url"));
  store.save_settings(settings, include_secrets ? SecretPolicy::include : SecretPolicy::mask);
  std::printf("stored %zu site(s) in %s at %s%s\n", settings.sites.size(), store.key("settings").c_str(),
              store.connection().options().display().c_str(), include_secrets ? " (with the API key)" : "");
  return ok;
#else
  (void)include_secrets;
  throw ConfigError("storage", "this build has no Redis support (configure with -DSITESEEK_WITH_REDIS=ON)");
#endif
}

}  // namespace siteseek::cli
