// A site split into segments, some of its pages deleted, searches as one index of its live pages
// would: the same results in the same order, with the same scores, totals, facets, snippets.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <map>
#include <set>
#include <thread>

#include <unistd.h>

#include "index/index_data.hpp"
#include "index/segments.hpp"
#include "siteseek/error.hpp"
#include "siteseek/segments.hpp"
#include "small_site.hpp"

using namespace siteseek;
using namespace siteseek::test;

namespace {

// A generated site: words of made-up syllables (so that prefixes and typos find neighbours),
// drawn with a Zipf-like skew, in pages of sections, some identifiers, two languages, versions.
struct Site {
  std::vector<std::string> words;
  std::vector<std::vector<Document>> pages;  // each page's records, the page record first
};

Site generate(std::uint32_t seed, std::size_t page_count, bool french) {
  std::mt19937 rng(seed);
  static const char* syllables[] = {"ka", "lo", "mi", "ra", "te", "po", "su", "ne", "di", "ba", "ro", "li", "va", "que", "str", "on"};
  Site site;
  std::set<std::string> seen;
  while (site.words.size() < 600) {
    std::string w;
    const int n = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) w += syllables[rng() % 16];
    if (seen.insert(w).second) site.words.push_back(w);
  }
  auto word = [&] {
    // Zipf-like: the square of a uniform draw favours the first words.
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return site.words[static_cast<std::size_t>(u * u * u * static_cast<double>(site.words.size() - 1))];
  };
  auto text = [&](std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
      if (!out.empty()) out += ' ';
      if (rng() % 23 == 0) out += word() + "." + word() + "()";
      else out += word();
    }
    return out;
  };
  for (std::size_t p = 0; p < page_count; ++p) {
    const std::string path = (p % 3 == 0 ? "guide/" : "api/") + word() + std::to_string(p) + ".html";
    const std::string title = text(1 + rng() % 3);
    std::vector<Document> records;
    const std::size_t sections = rng() % 4;
    std::string body;
    std::vector<std::pair<std::string, std::string>> parts;
    for (std::size_t s = 0; s < sections; ++s) {
      parts.emplace_back(text(1 + rng() % 3), text(10 + rng() % 40));
      body += parts.back().second + " ";
    }
    body += text(5 + rng() % 30);
    records.push_back(page(path, title, body));
    for (std::size_t s = 0; s < sections; ++s)
      records.push_back(section(path + "#s" + std::to_string(s), title, parts[s].first, parts[s].second, static_cast<std::uint32_t>(s + 1)));
    for (auto& r : records) {
      r.attributes.push_back({"version", p % 5 == 0 ? "2.0" : "1.0"});
      if (p % 7 == 3) r.attributes.push_back({"language", french ? "fr" : "en"});
    }
    site.pages.push_back(std::move(records));
  }
  return site;
}

SiteSettings settings() {
  auto s = site();
  s.landing_pages.push_back({"landing words", root + "api/x.html"});
  return s;
}

std::shared_ptr<const Index> build_records(const std::vector<const std::vector<Document>*>& pages,
                                           const std::optional<std::array<std::array<double, field_count>, 2>>& averages) {
  IndexBuilder b(settings());
  if (averages) b.set_length_averages(*averages);
  for (const auto* p : pages)
    for (const auto& r : *p) b.add(r);
  return b.build();
}

// The site in `cuts.size() + 1` segments cut at those pages, with `deleted` pages deleted, and one
// index of the pages left.
struct Pair {
  std::shared_ptr<const Index> whole;
  std::optional<SegmentedIndex> segmented;
};

