#pragma once
// Now, as Unix seconds (UTC): what the query log's records, a crawl's fetch times and a sitemap's
// <lastmod> are compared in.
#include <chrono>
#include <cstdint>

namespace siteseek::detail {

inline std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace siteseek::detail
