// storage = "embedded": each site's index, settings and validators as files in data_dir.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/segments.hpp"
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

// A file only its owner may read (API keys): created 0600 before a byte is written, then renamed
// over the target like write_file's.
void write_private_file(const std::string& path, const std::string& text) {
  make_directory(fs::path(path).parent_path().string());
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw IoError("cannot create " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);  // an older file of that name kept its mode through O_TRUNC
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const bool ok = done == text.size() && ::fsync(fd) == 0;
  ::close(fd);
  std::error_code ec;
  if (ok) fs::rename(tmp, path, ec);
  if (!ok || ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw IoError("cannot write " + path + (ec ? ": " + ec.message() : std::string()));
  }
}

// An exclusive flock(2) on data_dir/keys.lock while keys.json is read, changed and written:
// a `siteseek keys create` next to a running server loses neither's key. (Also rules.lock; and
// the data directory itself, name "", around an index's saves: no file of its own.)
class FileLock {
 public:
  explicit FileLock(const std::string& dir, const char* name = "keys.lock") {
    make_directory(dir);
    const std::string path = dir + name;
    fd_ = *name ? ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600) : ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) throw IoError("cannot open " + path + ": " + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        ::close(fd_);
        throw IoError("cannot lock " + path + ": " + std::strerror(errno));
      }
    }
  }
  ~FileLock() { ::close(fd_); }  // closing releases the lock
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

std::vector<KeyRecord> read_keys(const std::string& path) {
  auto text = read_file(path);
  if (!text) return {};
  boost::json::value doc;
  try {
    doc = parse_json_exact(*text);
  } catch (const ConfigError& e) {
    throw ConfigError(path, e.what());
  }
  const auto* root = doc.if_object();
  const auto* keys = root ? root->if_contains("keys") : nullptr;
  if (!keys || !keys->is_array()) throw ConfigError(path, "expected an object with the list 'keys'");
  std::vector<KeyRecord> out;
  for (std::size_t i = 0; i < keys->get_array().size(); ++i) {
    out.push_back(key_record_from_json(keys->get_array()[i], path + ":keys[" + std::to_string(i) + "]"));
  }
  return out;
}

void write_keys(const std::string& path, const std::vector<KeyRecord>& records) {
  boost::json::array keys;
  for (const auto& r : records) keys.push_back(key_record_to_json(r));
  write_private_file(path, boost::json::serialize(boost::json::object{{"version", 1}, {"keys", std::move(keys)}}));
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

std::string FileStore::snapshot_path(const std::string& site) const { return dir_ + snapshot_file(site); }

std::string FileStore::where(const std::string& site) const {
  const auto manifest = dir_ + site + ".segments";
  std::error_code ec;
  return fs::exists(manifest, ec) ? manifest : snapshot_path(site);
}

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
  remove_segments(dir_, name);
  for (const char* suffix : {".snapshot", ".site.json", ".validators.json"}) remove_file(dir_ + name + suffix);
  std::lock_guard lock(seen_mutex_);
  seen_.erase(name);
}

// What is stored for a site, as files: the manifest's text and the snapshot's inode, size and
// modification time. Another process's save (a `siteseek index` beside a server) changes it.
std::string FileStore::stored_state(const std::string& site) const {
  std::string out = "manifest:";
  if (auto text = read_file(dir_ + site + ".segments")) out += *text;
  struct stat st{};
  if (::stat(snapshot_path(site).c_str(), &st) == 0) {
    out += "|snapshot:" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec);
  }
  return out;
}

void FileStore::remember(const std::string& site) {
  auto state = stored_state(site);
  std::lock_guard lock(seen_mutex_);
  seen_[site] = std::move(state);
}

