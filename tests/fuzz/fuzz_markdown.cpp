// libFuzzer target: any bytes as a Docsify site's Markdown page (Docsify 4's or 5's ids, by the
// input's first byte) and as its index.html: rendered, its headings given ids, and read by the
// extractor at a route URL; must not crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/markdown.hpp"
#include "siteseek/ingest.hpp"
#include "siteseek/settings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const siteseek::SiteSettings site = [] {
    siteseek::SiteSettings s;
    s.name = "fz";
    s.url = "https://docs.example.org/";
    return s;
  }();
  const std::string text(reinterpret_cast<const char*>(data), size);
  const int version = size > 0 && (data[0] & 1) ? 5 : 4;
  const auto html = siteseek::ingest_detail::docsify_page_html(text, "page", version);
  auto page = siteseek::extract_page(html, "https://docs.example.org/#/guide", site);
  std::vector<siteseek::Document> docs = page.documents;
  siteseek::assign_hierarchy(docs, site);
  if (const auto shell = siteseek::ingest_detail::docsify_site(text))
    (void)siteseek::ingest_detail::docsify_url(*shell, site.url, "zh/README.md");
  return 0;
}
