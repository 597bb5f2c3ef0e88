// libFuzzer target: any bytes as a segment manifest (data_dir/<site>.segments, siteseek/segments.hpp)
// beside real segment files: the site's snapshot and one segment, made at start. "@S" and "@G"
// in the input stand for their build times (which change from run to run), so that seeds name
// them as a save does. load_segments must give an index of them that searches, or nothing (no
// manifest, or one older than the snapshot), or refuse with SnapshotError or IoError naming the
// file: never another exception, a crash or an out-of-bounds read.
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/search.hpp"
#include "siteseek/segments.hpp"
#include "siteseek/settings.hpp"

namespace {

namespace fs = std::filesystem;

siteseek::SiteSettings site() {
  siteseek::SiteSettings s;
  s.name = "docs";
  s.url = "https://docs.example.org/";
  return s;
}

std::shared_ptr<const siteseek::Index> build(const char* word, int pages) {
  siteseek::IndexBuilder b(site());
  for (int i = 0; i < pages; ++i) {
    siteseek::Document d;
    d.id = d.url = "https://docs.example.org/" + std::string(word) + std::to_string(i) + ".html";
    d.title = std::string("About ") + word;
    d.body = std::string("Text on ") + word + " number " + std::to_string(i) + ".";
    b.add(d);
  }
  return b.build();
}

std::string ns(const siteseek::Index& index) {
  return std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(index.built_at().time_since_epoch()).count());
}

struct World {
  std::string dir, snapshot_time, segment_time;
};

// The world's files go at exit (libFuzzer exits after -runs): they are the fuzzer's own.
struct RemoveAtExit {
  std::string dir;
  ~RemoveAtExit() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

const World& world() {
  static const World w = [] {
    World out;
    out.dir = (fs::temp_directory_path() / ("siteseek-fuzz-segments-" + std::to_string(::getpid()))).string();
    fs::create_directories(out.dir);
    auto base = build("python", 6);
    auto segment = build("zebra", 2);
    siteseek::save_snapshot(*base, out.dir + "/docs.snapshot");
    siteseek::save_snapshot(*segment, out.dir + "/docs.00000000000000a1.segment");
    out.snapshot_time = ns(*base);
    out.segment_time = ns(*segment);
    return out;
  }();
  static const RemoveAtExit cleanup{w.dir};
  return w;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& w = world();
  std::string manifest(reinterpret_cast<const char*>(data), size);
  replace_all(manifest, "@S", w.snapshot_time);
  replace_all(manifest, "@G", w.segment_time);
  {
    std::ofstream out(w.dir + "/docs.segments", std::ios::binary | std::ios::trunc);
    out.write(manifest.data(), static_cast<std::streamsize>(manifest.size()));
  }
  try {
    auto index = siteseek::load_segments(w.dir, "docs", site());
    if (!index) return 0;
    siteseek::SearchRequest request;
    request.q = "zebra python numbr";
    request.num = 5;
    siteseek::search_segments(*index, request);
    siteseek::SuggestRequest suggest;
    suggest.q = "ze";
    siteseek::suggest_segments(*index, suggest);
    (void)index->merge_candidate();
    (void)index->live_documents();
  } catch (const siteseek::SnapshotError&) {
  } catch (const siteseek::IoError&) {
  }
  return 0;
}
