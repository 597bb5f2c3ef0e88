// The engine's glue to ingestion and storage: reindex a site (directory or crawl -> build ->
// snapshot -> publish) and load saved snapshots at start-up. A crawl keeps its validators so
// the next one sends conditional requests.
#include <filesystem>

#include "engine/engine_impl.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"

namespace siteseek {

IngestReport Engine::reindex(const std::string& site, const ProgressCallback& progress) {
  SiteSlot& slot = impl_->slot(site);
  const SiteSettings& settings = slot.settings;
  std::lock_guard lock(slot.reindex_mutex);
  IngestResult result;
  CrawlState next_state;
  if (!settings.directory.empty()) {
    result = read_directory(settings.directory, settings.url, settings, progress);
  } else {
    CrawlOptions options;
    options.progress = progress;
    options.previous = &slot.crawl_state;
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
  auto index = build(settings.name, std::move(result.documents));
  const std::string dir = impl_->settings.data_dir.empty() ? std::string(".") : impl_->settings.data_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IoError("cannot create the data directory " + dir + ": " + ec.message());
  // Persist first: a snapshot that cannot be written fails the run before anything changes.
  save_snapshot(*index, snapshot_path(settings.name));
  publish(settings.name, std::move(index));
  if (settings.directory.empty()) slot.crawl_state = std::move(next_state);
  return std::move(result.report);
}

std::vector<std::string> Engine::load_snapshots() {
  std::vector<std::string> loaded;
  for (const auto& site : impl_->settings.sites) {
    auto path = snapshot_path(site.name);
    if (!std::filesystem::exists(path)) continue;
    publish(site.name, load_snapshot(path, site));
    loaded.push_back(site.name);
  }
  return loaded;
}

}  // namespace siteseek
