// The engine's glue to ingestion and storage: reindex a site (directory or crawl -> build ->
// snapshot -> publish) and load saved snapshots at start-up. A crawl keeps its validators so
// the next one sends conditional requests.
#include <malloc.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "engine/engine_impl.hpp"
#include "siteseek/crawler.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"

namespace siteseek {
namespace {

std::string validators_path(const std::string& snapshot) {
  return snapshot.substr(0, snapshot.size() - std::string(".snapshot").size()) + ".validators.json";
}

// The crawl's validators (ETag, Last-Modified) and each page's content links live beside the
// snapshot, so conditional requests survive a restart and a page answered 304 still counts as
// linking to its targets; the documents to reuse on 304 come from the current index.
void save_validators(const CrawlState& state, const std::string& path) {
  boost::json::object pages;
  for (const auto& [url, page] : state.pages) {
    if (page.etag.empty() && page.last_modified.empty()) continue;
    boost::json::array links;
    for (const auto& l : page.links) links.emplace_back(l);
    pages[url] = boost::json::object{{"etag", page.etag}, {"last_modified", page.last_modified}, {"links", std::move(links)}};
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << boost::json::serialize(boost::json::object{{"version", 1}, {"pages", std::move(pages)}});
    if (!out) throw IoError("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

CrawlState previous_state(const std::string& path, const Index* index) {
  CrawlState state;
  if (!index) return state;
  std::ifstream in(path);
  if (!in) return state;
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto doc = boost::json::parse(text.str(), ec);
  const auto* root = ec ? nullptr : doc.if_object();
  const auto* pages = root ? root->if_contains("pages") : nullptr;
  if (!pages || !pages->is_object()) return state;  // unreadable: crawl everything again
  for (std::uint32_t i = 0; i < index->size(); ++i) {
    Document d = index->document(i);
    const std::string page = page_url(d);
    const auto* v = pages->as_object().if_contains(page);
    if (!v || !v->is_object()) continue;
    auto [it, first] = state.pages.try_emplace(page);
    auto& entry = it->second;
    if (first) {
      const auto& o = v->as_object();
      if (const auto* e = o.if_contains("etag"); e && e->is_string()) entry.etag = std::string(e->get_string());
      if (const auto* l = o.if_contains("last_modified"); l && l->is_string()) entry.last_modified = std::string(l->get_string());
      if (const auto* ls = o.if_contains("links"); ls && ls->is_array()) {
        for (const auto& l : ls->as_array())
          if (l.is_string()) entry.links.emplace_back(l.get_string());
      }
    }
    entry.documents.push_back(std::move(d));
  }
  return state;
}

}  // namespace

IngestReport Engine::reindex(const std::string& site, const ProgressCallback& progress) {
  SiteSlot& slot = impl_->slot(site);
  const SiteSettings& settings = slot.settings;
  std::lock_guard lock(slot.reindex_mutex);
  // Parsing and analysis threads leave their freed tables in malloc's per-thread arenas, which
  // glibc keeps; give those pages back when the run ends (a server reindexing every few seconds
  // grew 17 % in 5 minutes without this).
  struct TrimAfter {
    ~TrimAfter() {
#ifdef __GLIBC__
      ::malloc_trim(0);
#endif
    }
  } trim_after;
  IngestResult result;
  CrawlState next_state;
  if (!settings.directory.empty()) {
    result = read_directory(settings.directory, settings.url, settings, progress);
  } else {
    // A page answered 304 keeps the documents the current index holds for it: only when they were
    // extracted with the settings in force (else every page is fetched and extracted again).
    auto now = current(settings.name);
    const Index* reusable = now && now->settings_changes(settings).empty() ? now.get() : nullptr;
    CrawlState previous = previous_state(validators_path(snapshot_path(settings.name)), reusable);
    CrawlOptions options;
    options.progress = progress;
    options.previous = &previous;
    auto outcome = crawl(settings, options);  // throws IoError when nothing could be fetched
    result = std::move(outcome.result);
    next_state = std::move(outcome.state);
  }
  if (result.documents.empty()) {
    std::string why = "no documents could be indexed for site '" + settings.name + "'";
    if (!result.report.failed.empty()) {
      why += " (first failure: " + result.report.failed.front().url + ": " + result.report.failed.front().error + ")";
    }
    throw IoError(why + "; the current index is unchanged");
  }
#ifdef SITESEEK_WITH_REDIS
  // backend = "redisearch": RediSearch gets the documents first (a failure leaves both indexes as
  // they were); the embedded index is still built, for suggestions and /health.
  if (impl_->redisearch) impl_->redisearch->index(settings, result.documents);
#endif
  auto index = build(settings.name, std::move(result.documents));
#ifdef SITESEEK_WITH_REDIS
  if (impl_->store) {
    // Shared storage: the new version goes to Redis (every node swaps to it), then here.
    impl_->store->publish(settings.name, *index);
    publish(settings.name, std::move(index));
    return std::move(result.report);
  }
#endif
  const std::string dir = impl_->settings.data_dir.empty() ? std::string(".") : impl_->settings.data_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IoError("cannot create the data directory " + dir + ": " + ec.message());
  // Persist first: a snapshot that cannot be written fails the run before anything changes.
  save_snapshot(*index, snapshot_path(settings.name));
  publish(settings.name, std::move(index));
  if (settings.directory.empty()) save_validators(next_state, validators_path(snapshot_path(settings.name)));
  return std::move(result.report);
}

namespace {

// A writer that died (kill -9, power loss) leaves "<site>.snapshot.tmp.<pid>" behind; remove those
// whose process is gone. A live writer's file is left alone.
void remove_stale_temporaries(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    auto mark = name.find(".snapshot.tmp.");
    if (mark == std::string::npos) continue;
    const std::string pid = name.substr(mark + std::string(".snapshot.tmp.").size());
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (std::filesystem::exists("/proc/" + pid)) continue;
    std::filesystem::remove(entry.path(), ec);
  }
}

}  // namespace

std::vector<std::string> Engine::load_snapshots(std::vector<RefusedSnapshot>* refused) {
  std::vector<std::string> loaded;
#ifdef SITESEEK_WITH_REDIS
  if (impl_->store) {
    for (const auto& site : impl_->settings.sites) {
      try {
        if (auto snap = impl_->store->load(site)) {
          publish(site.name, std::move(snap->index));
          loaded.push_back(site.name);
        }
      } catch (const SnapshotError& e) {
        if (!refused) throw;
        refused->push_back({site.name, "redis", e.what()});
      }
    }
    return loaded;
  }
#endif
  remove_stale_temporaries(impl_->settings.data_dir.empty() ? std::string(".") : impl_->settings.data_dir);
  for (const auto& site : impl_->settings.sites) {
    auto path = snapshot_path(site.name);
    if (!std::filesystem::exists(path)) continue;
    try {
      publish(site.name, load_snapshot(path, site));
    } catch (const SnapshotError& e) {
      if (!refused) throw;
      refused->push_back({site.name, path, e.what()});
      continue;
    }
    loaded.push_back(site.name);
  }
  return loaded;
}

}  // namespace siteseek
