// libFuzzer target: any bytes as a snapshot file: opened only when its header and small tables
// are intact, its blocks read only when intact, otherwise refused with SnapshotError (or
// IoError) — never a crash, a hang or an out-of-bounds read.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/settings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/siteseek-fuzz-snapshot-" + std::to_string(getpid());
  static const siteseek::SiteSettings site = [] {
    siteseek::SiteSettings s;
    s.name = "fz";
    s.url = "https://docs.example.org/";
    return s;
  }();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    auto index = siteseek::load_snapshot(path, site);
    // What a search reads before the blocks it touches are checked: the dictionary walks.
    index->find("python");
    index->prefix_range("py");
    index->typo_lookup("pyhton", 2, 16);
    index->stem_variants("python");
    for (std::uint32_t i = 0; i < index->size(); ++i) index->document(i);
    index->verify();
  } catch (const siteseek::SnapshotError&) {
  } catch (const siteseek::IoError&) {
  }
  return 0;
}
