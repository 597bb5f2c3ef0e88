// libFuzzer target: any bytes as a page's HTML (with a declared charset taken from the input's
// first byte), through the extractor: must not crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "siteseek/ingest.hpp"
#include "siteseek/settings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const siteseek::SiteSettings site = [] {
    siteseek::SiteSettings s;
    s.name = "fz";
    s.url = "https://docs.example.org/";
    s.content_selectors = {"div.body[role=main]", "main article", "#content"};
    s.breadcrumb_selector = "nav.crumbs";
    s.skip.url_patterns = {"/skip/"};
    return s;
  }();
  static const char* charsets[] = {"", "utf-8", "windows-1252", "shift_jis", "iso-8859-1", "bogus"};
  siteseek::ExtractOptions options;
  if (size > 0) options.charset = charsets[data[0] % 6];
  std::string html(reinterpret_cast<const char*>(data), size);
  auto page = siteseek::extract_page(html, "https://docs.example.org/a/b.html", site, options);
  std::vector<siteseek::Document> docs = page.documents;
  siteseek::assign_hierarchy(docs, site);
  return 0;
}
