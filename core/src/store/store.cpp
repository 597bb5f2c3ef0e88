// The store factory and the JSON both stores write.
#include <boost/json.hpp>

#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/store.hpp"
#include "siteseek/segments.hpp"
#include "store/store_json.hpp"
#ifdef SITESEEK_WITH_REDIS
#include "siteseek/redis_store.hpp"
#endif

namespace siteseek {

std::string Store::write_segment(const SiteSettings&, const Index&) { return {}; }

std::shared_ptr<const Index> Store::open_segment(const SiteSettings&, const std::string&) { return nullptr; }

std::unique_ptr<Store> make_store(const AppSettings& settings) {
  if (settings.storage == "redis") {
#ifdef SITESEEK_WITH_REDIS
    return std::make_unique<RedisStore>(parse_redis_url(settings.redis_url, "redis_url"));
#else
    throw ConfigError("storage", "\"redis\" needs a siteseek built with SITESEEK_WITH_REDIS=ON");
#endif
  }
  return std::make_unique<FileStore>(settings.data_dir);
}

std::string validators_to_json(const CrawlState& state) {
  boost::json::object pages;
  for (const auto& [url, page] : state.pages) {
    if (page.etag.empty() && page.last_modified.empty() && page.fetched_at == 0) continue;
    boost::json::array links;
    for (const auto& l : page.links) links.emplace_back(l);
    boost::json::object entry{{"etag", page.etag}, {"last_modified", page.last_modified},
                              {"fetched_at", page.fetched_at}, {"links", std::move(links)}};
    if (!page.title.empty()) entry["title"] = page.title;
    if (page.ancestors >= 0) entry["ancestors"] = page.ancestors;
    // The index searches a record's anchors but does not store them: kept here, a page answered
    // 304 gets them back with its documents.
    boost::json::object anchors;
    auto add = [&](const std::string& url, const std::vector<std::string>& list) {
      if (list.empty() || anchors.contains(url)) return;
      boost::json::array ids;
      for (const auto& a : list) ids.emplace_back(a);
      anchors[url] = std::move(ids);
    };
    for (const auto& d : page.documents) add(d.url, d.anchors);
    for (const auto& [url, list] : page.anchors) add(url, list);  // of the records read back later
    if (!anchors.empty()) entry["anchors"] = std::move(anchors);
    pages[url] = std::move(entry);
  }
  return boost::json::serialize(boost::json::object{{"version", 1}, {"pages", std::move(pages)}});
}

CrawlState validators_from_json(const std::string& text, const SegmentedIndex& index) {
  CrawlState state;
  boost::system::error_code ec;
  auto doc = boost::json::parse(text, ec);
  const auto* root = ec ? nullptr : doc.if_object();
  const auto* pages = root ? root->if_contains("pages") : nullptr;
  if (!pages || !pages->is_object()) return state;  // unreadable: crawl everything again
  auto list = [](const boost::json::value* ids) {
    std::vector<std::string> out;
    if (ids && ids->is_array())
      for (const auto& id : ids->as_array())
        if (id.is_string()) out.emplace_back(id.get_string());
    return out;
  };
  // Each page of the index the validators name, as its first live record (without its body): a
  // re-crawl that keeps the page needs no more unless it builds the page again, and then reads
  // the rest from the index (a record's anchors, which the index keeps as one text, from here).
  for (std::size_t k = 0; k < index.segments().size(); ++k) {
    const Index& part = *index.segments()[k].index;
    std::string_view last;
    for (std::uint32_t i = 0; i < part.size(); ++i) {
      if (index.deleted(k, i)) continue;
      const auto page_view = page_of(part.url(i));
      if (page_view == last) continue;  // a page's records follow each other
      last = page_view;
      const std::string page(page_view);
      if (state.pages.count(page)) continue;
      const auto* v = pages->as_object().if_contains(page);
      if (!v || !v->is_object()) continue;
      const auto& o = v->as_object();
      auto& entry = state.pages[page];
      if (const auto* e = o.if_contains("etag"); e && e->is_string()) entry.etag = std::string(e->get_string());
      if (const auto* l = o.if_contains("last_modified"); l && l->is_string()) entry.last_modified = std::string(l->get_string());
      if (const auto* f = o.if_contains("fetched_at"); f && f->is_int64()) entry.fetched_at = f->get_int64();
      if (const auto* t = o.if_contains("title"); t && t->is_string()) entry.title = std::string(t->get_string());
      entry.links = list(o.if_contains("links"));
      if (const auto* a = o.if_contains("anchors"); a && a->is_object())
        for (const auto& [url, ids] : a->as_object()) entry.anchors[std::string(url)] = list(&ids);
      Document d = part.document(i, false);
      if (const auto it = entry.anchors.find(d.url); it != entry.anchors.end()) d.anchors = it->second;
      // The page as extracted, without the ancestors' titles the last crawl gave it: the
      // re-crawl gives it theirs as they are now (a renamed ancestor renames its breadcrumb).
      if (const auto* n = o.if_contains("ancestors"); n && n->is_int64() && d.type == DocumentType::page &&
                                                       n->get_int64() >= 0 &&
                                                       static_cast<std::uint64_t>(n->get_int64()) == d.hierarchy.size()) {
        entry.ancestors = static_cast<std::int32_t>(n->get_int64());
        d.hierarchy.clear();
      }
      entry.documents.push_back(std::move(d));
    }
  }
  return state;
}

std::string stored_site_to_json(const SiteSettings& site, SiteOrigin origin) {
  return boost::json::serialize(boost::json::object{{"version", 1},
                                                    {"origin", origin == SiteOrigin::runtime ? "runtime" : "settings"},
                                                    {"site", boost::json::value_from(site)}});
}

StoredSite stored_site_from_json(const std::string& text, const std::string& source) {
  boost::json::value doc;
  try {
    doc = parse_json_exact(text);
  } catch (const ConfigError& e) {
    throw ConfigError(source, e.what());
  }
  const auto* root = doc.if_object();
  const auto* site = root ? root->if_contains("site") : nullptr;
  if (!site) throw ConfigError(source, "expected an object with the key 'site'");
  StoredSite out;
  try {
    out.site = site_settings_from_json(*site);
  } catch (const ConfigError& e) {
    std::vector<ConfigIssue> issues = e.issues();
    for (auto& i : issues) i.path = source + ":site" + (i.path.empty() ? "" : "." + i.path);
    throw ConfigError(std::move(issues));
  }
  if (const auto* o = root->if_contains("origin"); o && o->is_string() && o->get_string() == "runtime") {
    out.origin = SiteOrigin::runtime;
  }
  return out;
}

}  // namespace siteseek
