// storage = "embedded": each site's index, settings and validators as files in data_dir.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/store.hpp"
#include "store/store_json.hpp"

namespace siteseek {
namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void make_directory(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw IoError("cannot create the data directory " + dir + ": " + ec.message());
}

// Written beside the target and renamed over it: a reader sees the old file or the new one.
void write_file(const std::string& path, const std::string& text) {
  make_directory(fs::path(path).parent_path().string());
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw IoError("cannot write " + tmp);
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw IoError("cannot rename " + tmp + " to " + path + ": " + ec.message());
  }
}

void remove_file(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) throw IoError("cannot remove " + path + ": " + ec.message());
}

}  // namespace

FileStore::FileStore(std::string data_dir) : dir_(data_dir.empty() ? std::string(".") : std::move(data_dir)) {
  if (dir_.back() != '/') dir_ += '/';
}

std::string FileStore::describe() const { return "files in " + dir_; }

std::string FileStore::snapshot_path(const std::string& site) const { return dir_ + site + ".snapshot"; }

std::string FileStore::where(const std::string& site) const { return snapshot_path(site); }

AppSettings FileStore::effective_settings(const AppSettings& local) {
  std::vector<StoredSite> stored;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    const std::string suffix = ".site.json";
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    if (auto text = read_file(entry.path().string())) stored.push_back(stored_site_from_json(*text, entry.path().string()));
  }
  std::sort(stored.begin(), stored.end(), [](const auto& a, const auto& b) { return a.site.name < b.site.name; });
  AppSettings out = local;
  const bool configured = !local.sites.empty();
  for (auto& s : stored) {
    const bool known = std::any_of(out.sites.begin(), out.sites.end(), [&](const auto& c) { return c.name == s.site.name; });
    // With sites in the settings, those are the list (a site dropped from the file stays dropped);
    // only sites added at run time join them.
    if (known || (configured && s.origin != SiteOrigin::runtime)) continue;
    out.sites.push_back(std::move(s.site));
  }
  if (out.sites.size() != local.sites.size()) validate(out);
  return out;
}

void FileStore::put_site(const SiteSettings& site) {
  write_file(dir_ + site.name + ".site.json", stored_site_to_json(site, SiteOrigin::runtime));
}

void FileStore::remove_site(const std::string& name) {
  for (const char* suffix : {".snapshot", ".site.json", ".validators.json"}) remove_file(dir_ + name + suffix);
}

std::optional<StoredIndex> FileStore::load(const SiteSettings& site) {
  const auto path = snapshot_path(site.name);
  if (!fs::exists(path)) return std::nullopt;
  return StoredIndex{load_snapshot(path, site), 0, path};
}

StoredIndex FileStore::save(const SiteSettings& site, const Index& index) {
  make_directory(dir_);
  const auto path = snapshot_path(site.name);
  save_snapshot(index, path);
  // The settings beside the index: a site added at run time stays one; any other was indexed
  // from the settings in force.
  const std::string settings_path = dir_ + site.name + ".site.json";
  SiteOrigin origin = SiteOrigin::settings;
  if (auto text = read_file(settings_path)) {
    try {
      origin = stored_site_from_json(*text, settings_path).origin;
    } catch (const ConfigError&) {
      // unreadable: written anew below
    }
  }
  write_file(settings_path, stored_site_to_json(site, origin));
  return {nullptr, 0, path};
}

CrawlState FileStore::load_validators(const SiteSettings& site, const Index* reusable) {
  if (!reusable) return {};
  auto text = read_file(dir_ + site.name + ".validators.json");
  return text ? validators_from_json(*text, *reusable) : CrawlState{};
}

void FileStore::save_validators(const SiteSettings& site, const CrawlState& state) {
  write_file(dir_ + site.name + ".validators.json", validators_to_json(state));
}

std::unique_ptr<StoreWatch> FileStore::watch(Engine&, StoreChange) { return nullptr; }

// A writer that died (kill -9, power loss) leaves "<file>.tmp.<pid>" behind; remove those whose
// process is gone. A live writer's file is left alone.
void FileStore::remove_leftovers() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    auto mark = name.rfind(".tmp.");
    if (mark == std::string::npos) continue;
    const std::string pid = name.substr(mark + 5);
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (fs::exists("/proc/" + pid)) continue;
    fs::remove(entry.path(), ec);
  }
}

}  // namespace siteseek
