// What these tests prove:
// 1. search() on an unknown site throws UnknownSiteError; a site without an index answers empty.
// 2. build + publish makes documents searchable; sites() reports the index.
// 3. Searches from several threads during repeated publishes never crash and always see one
//    whole index (every result set is consistent with exactly one of the published versions).
// 4. A snapshot saved and loaded gives the same answers; truncated, corrupt and wrong-version
//    snapshots are refused and the current index stays published.
// 5. The result cache answers a repeated request (a search or suggestions) with the same response, keeps requests that
//    differ in any field apart, never answers from a replaced index (also right after a publish
//    while other threads search), stays within its byte bound, and is off at result_cache_mb = 0.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <chrono>
#include <thread>

#include "siteseek/engine.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"

using namespace siteseek;

namespace {

AppSettings settings() {
  AppSettings app;
  SiteSettings s;
  s.name = "docs";
  s.url = "https://example.org/";
  app.sites.push_back(s);
  app.data_dir = (std::filesystem::temp_directory_path() / ("siteseek-engine-test-" + std::to_string(::getpid()))).string();
  return app;
}

// Version v: `n` documents, each containing "alpha" and the marker word "v<version>".
std::vector<Document> version_docs(int version, int n) {
  std::vector<Document> docs;
  for (int i = 0; i < n; ++i) {
    Document d;
    d.url = d.id = "https://example.org/v" + std::to_string(version) + "/p" + std::to_string(i) + ".html";
    d.title = "Page " + std::to_string(i);
    d.body = "alpha marker" + std::string(1, char('a' + version)) + " text";
    docs.push_back(d);
  }
  return docs;
}

// `docs` built, published as site "docs" and saved in the engine's data_dir: the snapshot's path.
std::string published_and_saved(Engine& e, std::vector<Document> docs) {
  std::filesystem::create_directories(e.settings()->data_dir);
  auto idx = e.build("docs", std::move(docs));
  e.publish("docs", idx);
  const auto path = e.settings()->data_dir + "/docs.snapshot";
  save_snapshot(*idx, path);
  return path;
}

SearchRequest request(const std::string& q) {
  SearchRequest r;
  r.q = q;
  r.site = "docs";
  r.num = 100;
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_module)

BOOST_AUTO_TEST_CASE(unknown_site_and_empty_site) {
  Engine e(settings());
  auto r = request("alpha");
  r.site = "nope";
  BOOST_CHECK_THROW(e.search(r), UnknownSiteError);
  BOOST_TEST(e.search(request("alpha")).results.empty());
  BOOST_TEST(!e.current("docs"));
  BOOST_TEST(!e.sites().at(0).has_index);
}

BOOST_AUTO_TEST_CASE(build_and_publish) {
  Engine e(settings());
  e.publish("docs", e.build("docs", version_docs(0, 5)));
  auto r = e.search(request("alpha "));
  BOOST_TEST(r.total == 5u);
  auto st = e.sites().at(0);
  BOOST_TEST(st.has_index);
  BOOST_TEST(st.documents == 5u);
  BOOST_TEST(st.memory_bytes > 0u);
  r.results.clear();
  auto sugg = e.suggest({"alp", "docs", 4});
  BOOST_REQUIRE(!sugg.empty());
  BOOST_TEST(sugg.front().text == "alpha");
}

BOOST_AUTO_TEST_CASE(suggestions_carry_stored_titles_and_their_urls) {
  Engine e(settings());
  std::vector<Document> docs = version_docs(0, 3);
  Document section;
  section.id = section.url = "https://example.org/guide.html#casts";
  section.title = "Guide";
  section.section_title = "Casts <int> & floats";
  section.type = DocumentType::section;
  section.body = "How castable values convert.";
  docs.push_back(section);
  e.publish("docs", e.build("docs", docs));
  auto sugg = e.suggest({"casta", "docs", 4});
  BOOST_REQUIRE(sugg.size() == 2u);
  BOOST_TEST(sugg[0].text == "castable");  // a word completion first, then the matching record
  BOOST_TEST(sugg[0].url.empty());
  // A section suggests its own title, as stored: neither highlighted nor HTML-escaped.
  BOOST_TEST(sugg[1].text == "Casts <int> & floats");
  BOOST_TEST(sugg[1].url == "https://example.org/guide.html#casts");
}

BOOST_AUTO_TEST_CASE(suggested_titles_hold_the_words_typed_once_each) {
  Engine e(settings());
  std::vector<Document> docs;
  auto add = [&](std::string url, std::string title, std::string section_title, std::string body) {
    Document d;
    d.id = d.url = "https://example.org/" + std::move(url);
    d.title = std::move(title);
    d.section_title = std::move(section_title);
    d.type = d.section_title.empty() ? DocumentType::page : DocumentType::section;
    d.body = std::move(body);
    docs.push_back(std::move(d));
  };
  // The word fills the body of the first page many times: without the title restriction it
  // would be the best match.
  add("overview.html", "Overview", "", "widgets widgets widgets widgets widgets and more widgets");
  add("widgets.html", "Widgets", "", "How to use them.");
  add("a.html#name", "Class A", "name", "The widget's name.");
  add("b.html#name", "Class B", "name", "The widget's name too.");
  e.publish("docs", e.build("docs", docs));
  std::vector<std::string> titles, urls;
  for (const auto& s : e.suggest({"widg", "docs", 8}))
    if (!s.url.empty()) titles.push_back(s.text);
  BOOST_TEST((titles == std::vector<std::string>{"Widgets"}));
  for (const auto& s : e.suggest({"name", "docs", 8}))
    if (!s.url.empty()) urls.push_back(s.url);
  BOOST_TEST(urls.size() == 1u);  // two sections titled "name": the title once, the better one's URL
}

BOOST_AUTO_TEST_CASE(concurrent_search_during_publish) {
  Engine e(settings());
  std::vector<std::shared_ptr<const Index>> versions;
  for (int v = 0; v < 4; ++v) versions.push_back(e.build("docs", version_docs(v, 10 + v * 7)));
  e.publish("docs", versions[0]);
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, searches{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto r = e.search(request("alpha "));
        // One whole version: its document count, and every URL from that version.
        if (r.results.empty()) {
          ++bad;
          continue;
        }
        auto v = r.results.front().url.substr(20, 2);
        bool consistent = r.total == r.results.size();
        for (const auto& x : r.results) consistent = consistent && x.url.substr(20, 2) == v;
        int version = v[1] - '0';
        consistent = consistent && r.total == static_cast<std::uint64_t>(10 + version * 7);
        if (!consistent) ++bad;
        ++searches;
      }
    });
  }
  // Keep publishing until the readers have searched a good while (threads may start late on a
  // busy machine), bounded in time so the test cannot hang.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int stale = 0;
  for (int i = 0; (i < 400 || searches.load() < 400) && std::chrono::steady_clock::now() < deadline; ++i) {
    e.publish("docs", versions[i % versions.size()]);
    // Once publish returns, no search may answer from an older version (the readers keep
    // filling the result cache with the same request meanwhile).
    auto r = e.search(request("alpha "));
    if (r.total != static_cast<std::uint64_t>(10 + (i % versions.size()) * 7)) ++stale;
  }
  stop = true;
  for (auto& t : readers) t.join();
  BOOST_TEST(stale == 0);
  BOOST_TEST(e.result_cache_stats().hits > 0);
  BOOST_TEST(bad.load() == 0);
  BOOST_TEST(searches.load() > 0);
}

