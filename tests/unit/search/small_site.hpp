#pragma once
// The small site the search tests build by hand: pages and sections under one root URL, indexed
// with default settings (or the ones a test passes).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "siteseek/index.hpp"
#include "siteseek/settings.hpp"

namespace siteseek::test {

inline const std::string root = "https://example.org/docs/";

/// A page record at root + path; its section key is the path's first segment.
inline Document page(const std::string& path, const std::string& title, const std::string& body) {
  Document d;
  d.url = d.id = root + path;
  d.title = title;
  d.body = body;
  d.section_key = path.substr(0, path.find('/'));
  return d;
}

/// A section record of the page `title`, under `heading`, at `position` in its page.
inline Document section(const std::string& path, const std::string& title, const std::string& heading,
                        const std::string& body, std::uint32_t position = 0) {
  auto d = page(path, title, body);
  d.type = DocumentType::section;
  d.section_title = heading;
  d.position = position;
  return d;
}

/// The site's default settings: name "t", url root.
inline SiteSettings site() {
  SiteSettings s;
  s.name = "t";
  s.url = root;
  return s;
}

inline std::shared_ptr<const Index> build(const std::vector<Document>& docs, SiteSettings s = site()) {
  IndexBuilder b(s);
  for (const auto& d : docs) b.add(d);
  return b.build();
}

}  // namespace siteseek::test
