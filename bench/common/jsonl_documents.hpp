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

/// The distinct queries of a judged-queries TSV (first column), in file order.
inline std::vector<std::string> load_queries(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto q = line.substr(0, line.find('\t'));
    bool seen = false;
    for (const auto& o : out) seen = seen || o == q;
    if (!seen) out.push_back(q);
  }
  return out;
}

}  // namespace siteseek::bench
