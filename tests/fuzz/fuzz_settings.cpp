// libFuzzer target: any bytes as a settings document: either valid settings that survive the
// JSON round trip unchanged, or a ConfigError — never a crash or another exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <boost/json.hpp>

#include "siteseek/settings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto s = siteseek::app_settings_from_json_text(text);
    auto again = siteseek::app_settings_from_json_text(boost::json::serialize(siteseek::to_json(s, siteseek::SecretPolicy::include)));
    if (!(again == s)) std::abort();  // the round trip lost something
  } catch (const siteseek::ConfigError&) {
  }
  return 0;
}
