// libFuzzer target: any bytes as a snapshot file, as given and with its checksums recomputed
// (detail::resealed_snapshot): opened only when its header and small tables are intact and
// consistent, its blocks read only when intact, otherwise refused with SnapshotError (or
// IoError) — never a crash, a hang or an out-of-bounds read, searched or not.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "index/index_data.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"

namespace {

// Open `bytes` as a snapshot and use it as a search would: dictionary walks, a search and a
// suggestion (which read the blocks they touch), every record, then every block.
void exercise(const std::string& path, const std::string& bytes, const siteseek::SiteSettings& site) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  try {
    auto index = siteseek::load_snapshot(path, site);
    index->find("python");
    index->prefix_range("py");
    index->typo_lookup("pyhton", 2, 16);
    index->stem_variants("python");
    siteseek::SearchRequest request;
    request.q = "python install* \"the module\"";
    request.num = 5;
    request.sub_results = 2;
    siteseek::search_index(*index, request);
    siteseek::SuggestRequest suggest;
    suggest.q = "pyt";
    siteseek::suggest_index(*index, suggest);
    for (std::uint32_t i = 0; i < index->size(); ++i) index->document(i);
    index->verify();
  } catch (const siteseek::SnapshotError&) {
  } catch (const siteseek::IoError&) {
  } catch (const siteseek::RequestError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/siteseek-fuzz-snapshot-" + std::to_string(getpid());
  static const siteseek::SiteSettings site = [] {
    siteseek::SiteSettings s;
    s.name = "fz";
    s.url = "https://docs.example.org/";
    return s;
  }();
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  // As given: almost every mutation is refused by a checksum. Resealed: the same mutation with
  // its checksums made right, which only the structural checks stand between it and a search.
  exercise(path, bytes, site);
  exercise(path, siteseek::detail::resealed_snapshot(bytes), site);
  return 0;
}
