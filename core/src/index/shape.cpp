// Which settings shape an index (ingestion, analysis, static boosts) as opposed to those a search
// reads from the current settings (field weights, synonyms, landing pages, search options, the
// current-section boost). An index keeps the former as JSON so a later start can tell whether it
// was built with the settings now configured, and name the keys that changed.
#include <boost/json.hpp>

#include "index/index_data.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {

namespace json = boost::json;

std::string index_shape(const SiteSettings& site) {
  json::object o = json::value_from(site).as_object();
  for (const char* read_at_search : {"name", "field_weights", "synonyms", "landing_pages", "search"}) o.erase(read_at_search);
  o.erase("compact_above_mb");  // how the index is stored, not what it answers
  // No exclusions is how every index was built before the key existed: its snapshots stay current.
  if (auto* x = o.if_contains("exclude_selectors"); x && x->is_array() && x->as_array().empty()) o.erase("exclude_selectors");
  if (auto* b = o.if_contains("boosts"); b && b->is_object()) {
    b->as_object().erase("current_section");
    // No rules is how every index was built before the key existed: its snapshots stay current.
    if (auto* u = b->as_object().if_contains("urls"); u && u->is_array() && u->as_array().empty()) b->as_object().erase("urls");
  }
  if (auto* c = o.if_contains("crawl"); c && c->is_object()) {
    // Only the limits that decide which pages are indexed; politeness and timeouts do not.
    json::object kept;
    for (const char* k : {"max_pages", "max_depth"})
      if (auto* v = c->as_object().if_contains(k)) kept[k] = *v;
    *c = std::move(kept);
  }
  return json::serialize(o);
}

namespace {

void differences(const json::value& was, const json::value& now, const std::string& path, std::vector<std::string>& out) {
  if (was.is_object() && now.is_object()) {
    for (const auto& [k, v] : was.as_object()) {
      const std::string p = path.empty() ? std::string(k) : path + "." + std::string(k);
      if (const auto* n = now.as_object().if_contains(k)) differences(v, *n, p, out);
      else out.push_back(p);
    }
    for (const auto& [k, v] : now.as_object())
      if (!was.as_object().contains(k)) out.push_back(path.empty() ? std::string(k) : path + "." + std::string(k));
    return;
  }
  if (was != now) out.push_back(path);
}

}  // namespace

std::vector<std::string> shape_changes(std::string_view built_with, const SiteSettings& now) {
  std::vector<std::string> out;
  if (built_with.empty()) return out;  // built by a caller that did not say (never from a file)
  boost::system::error_code ec;
  json::value was = json::parse(built_with, ec);
  if (ec) return {"(unreadable)"};
  // Through text on both sides: numbers then compare as parsed values of the same kind (a
  // uint32 setting read back is an int64, and a double is whatever the parser rounds it to).
  differences(was, json::parse(index_shape(now)), "", out);
  return out;
}

}  // namespace siteseek
