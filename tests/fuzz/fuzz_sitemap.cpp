// libFuzzer target: any bytes as a sitemap body (plain or, when they start with the gzip magic,
// compressed). parse_sitemap never throws or crashes; it returns at most max_sitemap_entries
// entries, each with a non-empty loc, and says why when it stopped early. Every <lastmod> it
// gives is what parse_w3c_datetime makes of some text, so the W3C date parser is fuzzed too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "siteseek/crawler.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto map = siteseek::parse_sitemap(body);
  if (map.entries.size() > siteseek::max_sitemap_entries) std::abort();
  for (const auto& e : map.entries) {
    if (e.loc.empty()) std::abort();
  }
  (void)siteseek::parse_w3c_datetime(body.substr(0, 64));
  return 0;
}