Pair split(const Site& site, const std::vector<std::size_t>& cuts, const std::set<std::size_t>& deleted) {
  std::vector<std::vector<const std::vector<Document>*>> parts(1);
  std::vector<std::vector<bool>> gone(1);
  std::vector<const std::vector<Document>*> live;
  for (std::size_t p = 0; p < site.pages.size(); ++p) {
    if (std::find(cuts.begin(), cuts.end(), p) != cuts.end()) parts.emplace_back(), gone.emplace_back();
    parts.back().push_back(&site.pages[p]);
    gone.back().push_back(deleted.contains(p));
    if (!deleted.contains(p)) live.push_back(&site.pages[p]);
  }
  // Built once to learn the live records' averages, then with them (as a site's new segment is).
  auto segmented_with = [&](const std::optional<std::array<std::array<double, field_count>, 2>>& averages) {
    std::vector<std::shared_ptr<const Index>> indexes;
    for (const auto& part : parts) indexes.push_back(build_records(part, averages));
    SegmentedIndex si(indexes);
    for (std::size_t k = 0; k < parts.size(); ++k) {
      std::vector<std::uint32_t> docs;
      std::uint32_t doc = 0;
      for (std::size_t p = 0; p < parts[k].size(); ++p)
        for (std::size_t r = 0; r < parts[k][p]->size(); ++r, ++doc)
          if (gone[k][p]) docs.push_back(doc);
      if (!docs.empty()) si = si.with_deleted(k, docs);
    }
    return si;
  };
  Pair out;
  out.segmented = segmented_with(segmented_with(std::nullopt).length_averages());
  out.whole = build_records(live, std::nullopt);
  return out;
}