BOOST_AUTO_TEST_CASE(result_cache_repeats_until_publish) {
  Engine e(settings());
  e.publish("docs", e.build("docs", version_docs(0, 10)));
  auto first = e.search(request("alpha"));
  auto again = e.search(request("alpha"));
  BOOST_TEST(first.total == 10u);
  BOOST_TEST(again.total == first.total);
  BOOST_REQUIRE(again.results.size() == first.results.size());
  for (std::size_t i = 0; i < first.results.size(); ++i) {
    BOOST_TEST(again.results[i].url == first.results[i].url);
    BOOST_TEST(again.results[i].body == first.results[i].body);
  }
  auto st = e.result_cache_stats();
  BOOST_TEST(st.hits == 1u);
  BOOST_TEST(st.misses == 1u);
  BOOST_TEST(st.entries == 1u);
  BOOST_TEST(st.bytes > 0u);
  BOOST_TEST(st.max_bytes == (32u << 20));

  // Any field of the request makes another entry: page size, site spelled as the default, tags.
  auto five = request("alpha");
  five.num = 5;
  BOOST_TEST(e.search(five).results.size() == 5u);
  auto tagged = request("alpha");
  tagged.highlight_pre_tag = "<mark>";
  tagged.highlight_post_tag = "</mark>";
  BOOST_TEST(e.search(tagged).results.front().body.find("<mark>alpha</mark>") != std::string::npos);
  auto by_default = request("alpha");
  by_default.site = "";  // the default site: the same answer, from the same entry
  BOOST_TEST(e.search(by_default).total == 10u);
  st = e.result_cache_stats();
  BOOST_TEST(st.hits == 2u);
  BOOST_TEST(st.entries == 3u);

  // A new index: the next answer is its own, and the old entries are gone.
  e.publish("docs", e.build("docs", version_docs(1, 17)));
  BOOST_TEST(e.result_cache_stats().entries == 0u);
  BOOST_TEST(e.search(request("alpha")).total == 17u);
  BOOST_TEST(e.search(request("alpha")).total == 17u);
  BOOST_TEST(e.result_cache_stats().hits == 3u);
}

