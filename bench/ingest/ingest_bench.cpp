// Ingestion benchmark: read a built static site (default: the Python 3.11 docs from Debian's
// python3.11-doc) into documents, several times; print pages/s, documents and MB/s.
//   ingest_bench [DIR BASE_URL] [--reps N] [--dump]   (--dump: JSON lines of the documents)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "siteseek/ingest.hpp"
#include "siteseek/settings.hpp"

int main(int argc, char** argv) {
  std::string dir = "/usr/share/doc/python3.11/html", base = "https://docs.python.org/3/";
  int reps = 5;
  bool dump = false;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--reps" && i + 1 < argc) reps = std::stoi(argv[++i]);
    else if (a == "--dump") dump = true;
    else positional.push_back(a);
  }
  if (positional.size() == 2) dir = positional[0], base = positional[1];

  siteseek::SiteSettings site;
  site.name = "bench";
  site.url = base;
  site.content_selectors = {"div.body[role=main]", "div.body"};
  site.title_separators = {" — "};
  site.deny_patterns = {"/(genindex[^/]*|search|py-modindex)\\.html$", "/_(sources|static|images|downloads)/"};

  std::uintmax_t bytes = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".html") bytes += e.file_size();
  }
  std::vector<double> seconds;
  siteseek::IngestResult last;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    last = siteseek::read_directory(dir, base, site);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  if (dump) {
    for (const auto& d : last.documents) {
      boost::json::object o{{"id", d.id}, {"url", d.url}, {"title", d.title}, {"section_title", d.section_title},
                            {"body", d.body}, {"type", d.type == siteseek::DocumentType::page ? "page" : "section"},
                            {"s", d.section_key}};
      boost::json::array h;
      for (const auto& c : d.hierarchy) h.push_back(boost::json::string(c));
      o["hierarchy"] = std::move(h);
      std::cout << boost::json::serialize(o) << "\n";
    }
    return 0;
  }
  std::sort(seconds.begin(), seconds.end());
  double best = seconds.front(), median = seconds[seconds.size() / 2];
  std::size_t pages = 0, sections = 0, body = 0;
  for (const auto& d : last.documents) {
    (d.type == siteseek::DocumentType::page ? pages : sections)++;
    body += d.body.size();
  }
  std::printf("read_directory %s: %llu HTML files (%.1f MB) -> %zu pages + %zu sections (%.1f MB body text), "
              "%zu skipped, %zu failed\n",
              dir.c_str(), static_cast<unsigned long long>(last.report.pages_fetched), bytes / 1e6, pages, sections,
              body / 1e6, last.report.skipped.size(), last.report.failed.size());
  std::printf("best %.3f s, median %.3f s of %d runs: %.0f pages/s, %.1f MB/s of HTML (2 threads)\n", best, median, reps,
              last.report.pages_fetched / median, bytes / 1e6 / median);
  return 0;
}
