// libFuzzer target: any bytes as a query (and as from_url) against a small index; must not
// crash, hang or leak, whatever the query language makes of them.
#include <cstddef>
#include <cstdint>
#include <string>

#include "siteseek/engine.hpp"
#include "siteseek/error.hpp"

namespace {
siteseek::Engine& engine() {
  static siteseek::Engine* e = [] {
    siteseek::AppSettings app;
    siteseek::SiteSettings site;
    site.name = "fz";
    site.url = "https://docs.example.org/";
    site.synonyms = {{"install", "setup", "set up"}};
    site.literal_terms = {"active-active", "v6.2.8"};
    site.landing_pages = {{"start", "https://docs.example.org/start.html"}};
    app.sites.push_back(site);
    auto* engine = new siteseek::Engine(app);
    std::vector<siteseek::Document> docs;
    const char* bodies[] = {"Install the package with pip install siteseek. Use os.path.join(a, b).",
                            "Configure active-active replication in v6.2.8 and __init__ methods.",
                            "Start here: <script>alert(1)</script> & friends, café naïve 日本語 text."};
    for (int i = 0; i < 3; ++i) {
      siteseek::Document d;
      d.url = d.id = "https://docs.example.org/p" + std::to_string(i) + ".html";
      d.title = "Page " + std::to_string(i);
      d.body = bodies[i];
      docs.push_back(d);
      d.url = d.id = d.url + "#s";
      d.type = siteseek::DocumentType::section;
      d.section_title = "Section " + std::to_string(i);
      docs.push_back(d);
    }
    engine->publish("fz", engine->build("fz", docs));
    return engine;
  }();
  return *e;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  siteseek::SearchRequest req;
  req.q = text;
  req.from_url = text;
  req.num = 5;
  try {
    engine().search(req);
    engine().suggest({text, "", 5});
  } catch (const siteseek::Error&) {
  }
  return 0;
}
