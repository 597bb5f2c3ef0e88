// What these tests prove (SiteSettings::compact_above_mb, Index::Data::compress_bodies):
// 1. An index whose bodies are compressed answers as the same index with its bodies in the text:
//    every record read back, every body, and every search's results, snippets and sub-results
//    (matches deep in long pages, at block edges, after words longer than a block, in Chinese),
//    before and after a snapshot round trip; and it keeps the bodies in fewer bytes.
// 2. Up to the threshold (MiB of body text), bodies stay in the text; the default threshold leaves
//    a small site so. The setting is how the index is stored, not what shapes it.
// 3. A compressed block that does not decompress is refused (SnapshotError, from verify() and
//    from the first search that reads it), never a crash.
// 4. Snapshots of format 9 (every body in the text) and 10 (no packed postings entries) open as
//    they are.
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "index/index_data.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/search.hpp"
#include "small_site.hpp"

using namespace siteseek;
using namespace siteseek::test;

namespace {

// Pages of words of every frequency, each with sections that are pieces of its body (so they
// point into it), a few long pages, words longer than a block, and Chinese text.
std::vector<Document> corpus(std::vector<std::string>& words) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> len(2, 9), ch(0, 11);
  for (int i = 0; i < 1500; ++i) {
    std::string w;
    for (int k = len(rng); k > 0; --k) w += static_cast<char>('a' + ch(rng));
    words.push_back(w);
  }
  std::uniform_int_distribution<std::size_t> pick(0, words.size() - 1), count(0, 400);
  std::vector<Document> docs;
  for (int p = 0; p < 120; ++p) {
    std::string body;
    const auto n = p % 10 == 0 ? 6000 : count(rng);
    for (std::size_t k = n; k > 0; --k) {
      body += words[pick(rng)];
      body += k % 97 == 0 ? ". " : " ";
      if (k % 1500 == 7) body += "https://example.org/" + std::string(5000, 'q') + words[pick(rng)] + " ";
      if (k % 800 == 3) body += "数据库的索引可以加快查询速度 ";
    }
    const std::string path = "p" + std::to_string(p) + ".html";
    docs.push_back(page(path, "Page " + words[pick(rng)], body));
    for (int s = 0; s < 4 && !body.empty(); ++s) {
      const auto from = body.size() * s / 4, to = body.size() * (s + 1) / 4;
      docs.push_back(section(path + "#s" + std::to_string(s), "Page", words[pick(rng)], body.substr(from, to - from),
                             static_cast<std::uint32_t>(s + 1)));
    }
  }
  docs.push_back(page("alone.html", "Alone", "a page of its own with no sections 数据库"));
  return docs;
}

std::shared_ptr<const Index> build(const std::vector<Document>& docs, std::optional<std::uint32_t> above_mb) {
  auto s = site();
  if (above_mb) s.compact_above_mb = *above_mb;
  IndexBuilder b(s);
  for (const auto& d : docs) b.add(d);
  return b.build();
}

// Everything a search returns that comes from the bodies and the records, as text.
std::string answer(const Index& index, const std::string& q) {
  SearchRequest r;
  r.q = q;
  r.num = 20;
  r.sub_results = 3;
  const auto res = search_index(index, r);
  std::string out = std::to_string(res.total) + "\n";
  for (const auto& x : res.results) {
    out += x.url + "|" + x.title + "|" + x.section_title + "|" + x.body + "|" + std::to_string(x.score) + "\n";
    for (const auto& s : *x.sub_results) out += "  " + s.url + "|" + s.title + "|" + s.body + "\n";
  }
  return out;
}

std::vector<std::string> queries(const std::vector<std::string>& words) {
  std::vector<std::string> q{"数据库", "索引", "qqqq*", "example", "page own sections"};
  for (std::size_t i = 0; i < 60; ++i) q.push_back(words[i * 7 % words.size()]);
  for (std::size_t i = 0; i < 30; ++i) q.push_back(words[i * 13 % words.size()] + " " + words[i * 31 % words.size()]);
  for (std::size_t i = 0; i < 10; ++i) q.push_back(words[i * 17 % words.size()].substr(0, 2) + "*");
  return q;
}