// A search past the site's time budget looks up no typos, says so, and is not cached: the next
// search may have the time. (A budget of 0 is spent before the first word.)
BOOST_AUTO_TEST_CASE(an_answer_out_of_time_says_so_and_is_not_cached) {
  for (const std::uint32_t budget : {0u, 50u}) {
    auto app = settings();
    app.sites[0].search.time_budget_ms = budget;
    Engine e(app);
    e.publish("docs", e.build("docs", version_docs(0, 10)));
    const bool out = budget == 0;
    BOOST_TEST_CONTEXT("budget " << budget) {
      for (int repeat = 0; repeat < 2; ++repeat) {
        const auto r = e.search(request("alphx "));  // a typo of "alpha", not a prefix
        BOOST_TEST(r.out_of_time == out);
        BOOST_TEST(r.total == (out ? 0u : 10u));
        std::string json;
        e.search_json(request("alphx "), json);
        BOOST_TEST((json.find(",\"out_of_time\":true") != std::string::npos) == out, json);
      }
      const auto st = e.result_cache_stats();
      BOOST_TEST(st.entries == (out ? 0u : 2u));
      BOOST_TEST(st.hits == (out ? 0u : 2u));
      // Words that need no typo lookup are found and cached either way.
      BOOST_TEST(!e.search(request("alpha ")).out_of_time);
      BOOST_TEST(e.result_cache_stats().entries == (out ? 1u : 3u));
      // Suggestions too: the titles' search of a word nothing completes looks for its typos.
      SuggestRequest sr;
      sr.q = "alphx";
      sr.site = "docs";
      for (int repeat = 0; repeat < 2; ++repeat) e.suggest(sr);
      BOOST_TEST(e.result_cache_stats().entries == (out ? 1u : 4u));
      BOOST_TEST(e.result_cache_stats().out_of_time == (out ? 6u : 0u));  // 2 searches, 2 as JSON, 2 suggestions
    }
  }
}

// JSON up to took_ms: the part that must not change between a search and its repeats.
std::string without_took(const std::string& json) { return json.substr(0, json.find(",\"took_ms\":")); }

BOOST_AUTO_TEST_CASE(search_json_matches_append_json_cached_or_not) {
  for (std::uint32_t mb : {32u, 0u}) {
    auto app = settings();
    app.result_cache_mb = mb;
    Engine e(app);
    e.publish("docs", e.build("docs", version_docs(0, 12)));
    std::string expected;
    append_json(expected, e.search(request("alpha text")));  // search() keeps its own entry
    std::string first, second;
    BOOST_TEST(e.search_json(request("alpha text"), first) == 12u);  // search_json keeps the JSON
    BOOST_TEST(e.search_json(request("alpha text"), second) == 12u);  // answered from it
    BOOST_TEST(without_took(first) == without_took(expected));
    BOOST_TEST(without_took(second) == without_took(expected));
    BOOST_TEST(second.back() == '}');
    BOOST_TEST(second.find(",\"took_ms\":") != std::string::npos);
    std::string fresh;  // a request met first through search_json
    auto five = request("alpha text");
    five.num = 5;
    BOOST_TEST(e.search_json(five, fresh) == 12u);
    std::string five_expected;
    append_json(five_expected, e.search(five));
    BOOST_TEST(without_took(fresh) == without_took(five_expected));
    BOOST_TEST(e.result_cache_stats().hits == (mb ? 1u : 0u));
  }
}

BOOST_AUTO_TEST_CASE(suggestions_are_cached_until_publish) {
  Engine e(settings());
  e.publish("docs", e.build("docs", version_docs(0, 5)));  // "markera"
  auto first = e.suggest({"marker", "docs", 4});
  auto again = e.suggest({"marker", "docs", 4});
  BOOST_REQUIRE(!first.empty());
  BOOST_TEST(first.front().text == "markera");
  BOOST_REQUIRE(again.size() == first.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    BOOST_TEST(again[i].text == first[i].text);
    BOOST_TEST(again[i].url == first[i].url);
  }
  BOOST_TEST(e.result_cache_stats().hits == 1u);
  BOOST_TEST(e.suggest({"marker", "docs", 2}).size() <= 2u);  // another num: another entry
  BOOST_TEST(e.result_cache_stats().hits == 1u);
  e.publish("docs", e.build("docs", version_docs(2, 5)));  // "markerc"
  BOOST_TEST(e.suggest({"marker", "docs", 4}).front().text == "markerc");
}

