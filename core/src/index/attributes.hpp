#pragma once
// The attributes a record is filtered and faceted by (docs/filters.md): its own pairs, then the
// built-ins. One rule for every place that stores them (the embedded index's tables, RediSearch's
// `attrs` TAG field), so a filter keeps the same records whichever backend runs it.
#include <string>
#include <string_view>

#include "siteseek/document.hpp"

namespace siteseek::detail {

/// Calls `add(name, value)` for each attribute of `doc`: its own (a pair with an empty name is
/// left out), then the built-in `type` (page/section) and `area` (the first URL path segment, only
/// when the record is under that directory: a page at the root, contents.html, is in no area),
/// each unless the record sets that name itself.
template <class Add>
void for_each_attribute(const Document& doc, Add&& add) {
  bool has_type = false, has_area = false;
  for (const auto& a : doc.attributes) {
    if (a.name.empty()) continue;
    has_type |= a.name == "type";
    has_area |= a.name == "area";
    add(std::string_view(a.name), std::string_view(a.value));
  }
  if (!has_type) add(std::string_view("type"), std::string_view(doc.type == DocumentType::page ? "page" : "section"));
  const std::string& key = doc.section_key;
  if (!has_area && !key.empty() && doc.url.find("/" + key + "/") != std::string::npos)
    add(std::string_view("area"), std::string_view(key));
}

}  // namespace siteseek::detail
