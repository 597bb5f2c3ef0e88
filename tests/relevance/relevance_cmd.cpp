// Answers judged queries for eval.py --cmd: indexes a configured site's directory with our own
// ingestion and engine, then reads one query per stdin line and writes one JSON line
// {"results":[{"url":...}]} per query (top 10).
//   relevance_cmd CONFIG.json SITE
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/json.hpp>

#include "siteseek/engine.hpp"
#include "siteseek/error.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: relevance_cmd CONFIG.json SITE\n";
    return 2;
  }
  try {
    std::ifstream in(argv[1]);
    std::stringstream text;
    text << in.rdbuf();
    auto settings = siteseek::app_settings_from_json_text(text.str());
    const std::string site = argv[2];
    const auto& ss = settings.site(site);
    siteseek::Engine engine(settings);
    auto ingested = siteseek::read_directory(ss.directory, ss.url, ss);
    std::cerr << "relevance_cmd: " << ingested.documents.size() << " documents from " << ss.directory << "\n";
    engine.publish(site, engine.build(site, std::move(ingested.documents)));

    std::string q;
    while (std::getline(std::cin, q)) {
      siteseek::SearchRequest request;
      request.q = q;
      request.site = site;
      request.num = 10;
      boost::json::array results;
      for (const auto& r : engine.search(request).results) results.push_back(boost::json::object{{"url", r.url}});
      std::cout << boost::json::serialize(boost::json::object{{"results", std::move(results)}}) << "\n" << std::flush;
    }
  } catch (const siteseek::Error& e) {
    std::cerr << "relevance_cmd: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
