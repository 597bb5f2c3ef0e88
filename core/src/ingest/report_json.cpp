// An ingestion run's report and progress as JSON (shapes in siteseek/json.hpp). Here rather than
// in the json module because the Redis job queue, below it, stores reports and reads them back.
#include <stdexcept>

#include <boost/json.hpp>

#include "siteseek/json.hpp"

namespace siteseek {

namespace json = boost::json;

void tag_invoke(const json::value_from_tag&, json::value& jv, const IngestProgress& p) {
  jv = {{"fetched", p.fetched}, {"queued", p.queued}, {"documents", p.documents}, {"errors", p.errors}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const IngestReport& r) {
  json::array skipped, failed;
  for (const auto& s : r.skipped) skipped.push_back({{"url", s.url}, {"reason", s.reason}});
  for (const auto& f : r.failed) failed.push_back({{"url", f.url}, {"error", f.error}});
  jv = {{"pages_fetched", r.pages_fetched},
        {"pages_indexed", r.pages_indexed},
        {"pages_unchanged", r.pages_unchanged},
        {"pages_not_requested", r.pages_not_requested},
        {"documents", r.documents},
        {"index_unchanged", r.index_unchanged},
        {"pages_changed", r.pages_changed},
        {"pages_removed", r.pages_removed},
        {"updated_in_place", r.updated_in_place},
        {"duration_ms", static_cast<std::uint64_t>(r.duration.count())},
        {"skipped", std::move(skipped)},
        {"failed", std::move(failed)}};
  if (!r.pages_without_text.empty()) {  // only when there are some (and reports without it read back alike)
    json::array urls;
    for (const auto& u : r.pages_without_text) urls.emplace_back(u);
    jv.as_object()["pages_without_text"] = std::move(urls);
  }
  if (!r.generators.empty()) {  // only when pages were read (and reports without it read back alike)
    json::object generators;
    for (const auto& [name, pages] : r.generators) generators[name] = pages;
    jv.as_object()["generators"] = std::move(generators);
  }
  const auto& a = r.attributes;
  if (!a.values.empty() || a.dropped != AttributeDrops{}) {  // only when pages had some, as generators
    json::object values;
    for (const auto& [name, distinct] : a.values) values[name] = distinct;
    jv.as_object()["attributes"] = {
        {"values", std::move(values)},
        {"dropped", {{"invalid_name", a.dropped.invalid_name}, {"too_long", a.dropped.too_long}, {"too_many", a.dropped.too_many}}}};
  }
}

IngestReport tag_invoke(const json::value_to_tag<IngestReport>&, const json::value& jv) {
  const auto* o = jv.if_object();
  if (!o) throw std::invalid_argument("an ingest report must be a JSON object");
  auto count = [](const json::object& obj, const char* key) -> std::uint64_t {
    const auto* x = obj.if_contains(key);
    if (!x) return 0;
    if (const auto* u = x->if_uint64()) return *u;
    if (const auto* i = x->if_int64()) return *i > 0 ? static_cast<std::uint64_t>(*i) : 0;
    return 0;
  };
  auto text = [](const json::value& item, const char* key) {
    const auto* obj = item.if_object();
    const auto* x = obj ? obj->if_contains(key) : nullptr;
    return x && x->is_string() ? std::string(x->get_string()) : std::string();
  };
  auto items = [&](const char* key, const char* second, auto& out) {
    const auto* a = o->if_contains(key);
    if (!a || !a->is_array()) return;
    for (const auto& item : a->get_array()) out.push_back({text(item, "url"), text(item, second)});
  };
  IngestReport r;
  r.pages_fetched = count(*o, "pages_fetched");
  r.pages_indexed = count(*o, "pages_indexed");
  r.pages_unchanged = count(*o, "pages_unchanged");
  r.pages_not_requested = count(*o, "pages_not_requested");
  r.documents = count(*o, "documents");
  if (const auto* u = o->if_contains("index_unchanged"); u && u->is_bool()) r.index_unchanged = u->get_bool();
  r.pages_changed = count(*o, "pages_changed");
  r.pages_removed = count(*o, "pages_removed");
  if (const auto* u = o->if_contains("updated_in_place"); u && u->is_bool()) r.updated_in_place = u->get_bool();
  r.duration = std::chrono::milliseconds(count(*o, "duration_ms"));
  items("skipped", "reason", r.skipped);
  items("failed", "error", r.failed);
  if (const auto* a = o->if_contains("pages_without_text"); a && a->is_array())
    for (const auto& u : a->get_array())
      if (u.is_string()) r.pages_without_text.emplace_back(u.get_string());
  if (const auto* g = o->if_contains("generators"); g && g->is_object()) {
    for (const auto& [name, pages] : g->get_object()) r.generators[std::string(name)] = count(g->get_object(), name.data());
  }
  if (const auto* a = o->if_contains("attributes"); a && a->is_object()) {
    if (const auto* v = a->get_object().if_contains("values"); v && v->is_object()) {
      for (const auto& [name, distinct] : v->get_object()) r.attributes.values[std::string(name)] = count(v->get_object(), name.data());
    }
    if (const auto* d = a->get_object().if_contains("dropped"); d && d->is_object()) {
      r.attributes.dropped = {count(d->get_object(), "invalid_name"), count(d->get_object(), "too_long"), count(d->get_object(), "too_many")};
    }
  }
  return r;
}

}  // namespace siteseek