std::optional<StoredIndex> FileStore::load(const SiteSettings& site, const SegmentedIndex*) {
  remember(site.name);  // before reading: a save in between is then noticed at the next update
  // Live updates since the last whole save: the manifest is the index (the snapshot, when it
  // names it, its first segment).
  if (auto segments = load_segments(dir_, site.name, site)) {
    auto shared = std::make_shared<const SegmentedIndex>(std::move(*segments));
    return StoredIndex{shared->segments().front().index, shared, 0, dir_ + site.name + ".segments"};
  }
  const auto path = snapshot_path(site.name);
  if (!fs::exists(path)) return std::nullopt;
  auto index = load_snapshot(path, site);
  auto segments = std::make_shared<const SegmentedIndex>(std::vector<SegmentedIndex::Segment>{{index, nullptr, snapshot_file(site.name)}});
  return StoredIndex{std::move(index), std::move(segments), 0, path};
}

StoredIndex FileStore::save(const SiteSettings& site, std::shared_ptr<const Index> index) {
  make_directory(dir_);
  FileLock lock(dir_, "");
  const auto path = snapshot_path(site.name);
  save_snapshot(*index, path);
  // The whole index is the snapshot now: a manifest left would name the one it replaced (and be
  // ignored as older, were this to stop here).
  remove_segments(dir_, site.name);
  remember(site.name);
  save_site_settings(site);
  // What is published is the file just written, mapped, as after a restart: the built index's
  // arrays (about 3 x its body text) are freed once the caller lets it go, and a node holds only
  // the pages its searches read, in the page cache, where the write left them. Should the file
  // not open, the built index is published as it is.
  if (auto opened = open_segment(site, snapshot_file(site.name))) index = std::move(opened);
  // Named as the snapshot: the first update's manifest names the file rather than looking for it.
  auto segments = std::make_shared<const SegmentedIndex>(std::vector<SegmentedIndex::Segment>{{index, nullptr, snapshot_file(site.name)}});
  return {std::move(index), std::move(segments), 0, path};
}

// Only on top of what this process read or saved last: an update saved over another process's
// save would name files that process replaced (and be lost at the next start), or remove them.
SegmentedIndex FileStore::save_updates(const SiteSettings& site, const SegmentedIndex& index) {
  make_directory(dir_);
  FileLock lock(dir_, "");
  std::string seen;
  {
    std::lock_guard guard(seen_mutex_);
    auto it = seen_.find(site.name);
    seen = it != seen_.end() ? it->second : "manifest:";  // never read: nothing may be stored
  }
  if (stored_state(site.name) != seen)
    throw ConflictError("site '" + site.name + "': " + where(site.name) +
                  " was saved by another process since this one read it (a `siteseek index`, another server or engine on " +
                  dir_ + "): the update was not made; load the stored index and make it on that");
  // A segment named but gone (written ahead, then removed by a whole save or another process's
  // save since): what it was made on is no longer stored.
  for (const auto& seg : index.segments())
    if (!seg.file.empty() && seg.file != snapshot_file(site.name) && !fs::exists(dir_ + seg.file))
      throw ConflictError("site '" + site.name + "': " + dir_ + seg.file +
                          " is gone (the site was saved since): the change was not made; load the stored index and make it on that");
  // Segments written ahead of this save are not clean-up: the save that names them is to come.
  std::vector<std::string> ahead;
  {
    std::lock_guard guard(seen_mutex_);
    const auto hour_ago = std::chrono::steady_clock::now() - std::chrono::hours(1);
    std::erase_if(written_ahead_, [&](const auto& w) { return w.second < hour_ago; });
    for (const auto& [file, when] : written_ahead_) ahead.push_back(file);
  }
  auto saved = save_segments(index, dir_, site.name, ahead);
  {
    std::lock_guard guard(seen_mutex_);
    for (const auto& seg : saved.segments()) written_ahead_.erase(seg.file);
  }
  remember(site.name);
  // The settings beside the index only where there are none yet (a data directory describes
  // itself): an update's segments are built with its index's settings, and writing those would
  // undo a put_site made since that index was built.
  if (!fs::exists(dir_ + site.name + ".site.json")) save_site_settings(site);
  return saved;
}

// The settings beside the index: a site added at run time stays one; any other was indexed from
// the settings in force.
void FileStore::save_site_settings(const SiteSettings& site) {
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
}