std::vector<SearchRequest> requests(const Site& site, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<SearchRequest> out;
  auto pick_page = [&]() -> const std::vector<Document>& { return site.pages[rng() % site.pages.size()]; };
  auto words_of = [&](const std::string& text) {
    std::vector<std::string> w;
    std::string cur;
    for (char c : text) {
      if (c == ' ') {
        if (!cur.empty()) w.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (!cur.empty()) w.push_back(cur);
    return w;
  };
  auto some_word = [&] { return site.words[rng() % site.words.size()]; };
  auto common_word = [&] { return site.words[rng() % 20]; };
  for (int i = 0; i < 300; ++i) {
    SearchRequest r;
    const auto& p = pick_page();
    const auto body = words_of(p[0].body);
    const auto w = [&] { return body[rng() % body.size()]; };
    switch (i % 15) {
      case 0: r.q = some_word(); break;
      case 1: r.q = common_word(); break;
      case 2: r.q = w() + " " + w(); break;
      case 3: r.q = w() + " " + w() + " " + w(); break;
      case 4: r.q = some_word() + " " + some_word() + " " + some_word() + " " + some_word(); break;  // partial, relaxed
      case 5: r.q = some_word().substr(0, 3), r.prefix = true; break;
      case 6: {
        auto t = some_word() + some_word();
        if (t.size() > 5) std::swap(t[2], t[3]);  // a typo
        r.q = t;
        break;
      }
      case 7: {
        const auto k = rng() % std::max<std::size_t>(body.size() - 1, 1);
        r.q = "\"" + body[k] + " " + body[std::min(k + 1, body.size() - 1)] + "\"";
        break;
      }
      case 8: r.q = common_word() + " -" + w(); break;
      case 9: r.q = w(), r.filters = "version:\"2.0\"", r.facets = {"version", "language", "type"}; break;
      case 10: r.q = common_word() + " " + w(), r.sub_results = 2; break;
      case 11: r.q = w() + (p[0].attributes.size() > 1 ? " @language:" + p[0].attributes[1].value : " @type:page"); break;
      case 12: r.q = common_word(), r.start = 5, r.num = 7, r.distinct = rng() % 2 == 0; break;
      // Three words of the site's commonest: whether few enough records hold them all for the
      // partial matches to compete is decided over every segment's.
      case 13: r.q = site.words[rng() % 40] + " " + site.words[rng() % 40] + " " + site.words[rng() % 40]; break;
      case 14: r.q = site.words[rng() % 10] + " " + site.words[rng() % 10] + " " + site.words[10 + rng() % 60]; break;
    }
    if (i % 17 == 0) r.explain = true;
    out.push_back(std::move(r));
  }
  SearchRequest landing;
  landing.q = "landing words";
  landing.explain = true;
  out.push_back(landing);
  return out;
}

void same(const SearchResponse& a, const SearchResponse& b, const std::string& q) {
  BOOST_TEST_CONTEXT("query: " << q) {
    BOOST_TEST(a.total == b.total);
    BOOST_TEST(a.relaxed == b.relaxed);
    BOOST_REQUIRE_EQUAL(a.results.size(), b.results.size());
    for (std::size_t k = 0; k < a.results.size(); ++k) {
      const auto &x = a.results[k], &y = b.results[k];
      BOOST_TEST_INFO("result " << k);
      BOOST_TEST(x.url == y.url);
      BOOST_TEST(std::abs(x.score - y.score) <= 1e-5 * std::max(1.0, std::abs(x.score)));
      BOOST_TEST(x.title == y.title);
      BOOST_TEST(x.section_title == y.section_title);
      BOOST_TEST(x.body == y.body);
      BOOST_TEST(x.sub_results.has_value() == y.sub_results.has_value());
      if (x.sub_results && y.sub_results) {
        BOOST_REQUIRE_EQUAL(x.sub_results->size(), y.sub_results->size());
        for (std::size_t i = 0; i < x.sub_results->size(); ++i) BOOST_TEST((*x.sub_results)[i].url == (*y.sub_results)[i].url);
      }
      BOOST_TEST(x.rules.size() == y.rules.size());
    }
    BOOST_REQUIRE_EQUAL(a.facets.size(), b.facets.size());
    for (std::size_t f = 0; f < a.facets.size(); ++f) {
      BOOST_TEST(a.facets[f].more == b.facets[f].more);
      BOOST_REQUIRE_EQUAL(a.facets[f].values.size(), b.facets[f].values.size());
      for (std::size_t v = 0; v < a.facets[f].values.size(); ++v) {
        BOOST_TEST(a.facets[f].values[v].value == b.facets[f].values[v].value);
        BOOST_TEST(a.facets[f].values[v].count == b.facets[f].values[v].count);
      }
    }
    BOOST_TEST(a.explain.has_value() == b.explain.has_value());
    if (a.explain && b.explain) BOOST_TEST(a.explain->rules.size() == b.explain->rules.size());
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(segments)

// Records in two languages, or deletions: not both. A word that the English and the French
// stemmer stem apart has the stem of the first record holding it, and a segment keeps the stem its
// first record gave it while that record is deleted, until the segment is merged (docs/segments.md).
void check_site(bool french, bool deletions) {
  auto site = generate(7, 240, french);
  // The landing page's URL, so that a segment holds it.
  site.pages[100][0].url = site.pages[100][0].id = root + "api/x.html";
  for (std::size_t r = 1; r < site.pages[100].size(); ++r)
    site.pages[100][r].url = site.pages[100][r].id = root + "api/x.html#s" + std::to_string(r - 1);
  std::set<std::size_t> deleted;
  for (std::size_t p = 3; deletions && p < site.pages.size(); p += 11) deleted.insert(p);
  const auto queries = requests(site, 11);
  // Cut in halves, in six, and one large segment with a small one (most completions in one: the
  // lexicon walks it by id); and not cut (with deletions, the lexicon is the segment's own
  // dictionary, its frequencies net of them).
  // Each cut twice: the words expanded per segment, then against their union dictionary (none
  // for one segment).
  for (const auto& cuts : std::vector<std::vector<std::size_t>>{{120}, {30, 90, 170, 171, 230}, {228}, {}})
    for (const bool joined : {false, true}) {
    const auto pair = split(site, cuts, deleted);
    BOOST_TEST(pair.segmented->live_documents() == pair.whole->size());
    if (joined) pair.segmented->build_dictionary();
    BOOST_TEST((pair.segmented->dictionary() != nullptr) == (joined && !cuts.empty()));
    std::size_t with_results = 0;
    for (const auto& r : queries) {
      const auto a = search_index(*pair.whole, r);
      const auto b = search_segments(*pair.segmented, r);
      same(a, b, r.q);
      with_results += a.results.empty() ? 0 : 1;
    }
    // The check means something only when most queries find records.
    BOOST_TEST(with_results > queries.size() * 3 / 4);
    for (const auto& q : {"ka", "lo", "mira", "tepo ka", "str"}) {
      SuggestRequest sr;
      sr.q = q;
      const auto a = suggest_index(*pair.whole, sr);
      const auto b = suggest_segments(*pair.segmented, sr);
      BOOST_REQUIRE_EQUAL(a.size(), b.size());
      for (std::size_t k = 0; k < a.size(); ++k) {
        BOOST_TEST(a[k].text == b[k].text);
        BOOST_TEST(a[k].url == b[k].url);
      }
    }
    }
}

BOOST_AUTO_TEST_CASE(segments_with_deletions_search_as_one_index_of_their_live_records) { check_site(false, true); }

BOOST_AUTO_TEST_CASE(segments_of_two_languages_search_as_one_index) { check_site(true, false); }

BOOST_AUTO_TEST_CASE(completions_count_every_segment_when_one_holds_most_of_them) {
  // The large segment holds most of "alp"'s completions (the lexicon walks its range by id); the
  // small one makes "alpine" the most frequent, and holds "alpha" in deleted records only.
  std::vector<Document> large, small;
  for (const auto* w : {"alpha one", "alpha two", "alpha three", "alpine one", "alpaca", "alps", "alpen", "alpenglow"})
    large.push_back(page(std::string("l") + std::to_string(large.size()) + ".html", w, w));
  for (int i = 0; i < 5; ++i) small.push_back(page("s" + std::to_string(i) + ".html", "alpine", "alpine"));
  small.push_back(page("gone.html", "alpha", "alpha alpha"));
  const auto whole = [&] {
    auto all = large;
    all.insert(all.end(), small.begin(), small.end() - 1);
    return build(all);
  }();
  SegmentedIndex si({build(large), build(small)});
  si = si.with_deleted(1, {5});
  for (const bool joined : {false, true}) {
    if (joined) si.build_dictionary();  // its union dictionary: the same completions
    for (const auto* q : {"alp", "al"}) {
      SuggestRequest sr;
      sr.q = q;
      sr.num = 8;
      const auto a = suggest_index(*whole, sr), b = suggest_segments(si, sr);
      BOOST_REQUIRE_EQUAL(a.size(), b.size());
      BOOST_TEST(a.front().text == "alpine");
      for (std::size_t k = 0; k < a.size(); ++k) BOOST_TEST(a[k].text == b[k].text);
    }
  }
}

// An update's index extends its predecessor's union dictionary by the new segment: the same
// terms, frequencies, flags and per-segment ids as a union of all the segments built anew, and
// the same answers.
BOOST_AUTO_TEST_CASE(an_update_extends_the_union_dictionary_by_its_segment) {
  const auto site = generate(5, 90, false);
  std::vector<Document> a, b;
  for (std::size_t p = 0; p < 90; ++p) (p < 60 ? a : b).insert((p < 60 ? a : b).end(), site.pages[p].begin(), site.pages[p].end());
  SegmentedIndex before({build(a), build(b)});
  before.build_dictionary();
  BOOST_REQUIRE(before.dictionary());
  const auto after = before.updated(settings(), {page("new.html", "zebra quagga", "zebra quagga mira"), page("x.html", "ka", "kappa 3.12")},
                                    {site.pages[3][0].url});
  BOOST_TEST(!after.dictionary());  // not built yet: searched per segment meanwhile
  after.build_dictionary();
  const auto got = after.dictionary();
  BOOST_REQUIRE(got);
  std::vector<const Index*> parts;
  for (const auto& s : after.segments()) parts.push_back(s.index.get());
  const auto full = detail::UnionDictionary::build(parts);
  const auto& g = got->terms->data();
  const auto& f = full->terms->data();
  BOOST_REQUIRE_EQUAL(g.term_count(), f.term_count());
  BOOST_TEST(got->local == full->local);
  for (std::uint32_t t = 0; t < g.term_count(); ++t) {
    BOOST_TEST(g.term(t) == f.term(t));
    BOOST_TEST(g.term_df[t] == f.term_df[t]);
    BOOST_TEST(g.term_flags[t] == f.term_flags[t]);
  }
  for (const auto* q : {"zebra", "quaga", "kappa", "mira ka"}) {
    SearchRequest r;
    r.q = q;
    const auto joined = search_segments(after, r);
    const auto each = search_segments(SegmentedIndex(after.segments()), r);  // the same segments, no union yet
    same(each, joined, q);
  }
}

// The union dictionary as the engine would keep it: extended by each update's segment, built anew
// after a merge, at random points of a stream of updates that replace and delete pages (so that a
// word's neighbours one typo away live in other segments, some of their records deleted). Every
// state answers as its segments searched each on its own, exact words, typos and prefixes alike.
BOOST_AUTO_TEST_CASE(a_union_kept_through_updates_and_merges_answers_as_the_segments_do) {
  const auto st = settings();
  std::size_t compared = 0;
  for (unsigned seed = 0; seed < 6; ++seed) {
    std::vector<Document> first;
    for (int i = 0; i < 30; ++i) first.push_back(page("p" + std::to_string(i) + ".html", "Page " + std::to_string(i), "install text word" + std::to_string(i)));
    IndexBuilder b(st);
    b.add_all(first);
    auto cur = std::make_shared<const SegmentedIndex>(std::vector<std::shared_ptr<const Index>>{b.build()});
    std::mt19937 rng(seed);
    for (int i = 0; i < 40; ++i) {
      std::vector<Document> docs;
      for (int k = 0; k < 1 + i % 3; ++k)
        docs.push_back(page("zeppelin" + std::to_string(k) + ".html", "About zeppelin", "Text on zeppelin number " + std::to_string(k) + ". round" + std::to_string(i)));
      std::vector<std::string> gone;
      if (i % 7 == 6) gone.push_back(root + "zeppelin0.html");
      cur = std::make_shared<const SegmentedIndex>(cur->updated(st, docs, gone));
      if (rng() % 2) cur->build_dictionary();  // else the next update's builds it whole
      while (rng() % 3 == 0) {
        const auto [f, l] = cur->merge_candidate();
        if (f == l) break;
        cur = std::make_shared<const SegmentedIndex>(cur->with_merged(*cur, f, l, cur->merge_build(f, l, st)));
        if (rng() % 2) cur->build_dictionary();
      }
      cur->build_dictionary();
      const SegmentedIndex plain(std::vector<SegmentedIndex::Segment>(cur->segments().begin(), cur->segments().end()));
      for (const auto& q : {"round" + std::to_string(i), "round" + std::to_string(std::max(i - 1, 0)), std::string("zeppelin"),
                            std::string("zepelin"), std::string("instal"), std::string("roun")}) {
        SearchRequest r;
        r.q = q;
        r.num = 50;
        const auto a = search_segments(plain, r);
        const auto u = search_segments(*cur, r);
        BOOST_TEST_CONTEXT("seed " << seed << ", update " << i << ", " << cur->segments().size() << " segments, q=" << q) {
          BOOST_TEST((cur->segments().size() < 2 || cur->dictionary() != nullptr));
          same(a, u, q);
        }
        compared += a.total > 0;
      }
    }
  }
  BOOST_TEST(compared > 6u * 40u * 4u);  // most of them find records
}

BOOST_AUTO_TEST_CASE(deleted_records_are_never_found_and_leave_the_statistics) {
  const auto a = build({page("a.html", "Alpha", "unique zebra words"), page("b.html", "Beta", "zebra again")});
  SegmentedIndex si({a});
  si = si.with_deleted(0, {0});
  SearchRequest r;
  r.q = "unique";
  BOOST_TEST(search_segments(si, r).total == 0u);
  r.q = "zebra";
  const auto res = search_segments(si, r);
  BOOST_REQUIRE_EQUAL(res.results.size(), 1u);
  BOOST_TEST(res.results[0].url == root + "b.html");
  BOOST_TEST(si.live_documents() == 1u);
  BOOST_TEST(si.page_records(root + "a.html").empty());
  BOOST_TEST(si.page_records(root + "b.html").size() == 1u);
  BOOST_CHECK_THROW(si.with_deleted(0, {7}), std::out_of_range);
}

// A page's records are found wherever they were given: together (as ingestion gives them, where
// the search for them stops at the next page's) or apart (a library caller's order).
BOOST_AUTO_TEST_CASE(a_pages_records_are_found_together_or_apart) {
  const auto together = build({page("a.html", "Alpha", "one"), section("a.html#s", "Alpha", "S", "two"), page("b.html", "Beta", "three")});
  BOOST_TEST(together->data().groups_in_runs());
  const SegmentedIndex t({together});
  BOOST_TEST(t.page_records(root + "a.html").size() == 2u);
  BOOST_TEST(t.page_records(root + "b.html").size() == 1u);
  const auto apart = build({page("a.html", "Alpha", "one"), page("b.html", "Beta", "three"), section("a.html#s", "Alpha", "S", "two")});
  BOOST_TEST(!apart->data().groups_in_runs());
  const SegmentedIndex a({apart});
  BOOST_TEST(a.page_records(root + "a.html").size() == 2u);
  const auto replaced = a.updated(site(), {page("a.html", "Alpha", "four")}, {});
  BOOST_TEST(replaced.live_documents() == 2u);  // both of a.html's records deleted, one added
}

// Saved segments: only new segments are written, the manifest switches in one rename, files no
// manifest names go, and what is loaded searches as what was saved.
BOOST_AUTO_TEST_CASE(saved_segments_write_only_what_is_new_and_load_as_they_were) {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / ("siteseek-segments-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto site_ = generate(3, 60, false);
  std::vector<const std::vector<Document>*> first, second;
  for (std::size_t p = 0; p < site_.pages.size(); ++p) (p < 50 ? first : second).push_back(&site_.pages[p]);
  SegmentedIndex si({build_records(first, std::nullopt), build_records(second, std::nullopt)});
  si = si.with_deleted(0, {0, 1, 2});
  const auto files = [&] {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
  };
  const auto saved = save_segments(si, dir.string(), "docs");
  BOOST_TEST(files().size() == 3u);  // two segments and the manifest
  BOOST_TEST(!saved.segments()[0].file.empty());
  const auto loaded = load_segments(dir.string(), "docs", settings()).value();
  BOOST_TEST(loaded.live_documents() == si.live_documents());
  for (const auto& r : requests(site_, 5)) same(search_segments(si, r), search_segments(loaded, r), r.q);
  // An update: its one new segment is written, the others are not touched.
  const auto mtime = fs::last_write_time(dir / saved.segments()[0].file);
  const auto updated = saved.updated(settings(), {page("new.html", "zebra", "zebra")}, {root + "nothing.html"});
  const auto again = save_segments(updated, dir.string(), "docs");
  BOOST_TEST(files().size() == 4u);
  BOOST_TEST((fs::last_write_time(dir / saved.segments()[0].file) == mtime));
  SearchRequest zebra;
  zebra.q = "zebra";
  BOOST_TEST(search_segments(load_segments(dir.string(), "docs", settings()).value(), zebra).total == 1u);
  // A crash after a segment file was written but before the manifest: the file is not read, and
  // the next save removes it; so does a merge's, with the files merged away.
  const auto orphan = dir / "docs.0123456789abcdef.segment";
  fs::copy_file(dir / saved.segments()[1].file, orphan);
  fs::copy_file(dir / saved.segments()[1].file, dir / "docs.v2.0123456789abcdef.segment");  // another site's: kept
  BOOST_TEST(load_segments(dir.string(), "docs", settings()).value().segments().size() == 3u);
  const auto [first_merged, last_merged] = std::pair<std::size_t, std::size_t>{0, again.segments().size()};
  const auto merged = again.with_merged(again, first_merged, last_merged, again.merge_build(first_merged, last_merged, settings()));
  save_segments(merged, dir.string(), "docs");
  BOOST_TEST(!fs::exists(orphan));
  BOOST_TEST(fs::exists(dir / "docs.v2.0123456789abcdef.segment"));
  BOOST_TEST(files().size() == 3u);  // the merged segment, the manifest, the other site's file
  BOOST_TEST(search_segments(load_segments(dir.string(), "docs", settings()).value(), zebra).total == 1u);
  // Damage is named: a corrupt manifest, a missing segment.
  { std::ofstream(dir / "docs.segments") << "{\"format\": 1, \"segments\": [{\"file\": 3}]}"; }
  try {
    load_segments(dir.string(), "docs", settings());
    BOOST_FAIL("a corrupt manifest loaded");
  } catch (const SnapshotError& e) {
    BOOST_TEST(std::string(e.what()).find("docs.segments") != std::string::npos);
  }
  { std::ofstream(dir / "docs.segments") << "{\"format\": 1, \"segments\": [{\"file\": \"docs.aaaaaaaaaaaaaaaa.segment\", \"records\": 3, \"built_at\": 1, \"deleted\": []}]}"; }
  BOOST_CHECK_THROW(load_segments(dir.string(), "docs", settings()), Error);
  fs::remove(dir / "docs.segments");
  BOOST_TEST(!load_segments(dir.string(), "docs", settings()).has_value());  // no manifest: nothing
  fs::remove_all(dir);
}

// A reader does not wait for saves: one that merges removes files the manifest it replaced named,
// maybe while another process opens them. The reader then reads the new manifest; a load never
// fails, and always finds the pages every save kept.
BOOST_AUTO_TEST_CASE(loading_while_another_process_saves_and_merges) {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / ("siteseek-segments-race-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto site_ = generate(5, 40, false);
  std::vector<const std::vector<Document>*> pages;
  for (const auto& p : site_.pages) pages.push_back(&p);
  auto si = save_segments(SegmentedIndex({build_records(pages, std::nullopt)}), dir.string(), "docs");
  const auto at_least = si.live_documents();
  std::atomic<bool> done{false};
  std::atomic<int> loads{0}, failures{0}, short_loads{0};
  std::string first_failure;
  const auto read = [&] {  // no Boost.Test assertion off the main thread
    while (!done.load()) {
      try {
        const auto loaded = load_segments(dir.string(), "docs", settings());
        if (!loaded || loaded->live_documents() < at_least) ++short_loads;
        ++loads;
      } catch (const std::exception& e) {
        if (failures++ == 0) first_failure = e.what();
      }
    }
  };
  std::thread reader(read), second(read);
  // Each save a merge of every segment, which removes every file the manifest before named.
  for (int i = 0; i < 300; ++i) {
    auto next = si.updated(settings(), {page("new" + std::to_string(i % 4) + ".html", "zebra", "zebra")}, {});
    si = save_segments(next.with_merged(next, 0, next.segments().size(), next.merge_build(0, next.segments().size(), settings())), dir.string(), "docs");
  }
  while (loads.load() < 20) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  done = true;
  reader.join();
  second.join();
  BOOST_TEST(failures.load() == 0, first_failure);
  BOOST_TEST(short_loads.load() == 0);
  BOOST_TEST_MESSAGE(loads.load() << " loads beside 300 saves");
  fs::remove_all(dir);
}

// The site's snapshot as the first segment: named by the manifest, not copied; a manifest older
// than the snapshot (a whole save that stopped before removing it) is not read; a merge that took
// the snapshot's records removes it; remove_segments leaves only the snapshot.
BOOST_AUTO_TEST_CASE(the_site_snapshot_is_the_first_segment_until_merged_away) {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / ("siteseek-segments-base-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto site_ = generate(4, 40, false);
  std::vector<const std::vector<Document>*> all;
  for (const auto& p : site_.pages) all.push_back(&p);
  const auto base = build_records(all, std::nullopt);
  save_snapshot(*base, (dir / "docs.snapshot").string());
  const auto snapshot_mtime = fs::last_write_time(dir / "docs.snapshot");
  const auto updated = SegmentedIndex({base}).updated(settings(), {page("new.html", "zebra", "zebra")}, {root + "p1.html"});
  const auto saved = save_segments(updated, dir.string(), "docs");
  BOOST_TEST(saved.segments()[0].file == "docs.snapshot");
  BOOST_TEST((fs::last_write_time(dir / "docs.snapshot") == snapshot_mtime));
  const auto loaded = load_segments(dir.string(), "docs", settings());
  BOOST_REQUIRE(loaded.has_value());
  BOOST_TEST(loaded->live_documents() == updated.live_documents());
  for (const auto& r : requests(site_, 5)) same(search_segments(updated, r), search_segments(*loaded, r), r.q);
  // A whole save of another build replaces the snapshot: the manifest names the old one.
  const auto manifest = dir / "docs.segments";
  const auto kept = dir / "kept.segments";
  fs::copy_file(manifest, kept);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  save_snapshot(*build_records(all, std::nullopt), (dir / "docs.snapshot").string());
  BOOST_TEST(!load_segments(dir.string(), "docs", settings()).has_value());
  remove_segments(dir.string(), "docs");
  BOOST_TEST(!fs::exists(manifest));
  BOOST_TEST(fs::exists(dir / "docs.snapshot"));
  for (const auto& e : fs::directory_iterator(dir)) BOOST_TEST(e.path().extension() != ".segment");
  // Merged away: the manifest alone is the index, and the snapshot goes.
  const auto from = SegmentedIndex({load_snapshot((dir / "docs.snapshot").string(), settings())})
                        .updated(settings(), {page("new.html", "zebra", "zebra")}, {});
  const auto merged = from.with_merged(from, 0, 2, from.merge_build(0, 2, settings()));
  save_segments(merged, dir.string(), "docs");
  BOOST_TEST(!fs::exists(dir / "docs.snapshot"));
  SearchRequest zebra;
  zebra.q = "zebra";
  BOOST_TEST(search_segments(load_segments(dir.string(), "docs", settings()).value(), zebra).total == 1u);
  fs::remove_all(dir);
}

// The merge policy: segments that each hold more than twice what follows them are left alone;
// small segments behind a larger one (updates that outran merges) are merged with all after them.
BOOST_AUTO_TEST_CASE(merge_candidate_keeps_segments_geometric) {
  auto site_ = generate(5, 600, false);
  // Pages of the same number of records, so that a segment's records are in proportion to its pages.
  std::map<std::size_t, std::vector<const std::vector<Document>*>> by_size;
  for (const auto& p : site_.pages) by_size[p.size()].push_back(&p);
  const auto& same = std::max_element(by_size.begin(), by_size.end(), [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); })->second;
  BOOST_REQUIRE(same.size() >= 85u);
  // Segments of these many pages, in order, each built with the length averages of them all (as
  // updates build them: none has drifted).
  const auto segments_of = [&](const std::vector<std::size_t>& sizes) {
    std::vector<std::vector<const std::vector<Document>*>> parts;
    std::vector<const std::vector<Document>*> all;
    std::size_t next = 0;
    for (const auto n : sizes) {
      auto& part = parts.emplace_back();
      for (std::size_t p = 0; p < n; ++p) part.push_back(same.at(next++)), all.push_back(part.back());
    }
    const auto averages = SegmentedIndex({build_records(all, std::nullopt)}).length_averages();
    std::vector<std::shared_ptr<const Index>> out;
    for (const auto& part : parts) out.push_back(build_records(part, averages));
    return SegmentedIndex(out);
  };
  // Each more than twice what follows it: left alone.
  const auto [f0, l0] = segments_of({60, 18, 5, 2}).merge_candidate();
  BOOST_TEST(f0 == l0);
  // One more page: the 5, the 2 and the 1 join (5 <= 2 * 3; 18 > 2 * 8).
  const auto [f1, l1] = segments_of({60, 18, 5, 2, 1}).merge_candidate();
  BOOST_TEST(f1 == 2u);
  BOOST_TEST(l1 == 5u);
  // Small segments behind a larger one (updates that outran merges): from the first small one.
  const auto [f2, l2] = segments_of({60, 18, 1, 1, 3, 1}).merge_candidate();
  BOOST_TEST(f2 == 2u);
  BOOST_TEST(l2 == 6u);
}

BOOST_AUTO_TEST_SUITE_END()
