// Embeds siteseek in a C++ program: configure a site, index three documents, search them.
// Usage: embed_search [QUERY]   (default query: "install packge", with a typo on purpose)
#include <iostream>

#include <siteseek/siteseek.hpp>

int main(int argc, char** argv) {
  siteseek::AppSettings settings;
  siteseek::SiteSettings site;
  site.name = "demo";
  site.url = "https://docs.example.org/";
  settings.sites.push_back(site);
  siteseek::Engine engine(settings);

  std::vector<siteseek::Document> docs;
  auto add = [&](std::string url, std::string title, std::string body) {
    siteseek::Document d;
    d.id = d.url = std::move(url);
    d.title = std::move(title);
    d.body = std::move(body);
    docs.push_back(std::move(d));
  };
  add("https://docs.example.org/install.html", "Installing a package", "Use the installer to install any package.");
  add("https://docs.example.org/config.html", "Configuration", "Settings live in a JSON file.");
  add("https://docs.example.org/search.html", "Searching", "Type a few letters and press enter.");
  engine.publish("demo", engine.build("demo", std::move(docs)));

  siteseek::SearchRequest request;
  request.q = argc > 1 ? argv[1] : "install packge";
  auto response = engine.search(request);
  std::cout << response.total << " result(s) for '" << request.q << "'\n";
  for (const auto& r : response.results) std::cout << r.url << "  " << r.title << "\n";
  return response.total > 0 ? 0 : 1;
}