std::string FileStore::write_segment(const SiteSettings& site, const Index& segment) {
  make_directory(dir_);
  const auto file = new_segment_file(site.name);
  {
    std::lock_guard guard(seen_mutex_);
    written_ahead_[file] = std::chrono::steady_clock::now();
  }
  save_snapshot(segment, dir_ + file);
  return file;
}

std::shared_ptr<const Index> FileStore::open_segment(const SiteSettings& site, const std::string& file) {
  if (file.empty()) return nullptr;
  try {
    return load_snapshot(dir_ + file, site);
  } catch (const Error&) {
    return nullptr;
  }
}

CrawlState FileStore::load_validators(const SiteSettings& site, const SegmentedIndex* reusable) {
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

std::string FileStore::key_pepper() {
  const std::string path = dir_ + "keys.pepper";
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (auto text = read_file(path)) {
      if (text->size() != 32) throw IoError(path + " is not a 32-byte pepper; restore it (keys made with another cannot be verified)");
      return *text;
    }
    // Written whole under a temporary name, then linked to its name: link(2) fails when another
    // process made it first, and that one is read on the next turn.
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    write_private_file(tmp, random_pepper());
    const int linked = ::link(tmp.c_str(), path.c_str());
    const int error = errno;
    std::error_code ignored;
    fs::remove(tmp, ignored);
    if (linked != 0 && error != EEXIST) throw IoError("cannot create " + path + ": " + std::strerror(error));
  }
  throw IoError("cannot read " + dir_ + "keys.pepper");
}

std::vector<KeyRecord> FileStore::load_keys() { return read_keys(dir_ + "keys.json"); }

void FileStore::put_key(const KeyRecord& record) {
  FileLock lock(dir_);
  auto keys = read_keys(dir_ + "keys.json");
  std::erase_if(keys, [&](const auto& k) { return k.id == record.id; });
  keys.push_back(record);
  write_keys(dir_ + "keys.json", keys);
}

bool FileStore::remove_key(const std::string& id) {
  FileLock lock(dir_);
  auto keys = read_keys(dir_ + "keys.json");
  if (std::erase_if(keys, [&](const auto& k) { return k.id == id; }) == 0) return false;
  write_keys(dir_ + "keys.json", keys);
  return true;
}

namespace {

std::string file_version(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "none";
  return std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

// rules.json: {"version":1,"sites":{NAME:{"rules":[...]}}} -> NAME -> its {"rules":[...]} text.
std::map<std::string, std::string> read_rules(const std::string& path) {
  std::map<std::string, std::string> out;
  auto text = read_file(path);
  if (!text) return out;
  boost::json::error_code ec;
  auto v = boost::json::parse(*text, ec);
  const auto* root = ec ? nullptr : v.if_object();
  const auto* sites = root ? root->if_contains("sites") : nullptr;
  if (!sites || !sites->is_object()) throw ConfigError(path, "expected an object with the object 'sites'");
  for (const auto& [site, rules] : sites->get_object()) out[std::string(site)] = boost::json::serialize(rules);
  return out;
}

void write_rules(const std::string& path, const std::map<std::string, std::string>& sites) {
  boost::json::object o;
  for (const auto& [site, text] : sites) o[site] = boost::json::parse(text);
  write_file(path, boost::json::serialize(boost::json::object{{"version", 1}, {"sites", std::move(o)}}));
}

}  // namespace

std::map<std::string, std::string> FileStore::load_rules() { return read_rules(dir_ + "rules.json"); }

void FileStore::update_rules(const std::string& site, const std::function<std::string(const std::string&)>& change) {
  FileLock lock(dir_, "rules.lock");
  auto all = read_rules(dir_ + "rules.json");
  auto it = all.find(site);
  auto next = change(it == all.end() ? std::string() : it->second);
  if (next.empty() && it == all.end()) return;  // nothing to remove: no file written
  if (next.empty()) all.erase(site);
  else all[site] = std::move(next);
  write_rules(dir_ + "rules.json", all);
}

std::string FileStore::rules_version() { return file_version(dir_ + "rules.json"); }

std::string FileStore::keys_version() {
  struct stat st {};
  if (::stat((dir_ + "keys.json").c_str(), &st) != 0) return "none";
  return std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

}  // namespace siteseek