BOOST_AUTO_TEST_CASE(result_cache_bound_and_off) {
  auto app = settings();
  app.result_cache_mb = 1;
  Engine e(app);
  e.publish("docs", e.build("docs", version_docs(0, 100)));
  for (int i = 0; i < 300; ++i) {
    auto r = request("alpha");
    r.from_url = "https://example.org/from/" + std::to_string(i);  // 300 different requests
    BOOST_TEST(e.search(r).total == 100u);
  }
  auto st = e.result_cache_stats();
  BOOST_TEST(st.misses == 300u);
  BOOST_TEST(st.evictions > 0u);
  BOOST_TEST(st.bytes <= st.max_bytes);
  BOOST_TEST(st.entries + st.evictions == 300u);

  app.result_cache_mb = 0;
  Engine off(app);
  off.publish("docs", off.build("docs", version_docs(0, 10)));
  BOOST_TEST(off.search(request("alpha")).total == 10u);
  BOOST_TEST(off.search(request("alpha")).total == 10u);
  st = off.result_cache_stats();
  BOOST_TEST(st.hits + st.misses + st.entries == 0u);
}

BOOST_AUTO_TEST_CASE(snapshots_through_the_engine) {
  Engine e(settings());
  const auto path = published_and_saved(e, version_docs(1, 6));
  auto loaded = load_snapshot(path, e.settings()->sites[0]);
  Engine other(settings());
  other.publish("docs", loaded);
  auto a = e.search(request("alpha marker"));
  auto b = other.search(request("alpha marker"));
  BOOST_TEST(a.total == b.total);
  BOOST_REQUIRE(a.results.size() == b.results.size());
  for (std::size_t i = 0; i < a.results.size(); ++i) {
    BOOST_TEST(a.results[i].url == b.results[i].url);
    BOOST_TEST(a.results[i].body == b.results[i].body);
  }

  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Damaged copies beside it: the index in use views `path` in place, and a snapshot is only
  // ever replaced by a rename, never rewritten where it lies.
  const auto bad = path + ".bad";
  auto attempt = [&](const std::string& content) {
    std::ofstream(bad, std::ios::binary | std::ios::trunc) << content;
    try {
      auto opened = load_snapshot(bad, e.settings()->sites[0]);
      opened->verify();  // as a node does before serving a small index
      other.publish("docs", opened);
      return false;
    } catch (const SnapshotError&) {
      return true;
    }
  };
  auto corrupt = bytes;
  corrupt[corrupt.size() - 3] ^= 1;
  auto version = bytes;
  version[8] = 99;
  BOOST_TEST(attempt(bytes.substr(0, bytes.size() / 2)));
  BOOST_TEST(attempt(corrupt));
  BOOST_TEST(attempt(version));
  BOOST_TEST(other.current("docs") == loaded);  // nothing was swapped
  BOOST_TEST(other.search(request("alpha")).total == 6u);
  std::filesystem::remove_all(e.settings()->data_dir);
}

// A snapshot opened in place is searched from several threads before any of its blocks was
// checked: whichever thread reads a block first checks it, and every answer is the built
// index's. A search that reads a damaged block fails with corrupt_snapshot, naming the file.
BOOST_AUTO_TEST_CASE(an_unchecked_snapshot_is_searched_from_many_threads) {
  Engine e(settings());
  const auto path = published_and_saved(e, version_docs(0, 300));
  const std::vector<std::string> queries{"alpha markera", "text", "page 12", "alpah", "mark"};
  std::vector<SearchResponse> expected;
  for (const auto& q : queries) expected.push_back(e.search(request(q)));
  for (int round = 0; round < 3; ++round) {
    Engine other(settings());
    other.publish("docs", load_snapshot(path, e.settings()->sites[0]));
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        for (std::size_t k = 0; k < queries.size(); ++k) {
          const auto i = (k + static_cast<std::size_t>(t)) % queries.size();
          const auto got = other.search(request(queries[i]));
          bool same = got.total == expected[i].total && got.results.size() == expected[i].results.size();
          for (std::size_t r = 0; same && r < got.results.size(); ++r) same = got.results[r].url == expected[i].results[r].url;
          if (!same) ++wrong;
        }
      });
    for (auto& t : threads) t.join();
    BOOST_TEST(wrong.load() == 0);
  }
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto body = bytes.find("alpha markera text");
  BOOST_REQUIRE(body != std::string::npos);
  bytes[body] ^= 0x01;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  Engine damaged(settings());
  damaged.publish("docs", load_snapshot(path, e.settings()->sites[0]));
  try {
    damaged.search(request("alpha"));
    BOOST_FAIL("a damaged block was read");
  } catch (const SnapshotError& err) {
    BOOST_TEST(err.code() == "corrupt_snapshot");
    BOOST_TEST(std::string(err.what()).find(path) != std::string::npos);
  }
  std::filesystem::remove_all(e.settings()->data_dir);
}

BOOST_AUTO_TEST_SUITE_END()
