// libFuzzer target: any bytes as a click beacon body (POST /analytics/click) and as an analytics
// day file. The beacon parser either gives a beacon within its limits (a non-zero query id, a
// position from 1, a URL of at most max_click_url bytes) or throws RequestError; the day file
// reader gives the whole records before the first bad one, never reading past the bytes, and a
// report over them is computed without failing — never a crash or another exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "siteseek/analytics.hpp"
#include "siteseek/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto b = siteseek::parse_click_beacon(text);
    if (b.query_id == 0 || b.position == 0 || b.url.size() > siteseek::max_click_url) std::abort();
  } catch (const siteseek::RequestError&) {
  }
  // As a day file: with and without the magic in front.
  for (const bool with_magic : {false, true}) {
    std::string file = with_magic ? std::string(siteseek::log_file_magic) : std::string();
    file.append(text);
    const auto contents = siteseek::read_log_bytes(file);
    if (contents.whole_bytes > file.size()) std::abort();
    if (contents.torn != (contents.whole_bytes < file.size()) && !file.empty()) std::abort();
    const siteseek::ReportRequest all{};  // no dates: every record, days only where records are
    (void)siteseek::compute_report(contents.events, all);
  }
  return 0;
}