std::filesystem::path temp_dir() {
  auto dir = std::filesystem::temp_directory_path() / ("siteseek-bodies-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

BOOST_AUTO_TEST_CASE(compressed_bodies_answer_as_the_text_does) {
  std::vector<std::string> words;
  const auto docs = corpus(words);
  const auto plain = build(docs, std::nullopt);
  const auto packed = build(docs, 0);
  BOOST_REQUIRE(!plain->data().bodies_compressed());
  BOOST_REQUIRE(packed->data().bodies_compressed());
  BOOST_TEST(!packed->data().body_dict.empty());  // enough text to train a dictionary on
  BOOST_TEST(packed->data().body_block_offset.size() > 20u);
  BOOST_TEST(packed->data().text.size() * 2 < plain->data().text.size());
  BOOST_TEST(packed->memory_bytes() < plain->memory_bytes());

  const auto dir = temp_dir();
  const auto path = (dir / "packed.snapshot").string();
  save_snapshot(*packed, path);
  const auto opened = load_snapshot(path, site());
  BOOST_REQUIRE(opened->data().bodies_compressed());
  for (const auto* index : {packed.get(), opened.get()}) {
    BOOST_REQUIRE(index->size() == plain->size());
    for (std::uint32_t i = 0; i < plain->size(); ++i) {
      BOOST_TEST((index->document(i) == plain->document(i)), "record " << i);
      BOOST_TEST(index->body(i) == plain->body(i));
    }
    for (const auto& q : queries(words)) BOOST_TEST(answer(*index, q) == answer(*plain, q), "query " << q);
  }
  opened->verify();
  // Read back and built again (a merge of segments), the records give the same index.
  auto compact = site();
  compact.compact_above_mb = 0;
  IndexBuilder again(compact);
  for (std::uint32_t i = 0; i < opened->size(); ++i) again.add(opened->document(i));
  const auto rebuilt = again.build();
  BOOST_TEST(rebuilt->data().text == packed->data().text);
  BOOST_TEST(rebuilt->data().body_dict == packed->data().body_dict);
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(bodies_stay_in_the_text_below_the_threshold) {
  std::vector<std::string> words;
  auto docs = corpus(words);
  // More pages, for a few MiB of bodies in all.
  std::mt19937 rng(5);
  std::uniform_int_distribution<std::size_t> pick(0, words.size() - 1);
  for (int p = 0; p < 400; ++p) {
    std::string body;
    for (int k = 0; k < 1200; ++k) body += words[pick(rng)] + " ";
    docs.push_back(page("more" + std::to_string(p) + ".html", "More", body));
  }
  std::uint64_t bodies = 0;  // the pages' bodies: the sections' lie inside them
  for (const auto& d : docs)
    if (d.type == DocumentType::page) bodies += d.body.size();
  const auto mb = static_cast<std::uint32_t>(bodies >> 20);
  BOOST_REQUIRE(mb >= 1u);
  BOOST_TEST(build(docs, mb)->data().bodies_compressed());  // more than mb MiB
  BOOST_TEST(!build(docs, mb + 1)->data().bodies_compressed());
  BOOST_TEST(!build(docs, std::nullopt)->data().bodies_compressed());  // 64 MiB by default
  // Not a setting that shapes the index: one built with another value is current.
  auto other = site();
  other.compact_above_mb = 1;
  BOOST_TEST(build(docs, std::nullopt)->settings_changes(other).empty());
  // Too little text to train a dictionary on: each block compressed on its own.
  const auto tiny = build({page("a.html", "A", "one short body"), page("b.html", "B", "another short body")}, 0);
  BOOST_REQUIRE(tiny->data().bodies_compressed());
  BOOST_TEST(tiny->data().body_dict.empty());
  BOOST_TEST(tiny->body(1) == "another short body");
  SearchRequest r;
  r.q = "another";
  const auto res = search_index(*tiny, r);
  BOOST_REQUIRE(res.results.size() == 1u);
  BOOST_TEST(res.results[0].body == "<b>another</b> short body");
}

BOOST_AUTO_TEST_CASE(a_block_that_does_not_decompress_is_refused) {
  std::vector<std::string> words;
  const auto packed = build(corpus(words), 0);
  const auto dir = temp_dir();
  const auto path = (dir / "packed.snapshot").string();
  save_snapshot(*packed, path);
  auto bytes = read_file(path);
  // Every block is a zstd frame; its magic number broken, and the file's checksums made right
  // again, only decompressing it can tell.
  const char frame[4] = {'\x28', '\xb5', '\x2f', '\xfd'};
  const auto at = bytes.find(std::string_view(frame, 4));
  BOOST_REQUIRE(at != std::string::npos);
  bytes[at] = 'x';
  std::ofstream(path, std::ios::binary | std::ios::trunc) << detail::resealed_snapshot(bytes);
  const auto opened = load_snapshot(path, site());
  try {
    opened->verify();
    BOOST_FAIL("a broken block passed verify()");
  } catch (const SnapshotError& e) {
    BOOST_TEST(std::string(e.what()).find("compressed bodies does not decompress") != std::string::npos, e.what());
  }
  // The first record's body is in the first block: reading it throws, every time.
  BOOST_CHECK_THROW(opened->body(0), SnapshotError);
  BOOST_CHECK_THROW(opened->document(0), SnapshotError);
  std::filesystem::remove_all(dir);
}

// tests/fixtures/snapshots/format9.snapshot (written by siteseek at 24f6210) and format10.snapshot
// (at 9d4f204, its bodies compressed: the fuzz seed ex10z.snapshot), both from
// tests/fixtures/html/site: format 9 has every body in the text, and neither has packed postings
// entries; both open as they are.
BOOST_AUTO_TEST_CASE(snapshots_of_formats_9_and_10_open_as_they_are) {
  SiteSettings s;
  s.name = "site";
  s.url = "https://docs.example.org/";
  for (unsigned format : {9u, 10u}) {
    const auto index = load_snapshot(std::string(SITESEEK_TEST_FIXTURES) + "/snapshots/format" + std::to_string(format) + ".snapshot", s);
    index->verify();
    BOOST_TEST(index->snapshot_version() == format);
    BOOST_TEST(index->data().bodies_compressed() == (format == 10));
    BOOST_TEST(index->size() == 5u);
    SearchRequest r;
    r.q = "install";
    const auto res = search_index(*index, r);
    BOOST_REQUIRE(!res.results.empty());
    BOOST_TEST(res.results[0].body.find("<b>install") != std::string::npos, res.results[0].body);
  }
}
