#pragma once
// Documents from JSON lines (shared/relevance/corpus.py's format: id, url, title, section_title,
// body, type, s), for the benchmark tools.
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "siteseek/document.hpp"

namespace siteseek::bench {

inline std::vector<Document> load_jsonl(const std::string& path) {
  namespace json = boost::json;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<Document> docs;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto o = json::parse(line).as_object();
    Document d;
    d.id = json::value_to<std::string>(o.at("id"));
    d.url = json::value_to<std::string>(o.at("url"));
    d.title = json::value_to<std::string>(o.at("title"));
    d.section_title = json::value_to<std::string>(o.at("section_title"));
    d.body = json::value_to<std::string>(o.at("body"));
    d.type = o.at("type").as_string() == "page" ? DocumentType::page : DocumentType::section;
    if (auto* s = o.if_contains("s")) d.section_key = json::value_to<std::string>(*s);
    docs.push_back(std::move(d));
  }
  return docs;
}

}  // namespace siteseek::bench
